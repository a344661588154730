"""Refreshing and expiring tokens: rotation, grace, lifetimes (§1.5, §1.6)."""

from __future__ import annotations

import httpx

from autoposter.sandbox import RunningSandbox
from tests.conftest import StartSandbox
from tests.sandbox.support import advance_clock, bearer, connect, refresh


def _user_info(sandbox: RunningSandbox, token: dict[str, object]) -> httpx.Response:
    return httpx.get(f"{sandbox.url}/v2/user/info/?fields=open_id", headers=bearer(token))


def test_a_refresh_rotates_both_tokens(sandbox: RunningSandbox) -> None:
    first = connect(sandbox)
    response = refresh(sandbox, first["refresh_token"])
    assert response.status_code == 200
    second = response.json()
    assert second["refresh_token"] != first["refresh_token"]
    assert second["access_token"] != first["access_token"]
    assert second["open_id"] == first["open_id"]
    assert second["scope"] == first["scope"]
    assert second["token_type"] == "Bearer"
    assert _user_info(sandbox, second).status_code == 200
    assert _user_info(sandbox, first).json()["error"]["code"] == "access_token_invalid"


def test_the_old_refresh_token_is_refused_after_rotation(sandbox: RunningSandbox) -> None:
    first = connect(sandbox)
    assert refresh(sandbox, first["refresh_token"]).status_code == 200
    again = refresh(sandbox, first["refresh_token"])
    assert again.status_code == 400
    assert again.json()["error"] == "invalid_grant"


def test_the_old_refresh_token_works_within_a_configured_grace(
    start_sandbox: StartSandbox,
) -> None:
    sandbox = start_sandbox(refresh_grace_seconds=30.0)
    first = connect(sandbox)
    assert refresh(sandbox, first["refresh_token"]).status_code == 200
    within = refresh(sandbox, first["refresh_token"])
    assert within.status_code == 200, within.text
    advance_clock(sandbox, 31)
    after = refresh(sandbox, first["refresh_token"])
    assert after.status_code == 400
    assert after.json()["error"] == "invalid_grant"
    assert refresh(sandbox, within.json()["refresh_token"]).status_code == 200


def test_an_unknown_refresh_token_is_invalid_grant(sandbox: RunningSandbox) -> None:
    response = refresh(sandbox, "rft.not-a-real-token")
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"


def test_a_missing_refresh_token_is_invalid_request(sandbox: RunningSandbox) -> None:
    response = refresh(sandbox, "")
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"


def test_an_expired_access_token_is_access_token_invalid(sandbox: RunningSandbox) -> None:
    token = connect(sandbox)
    advance_clock(sandbox, token["expires_in"] + 1)
    response = _user_info(sandbox, token)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "access_token_invalid"
    refreshed = refresh(sandbox, token["refresh_token"])
    assert refreshed.status_code == 200
    assert _user_info(sandbox, refreshed.json()).status_code == 200


def test_the_short_lifetimes_of_the_2026_docs_can_be_chosen(start_sandbox: StartSandbox) -> None:
    sandbox = start_sandbox(access_token_ttl=7200, refresh_token_ttl=15_552_000)
    token = connect(sandbox)
    assert token["expires_in"] == 7200
    assert 15_551_000 < token["refresh_expires_in"] <= 15_552_000
    advance_clock(sandbox, 7201)
    assert _user_info(sandbox, token).status_code == 401


def test_a_refresh_keeps_the_original_refresh_expiry(start_sandbox: StartSandbox) -> None:
    sandbox = start_sandbox(access_token_ttl=7200, refresh_token_ttl=15_552_000)
    token = connect(sandbox)
    advance_clock(sandbox, 86_400)
    refreshed = refresh(sandbox, token["refresh_token"]).json()
    assert refreshed["refresh_expires_in"] <= 15_552_000 - 86_400


def test_an_expired_refresh_token_is_invalid_grant(start_sandbox: StartSandbox) -> None:
    sandbox = start_sandbox(access_token_ttl=7200, refresh_token_ttl=15_552_000)
    token = connect(sandbox)
    advance_clock(sandbox, 15_552_001)
    response = refresh(sandbox, token["refresh_token"])
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"
    assert "expired" in response.json()["error_description"]
