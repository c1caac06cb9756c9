"""AUTH_MODE=google against keys of the test's own: google-auth's verification runs
as in the cloud, on Google's keys served by a local server instead of Google's."""

import threading
import time
from collections.abc import Iterator
from http.server import ThreadingHTTPServer
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from fastapi.testclient import TestClient
from google.auth import crypt, jwt

from {{ cookiecutter.package_name }}.server.app import create_app
from {{ cookiecutter.package_name }}.server.auth import google_authenticator
from {{ cookiecutter.package_name }}.server.google_identity import (
    IAP_HEADER,
    GoogleVerifier,
)
from {{ cookiecutter.package_name }}.settings import Settings

from ..fakes.scripted_model import ScriptedChatModel
from ..fakes.tools import TEST_TOOLS
from .fake_http import JsonHandler
from .ports import free_port

AUDIENCE = "https://my-agent-test.a.run.app"
IAP_AUDIENCE = "/projects/123/global/backendServices/456"


def _pem(private: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey) -> tuple[str, str]:
    private_pem = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    public_pem = (
        private.public_key()
        .public_bytes(
            serialization.Encoding.PEM,
            serialization.PublicFormat.SubjectPublicKeyInfo,
        )
        .decode()
    )
    return private_pem, public_pem


RSA_PRIVATE, RSA_PUBLIC = _pem(rsa.generate_private_key(65537, 2048))
EC_PRIVATE, EC_PUBLIC = _pem(ec.generate_private_key(ec.SECP256R1()))
# Signs like Google, but is not one of the published keys.
OTHER_PRIVATE, _ = _pem(rsa.generate_private_key(65537, 2048))


class KeysHandler(JsonHandler):
    """Google's key endpoints: ID tokens' RSA keys and IAP's EC keys."""

    def do_GET(self) -> None:
        keys = {"/certs": {"rsa-1": RSA_PUBLIC}, "/iap": {"ec-1": EC_PUBLIC}}
        if self.path in keys:
            self.send_json(200, keys[self.path])
        else:
            self.send_json(404, {})


@pytest.fixture(scope="module")
def keys_url() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), KeysHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def token(
    *,
    email: str = "alice@example.com",
    audience: str = AUDIENCE,
    issuer: str = "https://accounts.google.com",
    expires_in: int = 600,
    key: str = RSA_PRIVATE,
    key_id: str = "rsa-1",
) -> str:
    now = int(time.time())
    claims = {
        "iss": issuer,
        "aud": audience,
        "sub": "1234567890",
        "email": email,
        "iat": now - 60,
        "exp": now + expires_in,
    }
    signer: Any
    if key == EC_PRIVATE:
        signer = crypt.ES256Signer.from_string(key, key_id)
    else:
        signer = crypt.RSASigner.from_string(key, key_id)
    encoded: bytes = jwt.encode(signer, claims)
    return encoded.decode()


def bearer(value: str) -> dict[str, str]:
    return {"authorization": f"Bearer {value}"}


def google_client(settings: Settings, verifier: GoogleVerifier) -> TestClient:
    """The app authenticating with `verifier` (AUTH_MODE=google, local keys)."""
    authenticate = google_authenticator(verifier)
    return TestClient(
        create_app(
            settings,
            model=ScriptedChatModel(),
            tools=TEST_TOOLS,
            authenticate=authenticate,
        )
    )


@pytest.fixture
def google(settings: Settings, keys_url: str) -> Iterator[TestClient]:
    verifier = GoogleVerifier(
        audience=AUDIENCE,
        iap_audience=IAP_AUDIENCE,
        id_token_certs_url=f"{keys_url}/certs",
        iap_certs_url=f"{keys_url}/iap",
    )
    with google_client(settings, verifier) as client:
        yield client


def test_a_valid_id_token_is_the_callers_identity(google: TestClient) -> None:
    alice, bob = bearer(token()), bearer(token(email="bob@example.com"))
    created = google.post("/threads", json={}, headers=alice)
    assert created.status_code == 200, created.text
    thread_id = created.json()["thread_id"]

    assert google.get(f"/threads/{thread_id}", headers=alice).status_code == 200
    theirs = google.get(f"/threads/{thread_id}", headers=bob)
    assert theirs.status_code == 404
    assert theirs.json()["error"]["code"] == "thread_not_found"


def test_a_token_for_any_of_the_services_names_is_accepted(
    settings: Settings, keys_url: str
) -> None:
    # The deterministic URL Terraform sets, and the hash URL a client may call.
    legacy = "https://my-agent-abc123-ew.a.run.app"
    verifier = GoogleVerifier(
        audience=f"{AUDIENCE}, {legacy}",
        iap_audience=None,
        id_token_certs_url=f"{keys_url}/certs",
    )
    with google_client(settings, verifier) as client:
        created = [
            client.post("/threads", json={}, headers=bearer(token(audience=name)))
            for name in (AUDIENCE, legacy, "https://another-service.a.run.app")
        ]

    assert [response.status_code for response in created] == [200, 200, 401]


def test_iaps_signed_header_is_the_callers_identity(google: TestClient) -> None:
    iap = token(
        audience=IAP_AUDIENCE,
        issuer="https://cloud.google.com/iap",
        key=EC_PRIVATE,
        key_id="ec-1",
    )
    created = google.post("/threads", json={}, headers={IAP_HEADER: iap})
    assert created.status_code == 200, created.text
    thread_id = created.json()["thread_id"]
    # The same person, by ID token: IAP's email is the identity.
    assert google.get(f"/threads/{thread_id}", headers=bearer(token())).is_success


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"authorization": "Basic YWxpY2U6c2VjcmV0"},
        bearer("not-a-token"),
        bearer(token(expires_in=-3600)),
        bearer(token(audience="https://another-service.a.run.app")),
        bearer(token(issuer="https://evil.example.com")),
        bearer(token(key=OTHER_PRIVATE)),
        bearer(token(key_id="unknown")),
        # An ID token is not an IAP assertion, nor an IAP one an ID token.
        {IAP_HEADER: token()},
        bearer(token(audience=IAP_AUDIENCE, issuer="https://cloud.google.com/iap")),
    ],
    ids=[
        "missing",
        "not-bearer",
        "malformed",
        "expired",
        "wrong-audience",
        "wrong-issuer",
        "unknown-signer",
        "unknown-key-id",
        "id-token-as-iap",
        "iap-as-id-token",
    ],
)
def test_a_bad_token_is_a_401(google: TestClient, headers: dict[str, str]) -> None:
    for response in (
        google.post("/threads/search", json={}, headers=headers),
        google.post("/invoke", json={"message": "Hi"}, headers=headers),
    ):
        assert response.status_code == 401, response.text
        error = response.json()["error"]
        assert error["code"] == "unauthenticated"
        assert "Google ID token" in error["message"]


def test_unreachable_keys_are_a_503(settings: Settings) -> None:
    verifier = GoogleVerifier(
        audience=AUDIENCE,
        iap_audience=None,
        id_token_certs_url=f"http://127.0.0.1:{free_port()}/certs",
    )
    with google_client(settings, verifier) as client:
        response = client.post("/threads", json={}, headers=bearer(token()))
    assert response.status_code == 503, response.text
    assert response.json()["error"]["code"] == "auth_unavailable"


def test_google_mode_needs_an_audience(settings: Settings) -> None:
    settings = settings.model_copy(update={"auth_mode": "google"})
    with pytest.raises(SystemExit, match="AUTH_AUDIENCE"):
        create_app(settings, model=ScriptedChatModel(), tools=TEST_TOOLS)
