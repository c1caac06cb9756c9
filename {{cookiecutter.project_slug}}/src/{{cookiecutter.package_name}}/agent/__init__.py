"""The agent: its graph, state, tools and prompts."""
