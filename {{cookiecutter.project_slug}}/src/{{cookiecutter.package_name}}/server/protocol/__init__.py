"""The Agent Protocol subset that LangGraph's clients speak (langgraph-sdk in Python
and JavaScript, RemoteGraph, Agent Chat UI), over the same runner and checkpointer
as the native API. `GET /threads/{id}` is shared with the native API."""

from fastapi import APIRouter

from . import assistants, run_list, runs, streams, threads

router = APIRouter()
for part in (assistants, threads, runs, streams, run_list):
    router.include_router(part.router)
