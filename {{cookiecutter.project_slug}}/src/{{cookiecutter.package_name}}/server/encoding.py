"""LangGraph objects as the Agent Protocol clients read them (langgraph-sdk, Agent
Chat UI): messages as `model_dump()`, interrupts as `{"value", "id"}`, states with
their checkpoint chain."""

import dataclasses
import json
from datetime import UTC, datetime
from typing import Any

from langchain_core.runnables import RunnableConfig
from langgraph.types import Interrupt, StateSnapshot
from pydantic import BaseModel

from ..runtime.threads import Thread


def to_jsonable(value: Any) -> Any:
    """`json.dumps` fallback: messages and other pydantic models, interrupts."""
    if isinstance(value, Interrupt):
        return {"value": value.value, "id": value.id}
    if isinstance(value, BaseModel):
        return value.model_dump()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    if isinstance(value, set | tuple):
        return list(value)
    return str(value)


def dumps(value: Any) -> str:
    """Compact one-line JSON, as SSE `data:` needs it."""
    return json.dumps(
        value, default=to_jsonable, ensure_ascii=False, separators=(",", ":")
    )


def jsonable(value: Any) -> Any:
    """A value made of JSON types only (for FastAPI responses)."""
    return json.loads(dumps(value))


def checkpoint(config: RunnableConfig | None) -> dict[str, Any] | None:
    """`{"thread_id", "checkpoint_ns", "checkpoint_id"}` of a checkpoint config."""
    if not config:
        return None
    configurable = config.get("configurable", {})
    return {
        "thread_id": configurable.get("thread_id"),
        "checkpoint_ns": configurable.get("checkpoint_ns", ""),
        "checkpoint_id": configurable.get("checkpoint_id"),
    }


def debug_event(event: dict[str, Any]) -> dict[str, Any]:
    """A `debug` stream event as LangGraph's server sends it: a checkpoint event
    also names its checkpoint and its parent's as `{thread_id, checkpoint_ns,
    checkpoint_id}`, and each of its tasks' state as `checkpoint`."""
    payload = event.get("payload")
    if event.get("type") != "checkpoint" or not isinstance(payload, dict):
        return event
    tasks = [
        {
            **{key: value for key, value in task.items() if key != "state"},
            "checkpoint": task["state"]["configurable"],
        }
        if isinstance(task.get("state"), dict) and task["state"].get("configurable")
        else task
        for task in payload.get("tasks", [])
    ]
    return {
        **event,
        "payload": {
            **payload,
            "checkpoint": checkpoint(payload.get("config")),
            "parent_checkpoint": checkpoint(payload.get("parent_config")),
            "tasks": tasks,
        },
    }


def thread_state(snapshot: StateSnapshot) -> dict[str, Any]:
    """A ThreadState: values, next nodes, tasks with their interrupts, checkpoints."""
    current, parent = checkpoint(snapshot.config), checkpoint(snapshot.parent_config)
    tasks = [
        {
            "id": task.id,
            "name": task.name,
            "path": list(task.path),
            "error": repr(task.error) if task.error else None,
            "interrupts": list(task.interrupts),
            "checkpoint": None,
            "state": None,
            "result": task.result,
        }
        for task in snapshot.tasks
    ]
    state = {
        "values": snapshot.values,
        "next": list(snapshot.next),
        "tasks": tasks,
        "metadata": snapshot.metadata,
        "created_at": snapshot.created_at,
        "checkpoint": current if snapshot.created_at else None,
        "parent_checkpoint": parent,
        "interrupts": list(snapshot.interrupts),
        "checkpoint_id": current["checkpoint_id"] if current else None,
        "parent_checkpoint_id": parent["checkpoint_id"] if parent else None,
    }
    return jsonable(state)  # type: ignore[no-any-return]


def _aware(moment: datetime) -> datetime:
    # The SQLite store returns naive UTC times; clients expect an offset.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def thread(record: Thread, snapshot: StateSnapshot | None = None) -> dict[str, Any]:
    """A Thread, with its current values and pending interrupts when known."""
    interrupts: dict[str, list[Any]] = {}
    if snapshot is not None:
        for task in snapshot.tasks:
            if task.interrupts:
                interrupts[task.id] = list(task.interrupts)
    body = {
        "thread_id": record.thread_id,
        "created_at": _aware(record.created_at).isoformat(),
        "updated_at": _aware(record.updated_at).isoformat(),
        # When the conversation last changed: its latest checkpoint, if known.
        "state_updated_at": (
            snapshot.created_at
            if snapshot and snapshot.created_at
            else _aware(record.updated_at).isoformat()
        ),
        "metadata": record.metadata,
        "status": record.status,
        "config": {},
        "values": snapshot.values if snapshot and snapshot.created_at else None,
        "interrupts": interrupts,
    }
    return jsonable(body)  # type: ignore[no-any-return]
