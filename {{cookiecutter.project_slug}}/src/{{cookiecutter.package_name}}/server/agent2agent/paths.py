"""Where A2A is served, under the service's URL (no imports: api.py reads these
without loading the A2A SDK)."""

# JSON-RPC, A2A 1.0 and 0.3 alike.
JSONRPC_PATH = "/a2a"
# The agent card, where A2A clients look for it.
CARD_PATH = "/.well-known/agent-card.json"
