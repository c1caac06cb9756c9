"""The A2A service: the A2A SDK's request handler over the runner every API shares
(executor.py), its JSON-RPC dispatcher and HTTP+JSON endpoints (rest.py), A2A 1.0
and 0.3 alike, tasks kept in the database (tasks.py) and the agent card (card.py).
Opened on the first A2A request (api.py)."""

from collections.abc import Callable
from typing import Any

from a2a.server.request_handlers import DefaultRequestHandler
from a2a.server.request_handlers.response_helpers import agent_card_to_dict
from a2a.server.routes import create_jsonrpc_routes
from a2a.server.tasks import DatabaseTaskStore
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ...agent.graph import graph_tools
from ...runtime.runs import AgentRunner
from ...settings import Settings
from .card import agent_card
from .executor import RunnerExecutor
from .paths import JSONRPC_PATH
from .rest import Endpoint, rest_endpoints
from .tasks import fail_abandoned_tasks, task_store

# A task waiting for input leaves memory after this long; the next message on it
# finds it in the database.
IDLE_TASK_SECONDS = 300.0


class A2AService:
    """What serves A2A once it is opened; `close` frees the store's connections."""

    def __init__(
        self,
        settings: Settings,
        runner: Callable[[], AgentRunner],
        store: DatabaseTaskStore,
    ) -> None:
        self.settings, self._runner, self.store = settings, runner, store
        handler = DefaultRequestHandler(
            RunnerExecutor(runner),
            store,
            # What the handler checks calls against (streaming: yes; push: no).
            agent_card(settings, [], "http://localhost"),
            interrupted_task_timeout=IDLE_TASK_SECONDS,
        )
        # A stream outlives SIGTERM until its run ends (server/shutdown.py).
        grace = runner().active.stream_grace_seconds
        [route] = create_jsonrpc_routes(
            handler, JSONRPC_PATH, enable_v0_3_compat=True, shutdown_grace_period=grace
        )
        assert isinstance(route, Route)  # noqa: S101 - the SDK makes one Route
        self._dispatch: Endpoint = route.endpoint
        self._rest = rest_endpoints(handler, grace)

    @classmethod
    async def open(
        cls, settings: Settings, runner: Callable[[], AgentRunner]
    ) -> "A2AService":
        """The service, its tasks' table made if missing, and the tasks a stopped
        server left working marked failed (tasks.py)."""
        store = task_store(settings)
        try:
            await store.initialize()
            await fail_abandoned_tasks(store, runner().locks)
        except BaseException:
            await store.engine.dispose()
            raise
        return cls(settings, runner, store)

    def card(self, base_url: str) -> dict[str, Any]:
        """The agent card as JSON, with the fields A2A 0.3 clients read too."""
        tools = graph_tools(self._runner().graph)
        return agent_card_to_dict(agent_card(self.settings, tools, base_url))

    async def jsonrpc(self, request: Request) -> Response:
        return await self._dispatch(request)

    async def rest(self, method: str, path: str, request: Request) -> Response:
        """The HTTP+JSON binding's operation `method` `path` (paths.py)."""
        return await self._rest[method, path](request)

    async def close(self) -> None:
        await self.store.engine.dispose()
