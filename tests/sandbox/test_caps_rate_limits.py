"""The init endpoints' limit of 6 requests a minute per user token (§6), checked after the
token and scope and before the body (§9)."""

from __future__ import annotations

from typing import Any

import pytest

from autoposter.sandbox import RunningSandbox
from tests.sandbox.posting_support import (
    CONTENT_INIT,
    INBOX_INIT,
    VIDEO_INIT,
    call,
    direct_video,
    error_of,
    file_source,
    photo_body,
)
from tests.sandbox.support import connect

UNVERIFIED_PHOTOS = photo_body(["https://unverified.example.com/a.jpg"])


@pytest.mark.parametrize(
    ("path", "body"),
    [
        (VIDEO_INIT, direct_video()),
        (INBOX_INIT, {"source_info": file_source()}),
        (CONTENT_INIT, UNVERIFIED_PHOTOS),
    ],
)
def test_the_seventh_init_in_a_minute_is_refused_until_the_minute_has_passed(
    sandbox: RunningSandbox, path: str, body: dict[str, Any]
) -> None:
    token = connect(sandbox, "private")
    # Whatever else the first six are told (accepted, or refused for a privacy level or a cap),
    # only the seventh is over the limit.
    for _ in range(6):
        assert call(sandbox, path, token, body).status_code != 429

    assert error_of(call(sandbox, path, token, body)) == (429, "rate_limit_exceeded")
    sandbox.world.clock.advance(61)
    assert call(sandbox, path, token, body).status_code != 429


def test_the_limit_is_per_token(sandbox: RunningSandbox) -> None:
    busy, other = connect(sandbox, "public"), connect(sandbox, "locked")
    for _ in range(6):
        call(sandbox, VIDEO_INIT, busy, direct_video())

    assert error_of(call(sandbox, VIDEO_INIT, busy, direct_video())) == (429, "rate_limit_exceeded")
    assert call(sandbox, VIDEO_INIT, other, direct_video()).json()["error"]["code"] == "ok"


def test_refused_requests_count_and_the_limit_comes_before_the_body(
    sandbox: RunningSandbox,
) -> None:
    token = connect(sandbox)
    for _ in range(6):
        assert error_of(call(sandbox, VIDEO_INIT, token, {})) == (400, "invalid_params")

    assert error_of(call(sandbox, VIDEO_INIT, token, {})) == (429, "rate_limit_exceeded")


def test_the_scope_is_checked_before_the_limit(sandbox: RunningSandbox) -> None:
    token = connect(sandbox, scopes=("user.info.basic", "video.upload"))
    answers = [error_of(call(sandbox, VIDEO_INIT, token, direct_video())) for _ in range(8)]

    assert set(answers) == {(401, "scope_not_authorized")}


def test_a_successful_init_after_the_minute_creates_a_publish(sandbox: RunningSandbox) -> None:
    token = connect(sandbox)
    for _ in range(7):
        call(sandbox, VIDEO_INIT, token, direct_video())

    sandbox.world.clock.advance(61)
    response = call(sandbox, VIDEO_INIT, token, direct_video())

    assert response.json()["error"]["code"] == "ok"
    assert response.json()["data"]["upload_url"]
