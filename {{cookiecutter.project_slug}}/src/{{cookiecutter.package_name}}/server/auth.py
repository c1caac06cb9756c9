"""Who is asking: every request is authenticated to one identity, the owner of the
threads it creates and the only one whose threads it can see (runtime/threads.py).

AUTH_MODE picks how: `none` (the local default) gives every request the same
anonymous identity, so everyone shares every thread; `test` takes the identity
from the `x-test-user` header, for tests only: anyone could claim any identity, so
it is refused on Cloud Run (K_SERVICE set).
"""

import os
from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, FastAPI, Request

from ..runtime.errors import RequestError
from ..runtime.threads import ANONYMOUS
from ..settings import Settings

TEST_USER_HEADER = "x-test-user"

# Request -> identity; raises UnauthenticatedError.
Authenticator = Callable[[Request], str]


class UnauthenticatedError(RequestError):
    """The request does not say who is asking, or not in a way this server trusts."""

    code = "unauthenticated"


class AuthConfigurationError(Exception):
    """AUTH_MODE cannot be used where the server runs."""


def _anonymous(_: Request) -> str:
    return ANONYMOUS


def _test_user(request: Request) -> str:
    user = request.headers.get(TEST_USER_HEADER, "").strip()
    if not user:
        raise UnauthenticatedError(
            f"AUTH_MODE=test: send the {TEST_USER_HEADER} header"
        )
    return user


def authenticator(settings: Settings) -> Authenticator:
    """The settings' way of telling who is asking; refuses `test` on Cloud Run."""
    if settings.auth_mode == "test":
        # Cloud Run sets K_SERVICE in every service: a header anyone can send must
        # never decide whose threads they read there.
        if os.environ.get("K_SERVICE"):
            raise AuthConfigurationError(
                "AUTH_MODE=test trusts a header anyone can send; it is refused on "
                "Cloud Run (K_SERVICE is set)"
            )
        return _test_user
    return _anonymous


def install_authentication(app: FastAPI, settings: Settings) -> None:
    """Make the settings' authenticator the one `Owner` calls."""
    app.state.authenticate = authenticator(settings)


async def current_owner(request: Request) -> str:
    authenticate: Authenticator = request.app.state.authenticate
    return authenticate(request)


# The identity of the request: routes pass it to every thread and run lookup.
Owner = Annotated[str, Depends(current_owner)]
