"""Where A2A is served, under the service's URL (no imports: api.py reads these
without loading the A2A SDK)."""

# JSON-RPC, A2A 1.0 and 0.3 alike.
JSONRPC_PATH = "/a2a"
# The agent card, where A2A clients look for it.
CARD_PATH = "/.well-known/agent-card.json"
# The HTTP+JSON binding's base URL: A2A 1.0's paths below it, 0.3's below its /v1.
REST_PATH = JSONRPC_PATH

# The HTTP+JSON operations served, as (method, path under REST_PATH). An action on a
# task (`:cancel`, `:subscribe`) comes before the task itself: `/tasks/{id}` would
# match it too. Push notifications are not served (the card says so).
REST_OPERATIONS_1_0: tuple[tuple[str, str], ...] = (
    ("POST", "/message:send"),
    ("POST", "/message:stream"),
    ("POST", "/tasks/{id}:cancel"),
    ("GET", "/tasks/{id}:subscribe"),
    ("POST", "/tasks/{id}:subscribe"),
    ("GET", "/tasks/{id}"),
    ("GET", "/tasks"),
)
# A2A 0.3 has no ListTasks.
REST_OPERATIONS_0_3: tuple[tuple[str, str], ...] = tuple(
    (method, "/v1" + path) for method, path in REST_OPERATIONS_1_0 if path != "/tasks"
)
