"""{{ cookiecutter.project_slug }}: a LangGraph agent served over HTTP."""
