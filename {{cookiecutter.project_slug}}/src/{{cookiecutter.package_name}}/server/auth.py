"""Who is asking: every request is authenticated to one identity, the owner of the
threads it creates and the only one whose threads it can see (runtime/threads.py).

AUTH_MODE picks how: `none` (the local default) gives every request the same
anonymous identity, so everyone shares every thread; `google` takes the verified
Google identity (google_identity.py): the ID token Cloud Run's IAM check already
asked for, or IAP's signed header; `test` takes it from the `x-test-user` header,
for tests only: anyone could claim any identity, so it is refused on Cloud Run
(K_SERVICE set).
"""

import logging
import os
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Annotated

from fastapi import Depends, FastAPI, Request
from fastapi.responses import JSONResponse

from ..runtime.errors import RequestError
from ..runtime.threads import ANONYMOUS
from ..settings import Settings
from .errors import error_response

if TYPE_CHECKING:
    # google-auth loads only with AUTH_MODE=google (tests/unit/test_models.py).
    from .google_identity import GoogleVerifier

logger = logging.getLogger(__name__)
TEST_USER_HEADER = "x-test-user"

# Request -> identity; raises UnauthenticatedError.
Authenticator = Callable[[Request], Awaitable[str]]


class UnauthenticatedError(RequestError):
    """The request does not say who is asking, or not in a way this server trusts."""

    code = "unauthenticated"


class AuthUnavailableError(Exception):
    """The identity cannot be checked for now (Google's keys are unreachable): the
    server's trouble, not the client's, so not a RequestError (those are 4xx)."""

    code = "auth_unavailable"


class AuthConfigurationError(Exception):
    """AUTH_MODE cannot be used as configured, or where the server runs."""


async def _anonymous(_: Request) -> str:
    return ANONYMOUS


async def _test_user(request: Request) -> str:
    user = request.headers.get(TEST_USER_HEADER, "").strip()
    if not user:
        raise UnauthenticatedError(
            f"AUTH_MODE=test: send the {TEST_USER_HEADER} header"
        )
    return user


def google_authenticator(verifier: "GoogleVerifier") -> Authenticator:
    """Requests authenticated by their verified Google identity."""
    from .google_identity import (
        IAP_HEADER,
        IdentityUnavailableError,
        InvalidIdentityError,
    )

    async def authenticate(request: Request) -> str:
        headers = request.headers
        try:
            return await verifier.identity(
                headers.get("authorization"), headers.get(IAP_HEADER)
            )
        except InvalidIdentityError as invalid:
            # Why it failed is for the log: the client learns only that it did.
            logger.info("refused an identity: %s", invalid)
            raise UnauthenticatedError(
                "a valid Google ID token is required (Authorization: Bearer)"
            ) from None
        except IdentityUnavailableError as unavailable:
            logger.warning("cannot verify identities: %s", unavailable)
            raise AuthUnavailableError(
                "identities cannot be verified right now; retry shortly"
            ) from None

    return authenticate


def authenticator(settings: Settings) -> Authenticator:
    """The settings' way of telling who is asking; refuses `test` on Cloud Run and
    `google` without an audience."""
    if settings.auth_mode == "test":
        # Cloud Run sets K_SERVICE in every service: a header anyone can send must
        # never decide whose threads they read there.
        if os.environ.get("K_SERVICE"):
            raise AuthConfigurationError(
                "AUTH_MODE=test trusts a header anyone can send; it is refused on "
                "Cloud Run (K_SERVICE is set)"
            )
        return _test_user
    if settings.auth_mode == "google":
        if not (settings.auth_audience or settings.auth_iap_audience):
            raise AuthConfigurationError(
                "AUTH_MODE=google needs AUTH_AUDIENCE (the service's URL) or "
                "AUTH_IAP_AUDIENCE (IAP's audience): a token is checked against it"
            )
        from .google_identity import GoogleVerifier

        return google_authenticator(
            GoogleVerifier(
                audience=settings.auth_audience,
                iap_audience=settings.auth_iap_audience,
            )
        )
    return _anonymous


def install_authentication(
    app: FastAPI, settings: Settings, authenticate: Authenticator | None = None
) -> None:
    """Make `authenticate` (by default the settings') the one `Owner` calls."""
    app.state.authenticate = authenticate or authenticator(settings)

    async def unavailable(_: Request, error: Exception) -> JSONResponse:
        return error_response(AuthUnavailableError.code, str(error))

    app.add_exception_handler(AuthUnavailableError, unavailable)


async def current_owner(request: Request) -> str:
    authenticate: Authenticator = request.app.state.authenticate
    return await authenticate(request)


# The identity of the request: routes pass it to every thread and run lookup.
Owner = Annotated[str, Depends(current_owner)]
