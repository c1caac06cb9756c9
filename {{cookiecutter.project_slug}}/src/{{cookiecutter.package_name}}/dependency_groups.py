"""Tools beyond the served app (the eval harness, the drift check) take their
dependencies from a uv dependency group of their own, never in the container image.
A module that needs one says so when imported, naming the group to install."""

from importlib.util import find_spec


def require_group(group: str, *modules: str) -> None:
    """Fail with the group to install if any of these modules is missing."""
    missing = [module for module in modules if not _installed(module)]
    if missing:
        raise ModuleNotFoundError(
            f"{', '.join(missing)} not installed: they come with the `{group}` "
            f"dependency group (uv sync --group {group}; make install installs "
            "every group)"
        )


def _installed(module: str) -> bool:
    try:
        return find_spec(module) is not None
    except ModuleNotFoundError:  # a parent package is missing
        return False
