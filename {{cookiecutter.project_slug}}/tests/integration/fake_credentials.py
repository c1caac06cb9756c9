"""Application-default credentials that refresh against a local fake."""

import json
from pathlib import Path

import pytest


def use_fake_credentials(
    fake_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Point application-default credentials at a fake's token endpoint.

    They are real credentials (the kind Workforce Identity Federation issues):
    google-auth refreshes them over HTTP as in production, and no Google account is
    involved.
    """
    credentials = tmp_path / "adc.json"
    credentials.write_text(
        json.dumps(
            {
                "type": "external_account_authorized_user",
                "audience": "//iam.googleapis.com/locations/global/workforcePools/"
                "fake/providers/fake",
                "client_id": "fake-client",
                "client_secret": "fake-secret",  # pragma: allowlist secret
                "refresh_token": "fake-refresh-token",
                "token_url": f"{fake_url}/token",
            }
        )
    )
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(credentials))
