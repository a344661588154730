"""Upload-to-inbox video init (§4.3): drafts, with only source_info and the video.upload scope."""

from __future__ import annotations

import re

from autoposter.sandbox import RunningSandbox
from tests.conftest import StartSandbox
from tests.sandbox.posting_support import (
    INBOX_INIT,
    call,
    error_of,
    file_source,
    status_of,
    url_source,
)
from tests.sandbox.support import connect

UPLOAD_ONLY = ("user.info.basic", "video.upload")


def test_a_file_upload_draft_answers_an_inbox_publish_id_and_an_upload_url(
    sandbox: RunningSandbox,
) -> None:
    token = connect(sandbox, scopes=UPLOAD_ONLY)

    data = call(sandbox, INBOX_INIT, token, {"source_info": file_source()}).json()["data"]

    assert re.fullmatch(r"v_inbox_file~v2\.\d{19}", data["publish_id"])
    assert data["upload_url"].startswith(f"{sandbox.url}/upload/?upload_id=")
    assert status_of(sandbox, token, data["publish_id"])["status"] == "PROCESSING_UPLOAD"


def test_a_pull_draft_answers_only_an_inbox_publish_id(start_sandbox: StartSandbox) -> None:
    sandbox = start_sandbox(verified_url_prefixes=["https://media.example.com/"])
    body = {"source_info": url_source("https://media.example.com/clip.mp4")}

    data = call(sandbox, INBOX_INIT, connect(sandbox, scopes=UPLOAD_ONLY), body).json()["data"]

    assert set(data) == {"publish_id"}
    assert re.fullmatch(r"v_inbox_url~v2\.\d{19}", data["publish_id"])


def test_it_accepts_and_ignores_a_post_info(sandbox: RunningSandbox) -> None:
    body = {
        "post_info": {"title": "x" * 5000, "privacy_level": "NOT_A_LEVEL", "is_aigc": True},
        "source_info": file_source(),
    }

    response = call(sandbox, INBOX_INIT, connect(sandbox), body)

    assert response.json()["error"]["code"] == "ok"


def test_it_needs_the_video_upload_scope(sandbox: RunningSandbox) -> None:
    token = connect(sandbox, scopes=("user.info.basic", "video.publish"))

    response = call(sandbox, INBOX_INIT, token, {"source_info": file_source()})

    assert error_of(response) == (401, "scope_not_authorized")


def test_it_refuses_a_missing_source_info(sandbox: RunningSandbox) -> None:
    response = call(sandbox, INBOX_INIT, connect(sandbox), {"post_info": {}})

    assert error_of(response) == (400, "invalid_params")
    assert "source_info" in response.json()["error"]["message"]


def test_it_refuses_a_url_outside_the_verified_prefixes(sandbox: RunningSandbox) -> None:
    body = {"source_info": url_source("https://unverified.example.com/clip.mp4")}

    response = call(sandbox, INBOX_INIT, connect(sandbox), body)

    assert error_of(response) == (403, "url_ownership_unverified")


def test_a_creator_at_the_daily_post_cap_can_still_send_drafts(sandbox: RunningSandbox) -> None:
    response = call(sandbox, INBOX_INIT, connect(sandbox, "capped"), {"source_info": file_source()})

    assert response.json()["error"]["code"] == "ok"


def test_a_banned_creator_cannot_send_drafts(sandbox: RunningSandbox) -> None:
    response = call(sandbox, INBOX_INIT, connect(sandbox, "banned"), {"source_info": file_source()})

    assert error_of(response) == (403, "spam_risk_user_banned_from_posting")
