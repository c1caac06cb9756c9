"""The HTTP server: a thin FastAPI layer over the runner."""
