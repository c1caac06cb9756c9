"""What the graph carries from step to step and stores per thread."""

from langgraph.graph import MessagesState


class AgentState(MessagesState):
    """The conversation so far; `messages` merges by id (LangGraph's add_messages).

    Add fields here when the agent needs to remember more than messages.
    """
