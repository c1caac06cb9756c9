"""A LangGraph agent served over HTTP; see README.md for the tour."""
