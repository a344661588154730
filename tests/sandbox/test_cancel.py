"""cancel (§4.8): only a PULL_FROM_URL still downloading can be stopped."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from autoposter.sandbox import RunningSandbox
from tests.conftest import StartSandbox
from tests.fileserver import STALL_BYTES, MediaServer
from tests.media import make_video
from tests.sandbox.posting_support import (
    CANCEL,
    INBOX_INIT,
    VIDEO_INIT,
    call,
    direct_video,
    error_of,
    status_of,
    url_source,
    wait_for_status,
    wait_until,
    webhook_events,
)
from tests.sandbox.support import connect


@pytest.fixture
def sandbox(start_sandbox: StartSandbox, media_server: MediaServer) -> RunningSandbox:
    return start_sandbox(verified_url_prefixes=[media_server.url])


@pytest.fixture
def stalled_url(media_server: MediaServer, tmp_path: Path) -> str:
    media_server.add("clip.mp4", make_video(tmp_path / "clip.mp4"))
    return media_server.stall_url("clip.mp4")


def _downloading(
    sandbox: RunningSandbox, token: dict[str, Any], url: str, *, inbox: bool = False
) -> str:
    body = {"source_info": url_source(url)} if inbox else direct_video(source=url_source(url))
    response = call(sandbox, INBOX_INIT if inbox else VIDEO_INIT, token, body)
    publish_id: str = response.json()["data"]["publish_id"]
    wait_until(sandbox, token, publish_id, lambda d: d["downloaded_bytes"] == STALL_BYTES)
    return publish_id


@pytest.mark.parametrize(
    ("inbox", "publish_type"), [(False, "DIRECT_PUBLISH"), (True, "INBOX_SHARE")]
)
def test_it_stops_a_download_in_progress(
    sandbox: RunningSandbox,
    media_server: MediaServer,
    stalled_url: str,
    inbox: bool,
    publish_type: str,
) -> None:
    token = connect(sandbox)
    publish_id = _downloading(sandbox, token, stalled_url, inbox=inbox)

    response = call(sandbox, CANCEL, token, {"publish_id": publish_id})

    assert response.status_code == 200
    assert set(response.json()) == {"error"}
    assert response.json()["error"]["code"] == "ok"
    data = status_of(sandbox, token, publish_id)
    assert (data["status"], data["fail_reason"]) == ("FAILED", "publish_cancelled")
    assert webhook_events(sandbox, publish_id) == [
        {
            "event": "post.publish.failed",
            "publish_id": publish_id,
            "reason": "publish_cancelled",
            "publish_type": publish_type,
        },
    ]


def test_a_cancelled_download_stays_cancelled_when_the_bytes_arrive(
    sandbox: RunningSandbox, media_server: MediaServer, stalled_url: str
) -> None:
    token = connect(sandbox)
    publish_id = _downloading(sandbox, token, stalled_url)
    call(sandbox, CANCEL, token, {"publish_id": publish_id})

    media_server.release()
    sandbox.world.clock.advance(10)

    data = wait_for_status(sandbox, token, publish_id, "FAILED")
    assert data["fail_reason"] == "publish_cancelled"


def test_it_cannot_cancel_twice(sandbox: RunningSandbox, stalled_url: str) -> None:
    token = connect(sandbox)
    publish_id = _downloading(sandbox, token, stalled_url)
    call(sandbox, CANCEL, token, {"publish_id": publish_id})

    response = call(sandbox, CANCEL, token, {"publish_id": publish_id})

    assert error_of(response) == (400, "publish_not_cancellable")


def test_it_cannot_cancel_a_file_upload(sandbox: RunningSandbox) -> None:
    token = connect(sandbox)
    publish_id = call(sandbox, VIDEO_INIT, token, direct_video()).json()["data"]["publish_id"]

    response = call(sandbox, CANCEL, token, {"publish_id": publish_id})

    assert error_of(response) == (400, "publish_not_cancellable")
    assert "PULL_FROM_URL" in response.json()["error"]["message"]


def test_it_cannot_cancel_a_finished_pull(
    sandbox: RunningSandbox, media_server: MediaServer, tmp_path: Path
) -> None:
    token = connect(sandbox)
    url = media_server.add("clip.mp4", make_video(tmp_path / "clip.mp4"))
    body = direct_video(source=url_source(url))
    publish_id = call(sandbox, VIDEO_INIT, token, body).json()["data"]["publish_id"]
    wait_for_status(sandbox, token, publish_id, "PUBLISH_COMPLETE")

    response = call(sandbox, CANCEL, token, {"publish_id": publish_id})

    assert error_of(response) == (400, "publish_not_cancellable")


def test_it_refuses_an_unknown_publish_id(sandbox: RunningSandbox) -> None:
    response = call(sandbox, CANCEL, connect(sandbox), {"publish_id": "v_pub_url~v2.123"})

    assert error_of(response) == (400, "invalid_publish_id")


def test_it_refuses_another_creators_publish(sandbox: RunningSandbox, stalled_url: str) -> None:
    publish_id = _downloading(sandbox, connect(sandbox, "public"), stalled_url)

    response = call(sandbox, CANCEL, connect(sandbox, "locked"), {"publish_id": publish_id})

    assert error_of(response) == (400, "token_not_authorized_for_specified_publish_id")
    assert status_of(sandbox, connect(sandbox, "public"), publish_id)["status"] == (
        "PROCESSING_DOWNLOAD"
    )


def test_it_needs_a_posting_scope(sandbox: RunningSandbox) -> None:
    token = connect(sandbox, scopes=("user.info.basic",))

    response = call(sandbox, CANCEL, token, {"publish_id": "v_pub_url~v2.123"})

    assert error_of(response) == (401, "scope_not_authorized")
