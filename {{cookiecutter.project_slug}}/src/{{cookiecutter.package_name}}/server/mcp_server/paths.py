"""Where MCP is served (no imports: api.py reads it without loading the MCP SDK)."""

# Streamable HTTP, as LangGraph's server serves its agents.
MCP_PATH = "/mcp"
