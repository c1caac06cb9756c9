"""Google identities, verified with google-auth: the ID token Cloud Run's IAM check
already required (`Authorization: Bearer <token>`), or the signed header IAP adds
when it fronts the service (`x-goog-iap-jwt-assertion`).

Nothing is trusted unverified: the signature against Google's published keys, the
expiry, the issuer and the audience (one of the setting's, comma-separated: a
token minted for another service is refused). The keys are fetched over a small
cached transport, so a request does not wait for Google's endpoint each time.
"""

import asyncio
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Mapping
from typing import Any

from google.auth import exceptions, transport
from google.oauth2 import id_token

# Google's keys for its ID tokens, and IAP's for its header.
ID_TOKEN_CERTS_URL = "https://www.googleapis.com/oauth2/v1/certs"  # noqa: S105
IAP_CERTS_URL = "https://www.gstatic.com/iap/verify/public_key"
IAP_HEADER = "x-goog-iap-jwt-assertion"
ID_TOKEN_ISSUERS = frozenset({"accounts.google.com", "https://accounts.google.com"})
IAP_ISSUERS = frozenset({"https://cloud.google.com/iap"})
# Google rotates its keys days before using new ones: an hour-old copy is current.
CERTS_TTL_SECONDS = 3600.0
FETCH_TIMEOUT_SECONDS = 10.0
# Clocks drift; Google's own libraries allow this much.
CLOCK_SKEW_SECONDS = 10


class InvalidIdentityError(Exception):
    """The token is missing, malformed, expired, for another audience, or unsigned
    by Google."""


class IdentityUnavailableError(Exception):
    """Google's keys could not be fetched: nothing can be verified for now."""


class _Response(transport.Response):
    def __init__(self, status: int, headers: Mapping[str, str], data: bytes) -> None:
        self._status, self._headers, self._data = status, headers, data

    @property
    def status(self) -> int:
        return self._status

    @property
    def headers(self) -> Mapping[str, str]:
        return self._headers

    @property
    def data(self) -> bytes:
        return self._data


class CachedKeysTransport(transport.Request):
    """google-auth's HTTP interface over urllib, keeping each successful GET for
    CERTS_TTL_SECONDS (only key sets are fetched through it)."""

    def __init__(self) -> None:
        self._cache: dict[str, tuple[float, _Response]] = {}
        self._lock = threading.Lock()

    def __call__(
        self,
        url: str,
        method: str = "GET",
        body: bytes | None = None,
        headers: Mapping[str, str] | None = None,
        timeout: float | None = None,
        **_: Any,
    ) -> _Response:
        with self._lock:
            cached = self._cache.get(url)
        if cached and time.monotonic() - cached[0] < CERTS_TTL_SECONDS:
            return cached[1]
        # The URLs are the verifier's own (https constants), never a client's.
        request = urllib.request.Request(url, data=body, method=method)  # noqa: S310
        try:
            with urllib.request.urlopen(  # noqa: S310
                request, timeout=timeout or FETCH_TIMEOUT_SECONDS
            ) as answer:
                response = _Response(answer.status, dict(answer.headers), answer.read())
        except urllib.error.HTTPError as error:
            return _Response(error.code, dict(error.headers), b"")
        except OSError as error:
            failed = f"cannot fetch {url}: {error}"
            raise exceptions.TransportError(failed) from error  # type: ignore[no-untyped-call]
        if response.status == 200:
            with self._lock:
                self._cache[url] = (time.monotonic(), response)
        return response


class GoogleVerifier:
    """Verify a Google ID token or an IAP assertion for this service's audience."""

    def __init__(
        self,
        *,
        audience: str | None,
        iap_audience: str | None,
        id_token_certs_url: str = ID_TOKEN_CERTS_URL,
        iap_certs_url: str = IAP_CERTS_URL,
    ) -> None:
        # Several names may reach one service (its two run.app URLs, a domain).
        self.audiences = [name.strip() for name in (audience or "").split(",")]
        self.audiences = [name for name in self.audiences if name]
        self.iap_audience = iap_audience
        self.id_token_certs_url = id_token_certs_url
        self.iap_certs_url = iap_certs_url
        self._transport = CachedKeysTransport()

    async def identity(self, authorization: str | None, iap: str | None) -> str:
        """The caller's email (or subject): from IAP's header when IAP is set up,
        else from the bearer ID token."""
        if self.iap_audience and iap:
            claims = await self._verify(
                iap, self.iap_audience, self.iap_certs_url, IAP_ISSUERS
            )
        elif self.audiences and authorization:
            scheme, _, token = authorization.partition(" ")
            if scheme.lower() != "bearer" or not token.strip():
                raise InvalidIdentityError("Authorization is not a bearer token")
            claims = await self._verify(
                token.strip(), self.audiences, self.id_token_certs_url, ID_TOKEN_ISSUERS
            )
        else:
            raise InvalidIdentityError("send a Google ID token as a bearer token")
        identity = claims.get("email") or claims.get("sub")
        if not isinstance(identity, str) or not identity:
            raise InvalidIdentityError("the token names no email or subject")
        return identity

    async def _verify(
        self,
        token: str,
        audience: str | list[str],
        certs_url: str,
        issuers: frozenset[str],
    ) -> Mapping[str, Any]:
        # In a thread: the keys may have to be fetched (a blocking call).
        try:
            claims = await asyncio.to_thread(
                id_token.verify_token,
                token,
                self._transport,
                audience=audience,
                certs_url=certs_url,
                clock_skew_in_seconds=CLOCK_SKEW_SECONDS,
            )
        except exceptions.TransportError as error:
            raise IdentityUnavailableError(str(error)) from error
        except (ValueError, exceptions.GoogleAuthError) as error:
            # The reason (expired, audience, signature) is for the log only.
            raise InvalidIdentityError(str(error)) from error
        if claims.get("iss") not in issuers:
            raise InvalidIdentityError(f"the token's issuer is not {sorted(issuers)}")
        return claims
