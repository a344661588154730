"""GET /v2/user/info/: fields, per-field scopes, errors and rate limit (§3.1, §2, §3.5)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from autoposter.sandbox import RunningSandbox, ratelimit
from tests.conftest import StartSandbox
from tests.sandbox.support import bearer, connect

ALL_FIELDS = (
    "open_id,union_id,avatar_url,avatar_url_100,avatar_large_url,display_name,bio_description,"
    "profile_deep_link,profile_web_link,is_verified,username,follower_count,following_count,"
    "likes_count,video_count"
)


def _user_info(
    sandbox: RunningSandbox, token: dict[str, Any], fields: str | None
) -> httpx.Response:
    params = {} if fields is None else {"fields": fields}
    return httpx.get(f"{sandbox.url}/v2/user/info/", params=params, headers=bearer(token))


def _error(response: httpx.Response, status: int, code: str) -> str:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["data"] == {}
    assert body["error"]["code"] == code
    assert body["error"]["log_id"] == response.headers["x-tt-logid"]
    message: str = body["error"]["message"]
    return message


def test_it_returns_only_the_requested_fields_in_the_envelope(sandbox: RunningSandbox) -> None:
    token = connect(sandbox)
    response = _user_info(sandbox, token, "open_id,display_name")
    assert response.status_code == 200
    body = response.json()
    assert body["error"]["code"] == "ok"
    assert body["error"]["message"] == ""
    assert body["data"] == {"user": {"open_id": token["open_id"], "display_name": "Sunny Studio"}}


def test_it_returns_every_field_with_all_user_info_scopes(sandbox: RunningSandbox) -> None:
    token = connect(sandbox)
    user = _user_info(sandbox, token, ALL_FIELDS).json()["data"]["user"]
    assert set(user) == set(ALL_FIELDS.split(","))
    assert user["username"] == "sunny.studio"
    assert user["profile_deep_link"] == "https://www.tiktok.com/@sunny.studio"
    assert user["profile_web_link"] == "https://www.tiktok.com/@sunny.studio"
    assert user["is_verified"] is False
    assert user["video_count"] == 3
    assert isinstance(user["follower_count"], int)
    assert user["union_id"] != user["open_id"]


def test_avatar_urls_point_at_images_the_sandbox_serves(sandbox: RunningSandbox) -> None:
    token = connect(sandbox)
    user = _user_info(sandbox, token, "avatar_url,avatar_url_100,avatar_large_url").json()
    for url in user["data"]["user"].values():
        assert url.startswith(f"{sandbox.url}/sandbox/avatars/")
        image = httpx.get(url)
        assert image.status_code == 200
        assert image.headers["content-type"].startswith("image/svg+xml")
        assert ">SS</text>" in image.text


def test_a_field_whose_scope_was_not_granted_is_scope_permission_missed(
    sandbox: RunningSandbox,
) -> None:
    token = connect(sandbox, scopes=("user.info.basic", "video.publish"))
    message = _error(
        _user_info(sandbox, token, "open_id,username,follower_count"),
        400,
        "scope_permission_missed",
    )
    assert "username" in message
    assert "follower_count" in message
    assert "user.info.profile" in message
    assert "user.info.stats" in message
    assert _user_info(sandbox, token, "open_id").status_code == 200


def test_it_needs_a_user_info_scope_at_all(start_sandbox: StartSandbox) -> None:
    # Login Kit adds user.info.basic whenever the app may have it; this app may not.
    sandbox = start_sandbox(approved_scopes=("video.publish",))
    token = connect(sandbox, scopes=("video.publish",))
    assert token["scope"] == "video.publish"
    _error(_user_info(sandbox, token, "open_id"), 401, "scope_not_authorized")


def test_fields_are_required(sandbox: RunningSandbox) -> None:
    token = connect(sandbox)
    assert "fields" in _error(_user_info(sandbox, token, None), 400, "invalid_params")
    _error(_user_info(sandbox, token, " , "), 400, "invalid_params")


def test_an_unknown_field_is_invalid_params_naming_it(sandbox: RunningSandbox) -> None:
    token = connect(sandbox)
    message = _error(_user_info(sandbox, token, "open_id,email"), 400, "invalid_params")
    assert "email" in message


def test_a_missing_or_wrong_token_is_access_token_invalid(sandbox: RunningSandbox) -> None:
    nobody = {"access_token": "act.nope"}
    _error(_user_info(sandbox, nobody, "open_id"), 401, "access_token_invalid")
    bare = httpx.get(f"{sandbox.url}/v2/user/info/", params={"fields": "open_id"})
    _error(bare, 401, "access_token_invalid")


def test_too_many_calls_are_rate_limited(
    sandbox: RunningSandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(ratelimit.LIMITS, "/v2/user/info/", 3)
    token = connect(sandbox)
    for _ in range(3):
        assert _user_info(sandbox, token, "open_id").status_code == 200
    _error(_user_info(sandbox, token, "open_id"), 429, "rate_limit_exceeded")
    other = connect(sandbox, "private")
    assert _user_info(sandbox, other, "open_id").status_code == 200


def test_an_injected_server_fault_is_internal_error(sandbox: RunningSandbox) -> None:
    token = connect(sandbox)
    httpx.post(f"{sandbox.url}/sandbox/api/faults", json={"error_5xx_rate": 1})
    _error(_user_info(sandbox, token, "open_id"), 500, "internal_error")
