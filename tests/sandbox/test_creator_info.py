"""creator_info/query (§4.1): what the posting page must show, and the 200-status refusals."""

from __future__ import annotations

import httpx
import pytest

from autoposter.sandbox import RunningSandbox
from tests.sandbox.posting_support import CREATOR_INFO, call, error_of
from tests.sandbox.support import bearer, connect


def test_it_describes_a_public_creator(sandbox: RunningSandbox) -> None:
    response = call(sandbox, CREATOR_INFO, connect(sandbox, "public"))

    assert response.status_code == 200
    body = response.json()
    assert body["error"]["code"] == "ok"
    data = body["data"]
    assert data["creator_username"] == "sunny.studio"
    assert data["creator_nickname"] == "Sunny Studio"
    assert data["privacy_level_options"] == [
        "PUBLIC_TO_EVERYONE",
        "MUTUAL_FOLLOW_FRIENDS",
        "SELF_ONLY",
    ]
    assert data["comment_disabled"] is False
    assert data["duet_disabled"] is False
    assert data["stitch_disabled"] is False
    assert data["max_video_post_duration_sec"] == 600


def test_it_offers_follower_options_and_no_duet_to_a_private_account(
    sandbox: RunningSandbox,
) -> None:
    data = call(sandbox, CREATOR_INFO, connect(sandbox, "private")).json()["data"]

    assert data["privacy_level_options"] == [
        "FOLLOWER_OF_CREATOR",
        "MUTUAL_FOLLOW_FRIENDS",
        "SELF_ONLY",
    ]
    assert data["duet_disabled"] is True
    assert data["stitch_disabled"] is True


def test_it_reports_disabled_interactions_and_a_short_duration_limit(
    sandbox: RunningSandbox,
) -> None:
    locked = call(sandbox, CREATOR_INFO, connect(sandbox, "locked")).json()["data"]
    short = call(sandbox, CREATOR_INFO, connect(sandbox, "short")).json()["data"]

    assert (locked["comment_disabled"], locked["duet_disabled"], locked["stitch_disabled"]) == (
        True,
        True,
        True,
    )
    assert short["max_video_post_duration_sec"] == 60


def test_its_avatar_url_is_served_by_the_sandbox(sandbox: RunningSandbox) -> None:
    token = connect(sandbox, "public")
    data = call(sandbox, CREATOR_INFO, token).json()["data"]

    url = data["creator_avatar_url"]
    assert url.startswith(f"{sandbox.url}/sandbox/avatars/{token['open_id']}.svg")
    avatar = httpx.get(url)
    assert avatar.status_code == 200
    assert avatar.headers["content-type"].startswith("image/svg+xml")


def test_it_accepts_an_empty_json_object_as_the_body(sandbox: RunningSandbox) -> None:
    response = call(sandbox, CREATOR_INFO, connect(sandbox), {})

    assert response.json()["error"]["code"] == "ok"


@pytest.mark.parametrize(
    ("creator", "code"),
    [("banned", "spam_risk_user_banned_from_posting"), ("capped", "spam_risk_too_many_posts")],
)
def test_it_refuses_a_creator_who_cannot_post_with_http_200(
    sandbox: RunningSandbox, creator: str, code: str
) -> None:
    response = call(sandbox, CREATOR_INFO, connect(sandbox, creator))

    assert error_of(response) == (200, code)
    assert response.json()["data"] == {}
    assert response.json()["error"]["message"]


def test_it_needs_the_video_publish_scope(sandbox: RunningSandbox) -> None:
    token = connect(sandbox, "public", scopes=("user.info.basic", "video.upload"))

    assert error_of(call(sandbox, CREATOR_INFO, token)) == (401, "scope_not_authorized")


def test_it_refuses_an_unknown_token(sandbox: RunningSandbox) -> None:
    response = httpx.post(
        f"{sandbox.url}{CREATOR_INFO}", headers=bearer({"access_token": "act.unknown"})
    )

    assert error_of(response) == (401, "access_token_invalid")


def test_it_allows_twenty_queries_a_minute_per_token(sandbox: RunningSandbox) -> None:
    token = connect(sandbox)
    answers = [call(sandbox, CREATOR_INFO, token).status_code for _ in range(20)]

    assert answers == [200] * 20
    assert error_of(call(sandbox, CREATOR_INFO, token)) == (429, "rate_limit_exceeded")
    sandbox.world.clock.advance(61)
    assert call(sandbox, CREATOR_INFO, token).status_code == 200
