"""The business caps at init (§6): bans, the daily post cap, pending inbox shares, and
where they sit in the validation order (§9)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from autoposter.sandbox import RunningSandbox
from tests.conftest import StartSandbox
from tests.fileserver import MediaServer
from tests.media import make_video
from tests.sandbox.posting_support import (
    CONTENT_INIT,
    CREATOR_INFO,
    INBOX_INIT,
    VIDEO_INIT,
    call,
    direct_video,
    error_of,
    file_source,
    photo_body,
    url_source,
    wait_for_status,
)
from tests.sandbox.support import connect

DAY = 86_400
PHOTOS = ["https://media.example.com/a.jpg"]
DRAFT = {"source_info": file_source()}


def _ok(response: Any) -> str:
    assert response.json()["error"]["code"] == "ok", response.text
    publish_id: str = response.json()["data"]["publish_id"]
    return publish_id


@pytest.mark.parametrize(
    ("path", "body"),
    [
        (VIDEO_INIT, direct_video()),
        (INBOX_INIT, DRAFT),
        (CONTENT_INIT, photo_body(PHOTOS)),
        (CONTENT_INIT, photo_body(PHOTOS, mode="MEDIA_UPLOAD")),
    ],
)
def test_a_banned_creator_is_refused_at_every_init(
    sandbox: RunningSandbox, path: str, body: dict[str, Any]
) -> None:
    response = call(sandbox, path, connect(sandbox, "banned"), body)

    assert error_of(response) == (403, "spam_risk_user_banned_from_posting")


def test_a_malformed_body_is_reported_before_the_ban(sandbox: RunningSandbox) -> None:
    response = call(sandbox, VIDEO_INIT, connect(sandbox, "banned"), {"post_info": {}})

    assert error_of(response) == (400, "invalid_params")


@pytest.mark.parametrize(
    ("path", "body"), [(VIDEO_INIT, direct_video()), (CONTENT_INIT, photo_body(PHOTOS))]
)
def test_a_creator_at_the_daily_cap_cannot_post_directly(
    sandbox: RunningSandbox, path: str, body: dict[str, Any]
) -> None:
    response = call(sandbox, path, connect(sandbox, "capped"), body)

    assert error_of(response) == (403, "spam_risk_too_many_posts")


def test_the_daily_cap_is_checked_before_the_privacy_level(sandbox: RunningSandbox) -> None:
    body = direct_video("FOLLOWER_OF_CREATOR")

    assert error_of(call(sandbox, VIDEO_INIT, connect(sandbox, "capped"), body)) == (
        403,
        "spam_risk_too_many_posts",
    )


def test_direct_posts_count_towards_the_daily_cap(
    start_sandbox: StartSandbox, tmp_path: Path
) -> None:
    creators = tmp_path / "creators.json"
    creators.write_text(
        json.dumps(
            [
                {
                    "key": "two",
                    "username": "two.a.day",
                    "display_name": "Two A Day",
                    "daily_post_cap": 2,
                },
            ]
        )
    )
    sandbox = start_sandbox(creators_file=creators)
    token = connect(sandbox, "two")

    _ok(call(sandbox, VIDEO_INIT, token, direct_video()))
    _ok(call(sandbox, INBOX_INIT, token, DRAFT))
    _ok(call(sandbox, VIDEO_INIT, token, direct_video()))

    assert error_of(call(sandbox, VIDEO_INIT, token, direct_video())) == (
        403,
        "spam_risk_too_many_posts",
    )
    assert call(sandbox, CREATOR_INFO, token).json()["error"]["code"] == "spam_risk_too_many_posts"


def test_the_daily_cap_lifts_24_hours_later(sandbox: RunningSandbox) -> None:
    sandbox.world.clock.advance(DAY + 1)
    token = connect(sandbox, "capped")  # yesterday's token has expired meanwhile

    assert call(sandbox, CREATOR_INFO, token).json()["error"]["code"] == "ok"
    _ok(call(sandbox, VIDEO_INIT, token, direct_video()))


def test_the_sixth_pending_draft_is_refused(sandbox: RunningSandbox) -> None:
    token = connect(sandbox)
    for _ in range(5):
        _ok(call(sandbox, INBOX_INIT, token, DRAFT))

    response = call(sandbox, INBOX_INIT, token, DRAFT)

    assert error_of(response) == (403, "spam_risk_too_many_pending_share")
    assert "inbox" in response.json()["error"]["message"]


def test_photo_drafts_share_the_pending_cap_but_direct_posts_do_not(
    start_sandbox: StartSandbox, media_server: MediaServer
) -> None:
    sandbox = start_sandbox(verified_url_prefixes=[media_server.url])
    media_server.add("a.jpg", b"\xff\xd8" + bytes(2000))
    # Stalled downloads keep the photo drafts pending for the whole test.
    photo_draft = photo_body([media_server.stall_url("a.jpg")], mode="MEDIA_UPLOAD")
    token = connect(sandbox)
    for _ in range(3):
        _ok(call(sandbox, INBOX_INIT, token, DRAFT))
    for _ in range(2):
        _ok(call(sandbox, CONTENT_INIT, token, photo_draft))
    sandbox.world.clock.advance(61)  # past the init rate limit, well within the 24 h

    response = call(sandbox, CONTENT_INIT, token, photo_draft)

    assert error_of(response) == (403, "spam_risk_too_many_pending_share")
    _ok(call(sandbox, VIDEO_INIT, token, direct_video()))


def test_pending_drafts_stop_counting_after_24_hours(sandbox: RunningSandbox) -> None:
    token = connect(sandbox)
    for _ in range(5):
        _ok(call(sandbox, INBOX_INIT, token, DRAFT))

    sandbox.world.clock.advance(DAY + 1)

    _ok(call(sandbox, INBOX_INIT, connect(sandbox), DRAFT))


def test_finished_and_failed_drafts_are_no_longer_pending(
    start_sandbox: StartSandbox, media_server: MediaServer, tmp_path: Path
) -> None:
    sandbox = start_sandbox(verified_url_prefixes=[media_server.url])
    token = connect(sandbox)
    clip = media_server.add("clip.mp4", make_video(tmp_path / "clip.mp4"))
    missing = media_server.file_url("missing.mp4")
    drafts = [
        _ok(call(sandbox, INBOX_INIT, token, {"source_info": url_source(url)}))
        for url in [clip] + [missing] * 4
    ]
    wait_for_status(sandbox, token, drafts[0], "SEND_TO_USER_INBOX")
    for publish_id in drafts[1:]:
        wait_for_status(sandbox, token, publish_id, "FAILED")
    completion = f"{sandbox.url}/sandbox/api/publishes/{drafts[0]}/complete"

    assert httpx.post(completion).status_code == 200
    _ok(call(sandbox, INBOX_INIT, token, DRAFT))
