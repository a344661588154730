"""Revoking an authorization at /v2/oauth/revoke/ (§1.7, §7.2)."""

from __future__ import annotations

import json

import httpx

from autoposter.sandbox import RunningSandbox
from tests.sandbox.support import bearer, connect, refresh, webhook_events

REVOKE_PATH = "/v2/oauth/revoke/"


def _revoke(sandbox: RunningSandbox, token: str, secret: str | None = None) -> httpx.Response:
    config = sandbox.world.config
    form = {
        "client_key": config.client_key,
        "client_secret": secret if secret is not None else config.client_secret,
        "token": token,
    }
    return httpx.post(f"{sandbox.url}{REVOKE_PATH}", data=form)


def test_revoking_stops_both_tokens_working(sandbox: RunningSandbox) -> None:
    token = connect(sandbox)
    response = _revoke(sandbox, token["access_token"])
    assert response.status_code == 200
    assert response.json() == {}
    info = httpx.get(f"{sandbox.url}/v2/user/info/?fields=open_id", headers=bearer(token))
    assert info.status_code == 401
    assert info.json()["error"]["code"] == "access_token_invalid"
    assert refresh(sandbox, token["refresh_token"]).json()["error"] == "invalid_grant"


def test_revoking_records_an_authorization_removed_webhook(sandbox: RunningSandbox) -> None:
    token = connect(sandbox, "private")
    _revoke(sandbox, token["access_token"])
    events = [e for e in webhook_events(sandbox) if e["event"] == "authorization.removed"]
    assert len(events) == 1
    body = json.loads(events[0]["body"])
    assert body["user_openid"] == token["open_id"]
    assert body["client_key"] == sandbox.world.config.client_key
    assert json.loads(body["content"]) == {"reason": 5}


def test_revoking_an_unknown_or_revoked_token_is_not_an_error(sandbox: RunningSandbox) -> None:
    token = connect(sandbox)
    assert _revoke(sandbox, token["access_token"]).status_code == 200
    again = _revoke(sandbox, token["access_token"])
    assert again.status_code == 200
    assert again.json() == {}
    assert _revoke(sandbox, "act.never-issued").status_code == 200
    assert len(webhook_events(sandbox)) == 1


def test_revoking_with_a_wrong_secret_is_invalid_client(sandbox: RunningSandbox) -> None:
    token = connect(sandbox)
    response = _revoke(sandbox, token["access_token"], secret="wrong")
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"
    info = httpx.get(f"{sandbox.url}/v2/user/info/?fields=open_id", headers=bearer(token))
    assert info.status_code == 200


def test_revoking_without_a_token_is_invalid_request(sandbox: RunningSandbox) -> None:
    response = _revoke(sandbox, "")
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"


def test_revoking_one_creator_leaves_the_others_connected(sandbox: RunningSandbox) -> None:
    public = connect(sandbox, "public")
    private = connect(sandbox, "private")
    _revoke(sandbox, public["access_token"])
    info = httpx.get(f"{sandbox.url}/v2/user/info/?fields=open_id", headers=bearer(private))
    assert info.json()["data"]["user"]["open_id"] == private["open_id"]
