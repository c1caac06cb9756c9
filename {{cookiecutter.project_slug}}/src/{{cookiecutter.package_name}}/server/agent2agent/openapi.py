"""The OpenAPI document's A2A operations, described as the A2A SDK describes them:
the bodies of JSON-RPC and of HTTP+JSON 1.0 (from its protobuf types), and the
version header. Built when the document is first asked for (api.py)."""

from typing import Any

from a2a.server.routes import add_a2a_routes_to_fastapi
from fastapi import FastAPI
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from .paths import JSONRPC_PATH, REST_OPERATIONS_1_0, REST_PATH


async def _nothing(_: Request) -> Response:
    return Response()


def describe_a2a(document: dict[str, Any]) -> None:
    """Give the A2A operations in `document` what the SDK says of its own."""
    probe = FastAPI()
    add_a2a_routes_to_fastapi(
        probe,
        jsonrpc_routes=[Route(JSONRPC_PATH, _nothing, methods=["POST"])],
        rest_routes=[
            Route(REST_PATH + path, _nothing, methods=[method])
            for method, path in REST_OPERATIONS_1_0
        ],
    )
    probed = probe.openapi()
    jsonrpc = _take(document, probed, "post", JSONRPC_PATH)
    # Optional on JSON-RPC, whatever the SDK says: without it a request is 0.3's.
    for parameter in jsonrpc["parameters"]:
        parameter["required"] = False
    for method, path in REST_OPERATIONS_1_0:
        _take(document, probed, method.lower(), REST_PATH + path)
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    for name, schema in probed.get("components", {}).get("schemas", {}).items():
        schemas.setdefault(name, schema)


def _take(
    document: dict[str, Any], probed: dict[str, Any], method: str, path: str
) -> dict[str, Any]:
    """Copy the SDK's request body and version header onto our operation."""
    described = probed["paths"][path][method]
    operation: dict[str, Any] = document["paths"][path][method]
    if "requestBody" in described:
        operation["requestBody"] = described["requestBody"]
    headers = [p for p in described.get("parameters", []) if p["in"] == "header"]
    others = [p for p in operation.get("parameters", []) if p["in"] != "header"]
    operation["parameters"] = others + [dict(header) for header in headers]
    return operation
