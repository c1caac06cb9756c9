"""A user's own tools, replacing the example's whole: an order desk."""

from langchain_core.tools import BaseTool, ToolException, tool

ORDERS = {"A-1001": "shipped", "A-1002": "being packed"}


class ToolError(ToolException):
    """A failure the model should read and act on."""


@tool
def order_status(order_id: str) -> str:
    """Get the status of an order.

    Args:
        order_id: The order number, e.g. "A-1001".
    """
    if order_id not in ORDERS:
        raise ToolError(f"No order {order_id!r}.")
    return f"Order {order_id} is {ORDERS[order_id]}."


@tool
def refund_policy() -> str:
    """Get the refund policy."""
    return "Unused items can be returned within 30 days for a full refund."


TOOLS: list[BaseTool] = [order_status, refund_policy]
