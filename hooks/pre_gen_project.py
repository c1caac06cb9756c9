"""Refuse template inputs that would generate a broken project, one line per problem.

Cookiecutter renders this file with Jinja before running it. The only templated line
is RENDERED_CONTEXT below: it stays a plain (unrendered) string when the module is
imported directly, so tests can import this file and call `validate` on any context.
"""

import json
import keyword
import re
import sys
from collections.abc import Callable

# Raw and triple-quoted: `tojson` emits ASCII-only JSON whose backslashes must reach
# json.loads untouched, and JSON never contains three quotes in a row.
RENDERED_CONTEXT = r"""{{ cookiecutter | tojson }}"""

SUPPORTED_PYTHON_VERSIONS = ("3.11", "3.12", "3.13")
# Cloud Run service names (the slug) have at most 49 characters; service account
# ids (slug + "-ci") need at least 6.
MAX_SLUG_LENGTH = 49
MIN_SLUG_LENGTH = 3
MAX_PACKAGE_LENGTH = 32

SLUG_RE = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
PACKAGE_RE = re.compile(r"^[a-z][a-z0-9_]*$")
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
REGION_RE = re.compile(r"^[a-z]+-[a-z]+[0-9]+$")
MODEL_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@/-]*$")
# C0 and C1 control characters, DEL, and the Unicode line/paragraph separators.
CONTROL_RE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")

# Top-level modules the generated project imports or ships (its own tests/ directory
# included): a package with one of these names would shadow it.
DEPENDENCY_MODULES = frozenset(
    {
        "aiosqlite",
        "fastapi",
        "google",
        "httpx",
        "langchain",
        "langchain_core",
        "langchain_google_genai",
        "langchain_google_vertexai",
        "langgraph",
        "langgraph_sdk",
        "locust",
        "mypy",
        "opentelemetry",
        "psycopg",
        "psycopg_pool",
        "pydantic",
        "pydantic_core",
        "pydantic_settings",
        "pytest",
        "pythonjsonlogger",
        "ruff",
        "sse_starlette",
        "starlette",
        "test",
        "tests",
        "uvicorn",
        "vertexai",
    }
)


def check_project_name(value: str) -> str | None:
    if not value.strip():
        return "project_name is empty; give the project a name."
    return check_single_line("project_name", value)


def check_project_slug(value: str) -> str | None:
    if not SLUG_RE.fullmatch(value):
        return (
            f"project_slug {value!r} is not a valid slug; use lower-case letters, "
            "digits and single hyphens, starting with a letter (e.g. my-agent)."
        )
    if not MIN_SLUG_LENGTH <= len(value) <= MAX_SLUG_LENGTH:
        return (
            f"project_slug {value!r} is {len(value)} characters long; use "
            f"{MIN_SLUG_LENGTH} to {MAX_SLUG_LENGTH} (a Cloud Run service name)."
        )
    return None


def check_package_name(value: str) -> str | None:
    if not PACKAGE_RE.fullmatch(value):
        return (
            f"package_name {value!r} is not a valid package name; use lower-case "
            "letters, digits and underscores, starting with a letter (e.g. my_agent)."
        )
    if len(value) > MAX_PACKAGE_LENGTH:
        return (
            f"package_name {value!r} is {len(value)} characters long; "
            f"use at most {MAX_PACKAGE_LENGTH}."
        )
    if keyword.iskeyword(value) or keyword.issoftkeyword(value):
        return f"package_name {value!r} is a Python keyword; choose another name."
    if value in sys.stdlib_module_names:
        return (
            f"package_name {value!r} clashes with the standard library module "
            f"{value}; choose another name."
        )
    if value in DEPENDENCY_MODULES:
        return (
            f"package_name {value!r} clashes with the module {value} that the "
            "generated project depends on; choose another name."
        )
    return None


def check_single_line(option: str, value: str) -> str | None:
    if CONTROL_RE.search(value):
        return (
            f"{option} {value!r} contains a newline or control character; "
            "keep it to one line of printable text."
        )
    return None


def check_author_email(value: str) -> str | None:
    if not EMAIL_RE.fullmatch(value):
        return (
            f"author_email {value!r} is not an e-mail address; "
            "use the form name@example.com."
        )
    return None


def check_gcp_region(value: str) -> str | None:
    if not REGION_RE.fullmatch(value):
        return (
            f"gcp_region {value!r} is not a Google Cloud region; "
            "use a name such as us-central1 or europe-west4."
        )
    return None


def check_model_name(value: str) -> str | None:
    if not value:
        return "model_name is empty; give a Gemini model name such as gemini-3.5-flash."
    if not MODEL_RE.fullmatch(value):
        return (
            f"model_name {value!r} is not a model name; use letters, digits and "
            ". _ @ / - only, without spaces or quotes."
        )
    return None


def check_python_version(value: str) -> str | None:
    if value not in SUPPORTED_PYTHON_VERSIONS:
        return (
            f"python_version {value!r} is not supported; "
            f"choose one of {', '.join(SUPPORTED_PYTHON_VERSIONS)}."
        )
    return None


CHECKS: dict[str, Callable[[str], str | None]] = {
    "project_name": check_project_name,
    "project_slug": check_project_slug,
    "package_name": check_package_name,
    "description": lambda value: check_single_line("description", value),
    "author_name": lambda value: check_single_line("author_name", value),
    "author_email": check_author_email,
    "gcp_region": check_gcp_region,
    "model_name": check_model_name,
    "python_version": check_python_version,
}


def check_combination(context: dict[str, object]) -> str | None:
    """Options that are each valid but cannot work together."""
    target, store = context.get("deployment_target"), context.get("session_store")
    if target == "agent_engine" and store == "cloud_sql":
        return (
            "deployment_target 'agent_engine' cannot reach Cloud SQL (Agent Engine "
            "has no Cloud SQL connection here); use session_store=sqlite "
            "(conversations kept per replica) or deployment_target=cloud_run."
        )
    if context.get("agent") == "rag" and (target, store) != ("cloud_run", "cloud_sql"):
        return (
            "agent 'rag' keeps its knowledge in PostgreSQL with pgvector on Cloud SQL; "
            "use deployment_target=cloud_run and session_store=cloud_sql."
        )
    return None


def check_lock_dependencies(value: object) -> str | None:
    """The private switch of the post-generation `uv lock` (tests bake without it)."""
    if value not in ("yes", "no"):
        return f"_lock_dependencies must be 'yes' or 'no'; got {value!r}."
    return None


def validate(context: dict[str, object]) -> list[str]:
    """Return one message per invalid option of `context`; empty when all are fine."""
    errors = []
    if error := check_lock_dependencies(context.get("_lock_dependencies", "yes")):
        errors.append(error)
    for option, check in CHECKS.items():
        value = context.get(option)
        if not isinstance(value, str):
            errors.append(f"{option} is missing or not text; got {value!r}.")
            continue
        error = check(value)
        if error:
            errors.append(error)
    if not errors and (error := check_combination(context)):
        errors.append(error)
    return errors


def main() -> int:
    if RENDERED_CONTEXT.startswith("{" + "{"):
        print("ERROR: this hook runs under cookiecutter only.", file=sys.stderr)
        return 2
    errors = validate(json.loads(RENDERED_CONTEXT))
    for error in errors:
        print(f"ERROR: {error}", file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
