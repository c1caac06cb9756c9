"""Checks a Cloud Build config against the Cloud Build v1 API's own `Build` schema.

The schema is the API's discovery document, which google-api-python-client ships:
field names as the API spells them, types, enums, output-only and deprecated fields,
followed through every `$ref`. On top of it, the rules the service and gcloud apply to
a config file (no `source`, at least one step, `script` without `entrypoint`/`args`,
step ids and `waitFor`) and the substitution rules. Every problem is one message that
names where it is and what to write instead.
"""

import difflib
import json
import re
from collections.abc import Iterable, Iterator
from functools import cache
from pathlib import Path
from typing import Any

import googleapiclient

DISCOVERY_DOCUMENT = (
    Path(googleapiclient.__file__).parent
    / "discovery_cache"
    / "documents"
    / "cloudbuild.v1.json"
)

# Cloud Build's own substitutions (a trigger sets the source ones).
BUILT_IN_SUBSTITUTIONS = frozenset(
    {
        "PROJECT_ID",
        "PROJECT_NUMBER",
        "BUILD_ID",
        "LOCATION",
        "TRIGGER_NAME",
        "COMMIT_SHA",
        "SHORT_SHA",
        "REVISION_ID",
        "REPO_NAME",
        "REPO_FULL_NAME",
        "BRANCH_NAME",
        "TAG_NAME",
        "REF_NAME",
        "TRIGGER_BUILD_CONFIG_PATH",
        "SERVICE_ACCOUNT_EMAIL",
        "SERVICE_ACCOUNT",
    }
)
# What gcloud and the trigger API accept as a user-defined substitution's name.
USER_SUBSTITUTION_RE = re.compile(r"^_[A-Z0-9_]+$")
# `$$` is a literal `$`; `$NAME` and `${NAME}` are substitutions; any other `$` (a
# shell `$(...)`, `${x:-y}` or `$1` left unescaped) is a mistake.
DOLLAR_RE = re.compile(
    r"\$\$|\$\{(?P<braced>[A-Za-z_][A-Za-z0-9_]*)\}|\$(?P<bare>[A-Za-z_][A-Za-z0-9_]*)|\$"
)
DURATION_RE = re.compile(r"^\d+(\.\d{1,9})?s$")
INTEGER_STRING_RE = re.compile(r"^-?\d+$")
# Fields of the resource that a config file may not set: gcloud refuses `source`
# ("config cannot specify source"); the trigger or `builds submit` provides it.
NOT_IN_A_CONFIG = {"Build": frozenset({"source"})}


@cache
def schemas() -> dict[str, dict[str, Any]]:
    document = json.loads(DISCOVERY_DOCUMENT.read_text(encoding="utf-8"))
    return document["schemas"]


def check_build(build: object, defined: Iterable[str] = ()) -> list[str]:
    """Every problem of one parsed config; `defined` are the substitutions that the
    trigger passes, on top of the file's own `substitutions`."""
    if not isinstance(build, dict):
        return ["the config is not a mapping"]
    problems = list(check_object(build, "Build", ""))
    problems += check_steps(build)
    problems += check_substitutions(build, defined)
    return problems


def join(where: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{where}[{key}]"
    return f"{where}.{key}" if where else key


def output_only(spec: dict[str, Any]) -> bool:
    return bool(spec.get("readOnly")) or str(spec.get("description", "")).startswith(
        "Output only"
    )


def check_object(value: object, schema: str, where: str) -> Iterator[str]:
    if not isinstance(value, dict):
        place = where or "the config"
        yield f"{place}: must be a mapping ({schema}), got {kind(value)}"
        return
    properties = schemas()[schema].get("properties", {})
    for key, item in value.items():
        spec = properties.get(key)
        place = join(where, str(key))
        if key in NOT_IN_A_CONFIG.get(schema, ()):
            yield f"{place}: a config file cannot set it (the trigger provides it)"
        elif spec is None:
            hint = suggestion(str(key), properties)
            yield f"{place}: unknown field of {schema}{hint}"
        elif output_only(spec):
            yield f"{place}: output-only field of {schema}, set by Cloud Build"
        elif spec.get("deprecated"):
            yield f"{place}: deprecated: {spec.get('description', '')}"
        else:
            yield from check_value(item, spec, place)


def suggestion(key: str, properties: dict[str, Any]) -> str:
    """Points at the API's name: gcloud would map snake_case, a trigger may not."""
    camel = re.sub(r"_([a-z0-9])", lambda match: match[1].upper(), key)
    if camel in properties:
        return f" (the API calls it `{camel}`)"
    close = difflib.get_close_matches(key, list(properties), n=1)
    return f" (did you mean `{close[0]}`?)" if close else ""


def check_value(value: object, spec: dict[str, Any], where: str) -> Iterator[str]:
    if "$ref" in spec:
        yield from check_object(value, spec["$ref"], where)
        return
    expected = spec.get("type")
    if expected == "array":
        if not isinstance(value, list):
            yield f"{where}: must be a list, got {kind(value)}"
            return
        for index, item in enumerate(value):
            yield from check_value(item, spec["items"], join(where, index))
    elif expected == "object":
        if not isinstance(value, dict):
            yield f"{where}: must be a mapping, got {kind(value)}"
            return
        for key, item in value.items():
            yield from check_value(item, spec["additionalProperties"], join(where, key))
    elif expected == "string":
        yield from check_string(value, spec, where)
    elif expected == "boolean" and not isinstance(value, bool):
        yield f"{where}: must be true or false, got {kind(value)}"
    elif expected == "integer" and (
        not isinstance(value, int) or isinstance(value, bool)
    ):
        yield f"{where}: must be an integer, got {kind(value)}"


def check_string(value: object, spec: dict[str, Any], where: str) -> Iterator[str]:
    if spec.get("format") in ("int64", "uint64"):
        # JSON carries 64-bit integers as strings; the API takes a number too.
        number = isinstance(value, int) and not isinstance(value, bool)
        if not number and not INTEGER_STRING_RE.match(str(value)):
            yield f"{where}: must be an integer, got {kind(value)}"
        return
    duration = spec.get("format") == "google-duration"
    if not isinstance(value, str):
        what = "a duration string such as '600s'" if duration else "a string"
        yield f"{where}: must be {what}, got {kind(value)}"
        return
    if "enum" in spec:
        flags = spec.get("enumDeprecated", [])
        deprecated = dict(zip(spec["enum"], flags, strict=False))
        if value not in spec["enum"]:
            current = [name for name in spec["enum"] if not deprecated.get(name)]
            allowed = ", ".join(current)
            yield f"{where}: {value!r} is not one of {allowed}"
        elif deprecated.get(value):
            yield f"{where}: {value!r} is deprecated"
    if duration and not DURATION_RE.match(value):
        yield f"{where}: {value!r} is not a duration in seconds such as '600s'"


def kind(value: object) -> str:
    names = {bool: "a boolean", int: "an integer", float: "a number", str: "a string"}
    names |= {list: "a list", dict: "a mapping", type(None): "nothing"}
    return f"{names.get(type(value), type(value).__name__)} ({value!r:.40})"


def check_steps(build: dict[str, Any]) -> Iterator[str]:
    steps = build.get("steps")
    if not isinstance(steps, list) or not steps:
        yield "steps: a config must list at least one step"
        return
    secrets = declared_secret_env(build)
    seen: set[str] = set()
    for index, step in enumerate(steps):
        if not isinstance(step, dict):
            continue  # already reported against the schema
        where = join("steps", index)
        if "name" not in step:
            yield f"{where}: `name` (the builder image) is required"
        if "script" in step and ({"entrypoint", "args"} & set(step)):
            yield f"{where}: `script` cannot be combined with `entrypoint` or `args`"
        for item in step.get("env") or []:
            if isinstance(item, str) and "=" not in item:
                yield f"{where}.env: {item!r} is not KEY=VALUE"
        for name in step.get("secretEnv") or []:
            if name not in secrets:
                yield f"{where}.secretEnv: {name!r} is not in availableSecrets"
        for other in step.get("waitFor") or []:
            if other != "-" and other not in seen:
                yield f"{where}.waitFor: {other!r} is the id of no earlier step"
        step_id = step.get("id")
        if isinstance(step_id, str):
            if step_id in seen:
                yield f"{where}.id: {step_id!r} is used by an earlier step"
            seen.add(step_id)


def declared_secret_env(build: dict[str, Any]) -> set[str]:
    names: set[str] = set()
    available = build.get("availableSecrets")
    if isinstance(available, dict):
        for secret in available.get("secretManager") or []:
            if isinstance(secret, dict):
                names.add(str(secret.get("env")))
        for secret in available.get("inline") or []:
            if isinstance(secret, dict):
                names.update(secret.get("envMap") or {})
    for secret in build.get("secrets") or []:
        if isinstance(secret, dict):
            names.update(secret.get("secretEnv") or {})
    return names


def strings_in(value: object, where: str) -> Iterator[tuple[str, str]]:
    """Every string value of a parsed config with its place (keys are field names)."""
    if isinstance(value, str):
        yield where, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from strings_in(item, join(where, str(key)))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from strings_in(item, join(where, index))


def check_substitutions(build: dict[str, Any], defined: Iterable[str]) -> Iterator[str]:
    """Triggered builds always substitute loosely: a `$word` that names no substitution
    becomes an empty string instead of failing, so each one is reported here."""
    own = build.get("substitutions")
    own = own if isinstance(own, dict) else {}
    for name in own:
        if not USER_SUBSTITUTION_RE.match(str(name)):
            yield (
                f"substitutions.{name}: a user-defined substitution must match "
                f"{USER_SUBSTITUTION_RE.pattern}"
            )
    known = set(own) | set(defined)
    for where, text in strings_in(build, ""):
        for match in DOLLAR_RE.finditer(text):
            name = match["braced"] or match["bare"]
            if match[0] == "$$":
                continue
            if name is None:
                context = text[max(match.start() - 20, 0) : match.end() + 20]
                yield f"{where}: unescaped `$` in {context!r}: write `$$` for the shell"
            elif name.startswith("_"):
                if name not in known:
                    yield f"{where}: substitution {name} is defined nowhere"
            elif name not in BUILT_IN_SUBSTITUTIONS:
                yield (
                    f"{where}: ${name} is not a substitution (Cloud Build would make "
                    f"it empty): write $${name} for the shell"
                )
