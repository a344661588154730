"""The control hook that plays the creator finishing an inbox draft in the app (§4.0, §7.2)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from autoposter.sandbox import RunningSandbox
from tests.conftest import StartSandbox
from tests.fileserver import MediaServer
from tests.media import make_video
from tests.sandbox.posting_support import (
    INBOX_INIT,
    VIDEO_INIT,
    call,
    direct_video,
    file_source,
    url_source,
    wait_for_status,
    wait_until,
    webhook_events,
)
from tests.sandbox.support import connect


@pytest.fixture
def sandbox(start_sandbox: StartSandbox, media_server: MediaServer) -> RunningSandbox:
    return start_sandbox(verified_url_prefixes=[media_server.url])


def _draft_in_inbox(
    sandbox: RunningSandbox, media_server: MediaServer, tmp_path: Path
) -> tuple[dict[str, Any], str]:
    token = connect(sandbox)
    url = media_server.add("clip.mp4", make_video(tmp_path / "clip.mp4"))
    response = call(sandbox, INBOX_INIT, token, {"source_info": url_source(url)})
    publish_id: str = response.json()["data"]["publish_id"]
    wait_for_status(sandbox, token, publish_id, "SEND_TO_USER_INBOX")
    return token, publish_id


def _complete(sandbox: RunningSandbox, publish_id: str, body: object = None) -> httpx.Response:
    url = f"{sandbox.url}/sandbox/api/publishes/{publish_id}/complete"
    return httpx.post(url) if body is None else httpx.post(url, json=body)


def test_completing_a_draft_publishes_it_with_a_post_id(
    sandbox: RunningSandbox, media_server: MediaServer, tmp_path: Path
) -> None:
    token, publish_id = _draft_in_inbox(sandbox, media_server, tmp_path)

    response = _complete(sandbox, publish_id)

    assert response.status_code == 200
    post_id = response.json()["post_id"]
    assert len(post_id) == 19 and post_id.isdigit()
    data = wait_until(sandbox, token, publish_id, lambda d: d["publicaly_available_post_id"])
    assert data["status"] == "PUBLISH_COMPLETE"
    assert data["publicaly_available_post_id"] == [int(post_id)]
    completed = [e for e in webhook_events(sandbox, publish_id) if e["event"].endswith("complete")]
    assert completed == [
        {"event": "post.publish.complete", "publish_id": publish_id, "publish_type": "INBOX_SHARE"}
    ]


def test_one_draft_can_yield_several_posts(
    sandbox: RunningSandbox, media_server: MediaServer, tmp_path: Path
) -> None:
    token, publish_id = _draft_in_inbox(sandbox, media_server, tmp_path)

    first = _complete(sandbox, publish_id).json()["post_id"]
    second = _complete(sandbox, publish_id).json()["post_id"]

    assert first != second
    data = wait_until(
        sandbox, token, publish_id, lambda d: len(d["publicaly_available_post_id"]) == 2
    )
    assert sorted(data["publicaly_available_post_id"]) == sorted([int(first), int(second)])


def test_a_private_post_from_a_draft_never_becomes_publicly_available(
    sandbox: RunningSandbox, media_server: MediaServer, tmp_path: Path
) -> None:
    token, publish_id = _draft_in_inbox(sandbox, media_server, tmp_path)

    response = _complete(sandbox, publish_id, {"privacy_level": "SELF_ONLY"})

    assert response.status_code == 200
    sandbox.world.clock.advance(60)
    data = wait_for_status(sandbox, token, publish_id, "PUBLISH_COMPLETE")
    assert data["publicaly_available_post_id"] == []


def test_a_draft_still_uploading_cannot_be_completed(sandbox: RunningSandbox) -> None:
    response = call(sandbox, INBOX_INIT, connect(sandbox), {"source_info": file_source()})

    answer = _complete(sandbox, response.json()["data"]["publish_id"])

    assert answer.status_code == 409
    assert "SEND_TO_USER_INBOX" in answer.json()["error"]


def test_a_direct_post_cannot_be_completed(sandbox: RunningSandbox) -> None:
    response = call(sandbox, VIDEO_INIT, connect(sandbox), direct_video())

    assert _complete(sandbox, response.json()["data"]["publish_id"]).status_code == 409


def test_completing_an_unknown_publish_is_not_found(sandbox: RunningSandbox) -> None:
    assert _complete(sandbox, "v_inbox_url~v2.1234567890123456789").status_code == 404
