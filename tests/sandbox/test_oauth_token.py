"""Exchanging codes at /v2/oauth/token/: checks, PKCE, client tokens, error shape (§1.3–§1.9)."""

from __future__ import annotations

import base64
import hashlib

import httpx

from autoposter.sandbox import RunningSandbox
from tests.conftest import StartSandbox
from tests.sandbox.support import (
    TOKEN_PATH,
    advance_clock,
    authorization_code,
    bearer,
    pkce_pair,
    token_request,
)


def _exchange(
    sandbox: RunningSandbox, code: str, redirect_uri: str, **extra: str
) -> httpx.Response:
    return token_request(
        sandbox, grant_type="authorization_code", code=code, redirect_uri=redirect_uri, **extra
    )


def _assert_oauth_error(response: httpx.Response, status: int, error: str) -> dict[str, str]:
    assert response.status_code == status, response.text
    body: dict[str, str] = response.json()
    assert body["error"] == error
    assert body["error_description"]
    assert len(body["log_id"]) == 34
    assert "access_token" not in body
    return body


def test_a_code_is_exchanged_for_a_flat_token_response(sandbox: RunningSandbox) -> None:
    code, params = authorization_code(sandbox, "private", ("user.info.basic", "video.upload"))
    response = _exchange(sandbox, code, params["redirect_uri"])
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {
        "access_token", "expires_in", "open_id", "refresh_expires_in", "refresh_token", "scope",
        "token_type",
    }  # fmt: skip
    assert body["access_token"].startswith("act.")
    assert body["refresh_token"].startswith("rft.")
    assert body["expires_in"] == 86_400
    assert 31_535_000 < body["refresh_expires_in"] <= 31_536_000
    assert body["scope"] == "user.info.basic,video.upload"
    assert body["token_type"] == "Bearer"
    creator = sandbox.world.creator_by_key("private")
    assert creator is not None
    assert body["open_id"] == creator.open_id
    info = httpx.get(f"{sandbox.url}/v2/user/info/?fields=display_name", headers=bearer(body))
    assert info.json()["data"]["user"]["display_name"] == "Quiet Notes"


def test_a_code_works_only_once_and_a_replay_revokes_its_tokens(sandbox: RunningSandbox) -> None:
    code, params = authorization_code(sandbox)
    first = _exchange(sandbox, code, params["redirect_uri"]).json()
    _assert_oauth_error(_exchange(sandbox, code, params["redirect_uri"]), 400, "invalid_grant")
    # RFC 6749 §4.1.2: the tokens the code produced stop working too.
    info = httpx.get(f"{sandbox.url}/v2/user/info/?fields=open_id", headers=bearer(first))
    assert info.status_code == 401
    assert info.json()["error"]["code"] == "access_token_invalid"
    refreshed = token_request(
        sandbox, grant_type="refresh_token", refresh_token=first["refresh_token"]
    )
    _assert_oauth_error(refreshed, 400, "invalid_grant")


def test_a_code_expires_after_its_lifetime(start_sandbox: StartSandbox) -> None:
    sandbox = start_sandbox(auth_code_ttl=600.0)
    code, params = authorization_code(sandbox)
    advance_clock(sandbox, 601)
    body = _assert_oauth_error(
        _exchange(sandbox, code, params["redirect_uri"]), 400, "invalid_grant"
    )
    assert "expired" in body["error_description"]


def test_an_unknown_or_still_encoded_code_is_reported_as_expired(sandbox: RunningSandbox) -> None:
    code, params = authorization_code(sandbox)
    encoded = code.replace("*", "%2A").replace("!", "%21")
    body = _assert_oauth_error(
        _exchange(sandbox, encoded, params["redirect_uri"]), 400, "invalid_grant"
    )
    assert "URL-decoded" in body["error_description"]
    assert _exchange(sandbox, code, params["redirect_uri"]).status_code == 200


def test_the_redirect_uri_must_be_the_one_used_to_get_the_code(
    start_sandbox: StartSandbox,
) -> None:
    uris = ["http://127.0.0.1:8000/accounts/callback", "http://127.0.0.1:8000/other"]
    sandbox = start_sandbox(redirect_uris=uris)
    code, _ = authorization_code(sandbox, redirect_uri=uris[0])
    body = _assert_oauth_error(_exchange(sandbox, code, uris[1]), 400, "invalid_request")
    assert body["error_description"] == (
        "Redirect_uri is not matched with the uri when requesting code."
    )


def test_missing_parameters_are_invalid_request(sandbox: RunningSandbox) -> None:
    code, params = authorization_code(sandbox)
    no_secret = httpx.post(
        f"{sandbox.url}{TOKEN_PATH}",
        data={"client_key": sandbox.world.config.client_key, "grant_type": "client_credentials"},
    )
    body = _assert_oauth_error(no_secret, 400, "invalid_request")
    assert body["error_description"] == "Client secret is missed in request."
    _assert_oauth_error(
        token_request(sandbox, grant_type="authorization_code", code=code), 400, "invalid_request"
    )
    _assert_oauth_error(
        token_request(sandbox, code=code, redirect_uri=params["redirect_uri"]),
        400,
        "invalid_request",
    )


def test_a_wrong_secret_or_unknown_client_is_invalid_client(sandbox: RunningSandbox) -> None:
    code, params = authorization_code(sandbox)
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": params["redirect_uri"],
    }
    wrong_secret = {**form, "client_key": sandbox.world.config.client_key, "client_secret": "x"}
    unknown_key = {**form, "client_key": "other", "client_secret": "x"}
    for data in (wrong_secret, unknown_key):
        response = httpx.post(f"{sandbox.url}{TOKEN_PATH}", data=data)
        _assert_oauth_error(response, 401, "invalid_client")
        assert sandbox.world.config.client_secret not in response.text


def test_a_json_body_is_refused_as_invalid_request(sandbox: RunningSandbox) -> None:
    response = httpx.post(
        f"{sandbox.url}{TOKEN_PATH}",
        json={
            "client_key": sandbox.world.config.client_key,
            "client_secret": sandbox.world.config.client_secret,
            "grant_type": "client_credentials",
        },
    )
    body = _assert_oauth_error(response, 400, "invalid_request")
    assert "x-www-form-urlencoded" in body["error_description"]


def test_an_unknown_grant_type_is_unsupported(sandbox: RunningSandbox) -> None:
    _assert_oauth_error(
        token_request(sandbox, grant_type="password"), 400, "unsupported_grant_type"
    )


def test_a_hex_pkce_challenge_is_verified(sandbox: RunningSandbox) -> None:
    verifier, challenge = pkce_pair()
    code, params = authorization_code(
        sandbox, code_challenge=challenge, code_challenge_method="S256"
    )
    other_verifier, _ = pkce_pair()
    wrong = _exchange(sandbox, code, params["redirect_uri"], code_verifier=other_verifier)
    _assert_oauth_error(wrong, 400, "invalid_grant")
    missing = _exchange(sandbox, code, params["redirect_uri"])
    _assert_oauth_error(missing, 400, "invalid_grant")
    right = _exchange(sandbox, code, params["redirect_uri"], code_verifier=verifier)
    assert right.status_code == 200
    assert right.json()["access_token"].startswith("act.")


def _base64url_challenge(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode()).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def test_an_rfc7636_base64url_challenge_is_refused_by_default(sandbox: RunningSandbox) -> None:
    verifier, _ = pkce_pair()
    code, params = authorization_code(
        sandbox, code_challenge=_base64url_challenge(verifier), code_challenge_method="S256"
    )
    response = _exchange(sandbox, code, params["redirect_uri"], code_verifier=verifier)
    body = _assert_oauth_error(response, 400, "invalid_grant")
    assert "hex" in body["error_description"]


def test_a_base64url_challenge_is_accepted_when_configured(start_sandbox: StartSandbox) -> None:
    sandbox = start_sandbox(accept_base64url_pkce=True)
    verifier, hex_challenge = pkce_pair()
    for challenge in (_base64url_challenge(verifier), hex_challenge):
        code, params = authorization_code(
            sandbox, code_challenge=challenge, code_challenge_method="S256"
        )
        response = _exchange(sandbox, code, params["redirect_uri"], code_verifier=verifier)
        assert response.status_code == 200, response.text


def test_a_verifier_without_a_challenge_is_ignored(sandbox: RunningSandbox) -> None:
    code, params = authorization_code(sandbox)
    response = _exchange(sandbox, code, params["redirect_uri"], code_verifier="the-state-value")
    assert response.status_code == 200


def test_client_credentials_give_a_two_hour_client_token(sandbox: RunningSandbox) -> None:
    response = token_request(sandbox, grant_type="client_credentials")
    assert response.status_code == 200
    body = response.json()
    assert body["access_token"].startswith("clt.")
    assert body["expires_in"] == 7200
    assert body["token_type"] == "Bearer"
    assert "refresh_token" not in body
    # A client token is not a user token: the Display API refuses it.
    info = httpx.get(f"{sandbox.url}/v2/user/info/?fields=open_id", headers=bearer(body))
    assert info.status_code == 401


def test_errors_can_be_answered_on_http_200(start_sandbox: StartSandbox) -> None:
    sandbox = start_sandbox(oauth_errors_on_200=True)
    _assert_oauth_error(
        token_request(sandbox, grant_type="password"), 200, "unsupported_grant_type"
    )
    response = httpx.post(
        f"{sandbox.url}{TOKEN_PATH}",
        data={"client_key": "x", "client_secret": "y", "grant_type": "client_credentials"},
    )
    _assert_oauth_error(response, 200, "invalid_client")


def test_an_app_without_client_token_access_is_unauthorized_client(
    start_sandbox: StartSandbox,
) -> None:
    sandbox = start_sandbox(client_credentials_allowed=False)
    body = _assert_oauth_error(
        token_request(sandbox, grant_type="client_credentials"), 400, "unauthorized_client"
    )
    assert "client_credentials" in body["error_description"]


def test_an_injected_server_fault_is_server_error(sandbox: RunningSandbox) -> None:
    httpx.post(f"{sandbox.url}/sandbox/api/faults", json={"error_5xx_rate": 1})
    _assert_oauth_error(
        token_request(sandbox, grant_type="client_credentials"), 500, "server_error"
    )
