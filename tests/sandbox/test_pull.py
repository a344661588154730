"""PULL_FROM_URL downloads (§4.6): progress, no redirects, failures, the one-hour limit."""

from __future__ import annotations

from pathlib import Path

import pytest

from autoposter.sandbox import RunningSandbox
from tests.conftest import StartSandbox
from tests.fileserver import STALL_BYTES, MediaServer
from tests.media import make_video
from tests.sandbox.posting_support import (
    INBOX_INIT,
    VIDEO_INIT,
    call,
    direct_video,
    status_of,
    url_source,
    wait_for_status,
    wait_until,
    webhook_events,
)
from tests.sandbox.support import connect


@pytest.fixture
def clip(tmp_path: Path) -> Path:
    return make_video(tmp_path / "clip.mp4")


@pytest.fixture
def sandbox(start_sandbox: StartSandbox, media_server: MediaServer) -> RunningSandbox:
    return start_sandbox(verified_url_prefixes=[media_server.url])


def _pull(sandbox: RunningSandbox, token: dict[str, object], url: str, inbox: bool = False) -> str:
    body = {"source_info": url_source(url)} if inbox else direct_video(source=url_source(url))
    response = call(sandbox, INBOX_INIT if inbox else VIDEO_INIT, token, body)
    assert response.json()["error"]["code"] == "ok", response.text
    publish_id: str = response.json()["data"]["publish_id"]
    return publish_id


def _stalled_pull(
    sandbox: RunningSandbox, token: dict[str, object], media_server: MediaServer, clip: Path
) -> str:
    """A pull the media server holds after its first STALL_BYTES, until ``release()``."""
    media_server.add("clip.mp4", clip)
    publish_id = _pull(sandbox, token, media_server.stall_url("clip.mp4"))
    wait_until(sandbox, token, publish_id, lambda d: d["downloaded_bytes"] == STALL_BYTES)
    return publish_id


def test_it_downloads_the_video_then_publishes_it(
    sandbox: RunningSandbox, media_server: MediaServer, clip: Path
) -> None:
    token = connect(sandbox)
    publish_id = _pull(sandbox, token, media_server.add("clip.mp4", clip))

    data = wait_for_status(sandbox, token, publish_id, "PUBLISH_COMPLETE", "FAILED")

    assert data["status"] == "PUBLISH_COMPLETE"
    assert data["downloaded_bytes"] == clip.stat().st_size
    assert "uploaded_bytes" not in data


def test_a_pulled_draft_is_delivered_to_the_inbox(
    sandbox: RunningSandbox, media_server: MediaServer, clip: Path
) -> None:
    token = connect(sandbox)
    publish_id = _pull(sandbox, token, media_server.add("clip.mp4", clip), inbox=True)

    data = wait_for_status(sandbox, token, publish_id, "SEND_TO_USER_INBOX", "FAILED")

    assert data["status"] == "SEND_TO_USER_INBOX"


def test_it_reports_the_bytes_downloaded_so_far(
    sandbox: RunningSandbox, media_server: MediaServer, clip: Path
) -> None:
    token = connect(sandbox)
    publish_id = _stalled_pull(sandbox, token, media_server, clip)

    assert status_of(sandbox, token, publish_id)["status"] == "PROCESSING_DOWNLOAD"

    media_server.release()
    done = wait_for_status(sandbox, token, publish_id, "PUBLISH_COMPLETE", "FAILED")
    assert done["status"] == "PUBLISH_COMPLETE"
    assert done["downloaded_bytes"] == clip.stat().st_size


def test_a_redirecting_url_fails_the_pull_without_following_it(
    sandbox: RunningSandbox, media_server: MediaServer, clip: Path
) -> None:
    token = connect(sandbox)
    media_server.add("clip.mp4", clip)
    publish_id = _pull(sandbox, token, media_server.redirect_url("clip.mp4"))

    data = wait_for_status(sandbox, token, publish_id, "FAILED", "PUBLISH_COMPLETE")

    assert (data["status"], data["fail_reason"]) == ("FAILED", "video_pull_failed")
    assert media_server.requests == ["/redirect/clip.mp4"]


def test_a_missing_file_fails_the_pull(sandbox: RunningSandbox, media_server: MediaServer) -> None:
    token = connect(sandbox)
    publish_id = _pull(sandbox, token, media_server.file_url("nothing-here.mp4"))

    data = wait_for_status(sandbox, token, publish_id, "FAILED", "PUBLISH_COMPLETE")

    assert data["fail_reason"] == "video_pull_failed"
    assert data["downloaded_bytes"] == 0


def test_an_unreachable_host_fails_the_pull(start_sandbox: StartSandbox) -> None:
    sandbox = start_sandbox(verified_url_prefixes=["http://127.0.0.1:9/"])
    token = connect(sandbox)
    publish_id = _pull(sandbox, token, "http://127.0.0.1:9/clip.mp4")

    data = wait_for_status(sandbox, token, publish_id, "FAILED", "PUBLISH_COMPLETE")

    assert data["fail_reason"] == "video_pull_failed"


def test_a_download_still_running_an_hour_later_fails(
    sandbox: RunningSandbox, media_server: MediaServer, clip: Path
) -> None:
    token = connect(sandbox)
    publish_id = _stalled_pull(sandbox, token, media_server, clip)

    sandbox.world.clock.advance(3601)
    data = wait_for_status(sandbox, token, publish_id, "FAILED", "PUBLISH_COMPLETE")

    assert data["fail_reason"] == "video_pull_failed"


def test_a_download_under_an_hour_is_left_running(
    sandbox: RunningSandbox, media_server: MediaServer, clip: Path
) -> None:
    token = connect(sandbox)
    publish_id = _stalled_pull(sandbox, token, media_server, clip)

    sandbox.world.clock.advance(3500)
    media_server.release()

    data = wait_for_status(sandbox, token, publish_id, "PUBLISH_COMPLETE", "FAILED")
    assert data["status"] == "PUBLISH_COMPLETE"


@pytest.mark.parametrize(
    ("inbox", "publish_type"), [(False, "DIRECT_PUBLISH"), (True, "INBOX_SHARE")]
)
def test_a_failed_pull_is_announced_by_webhook(
    sandbox: RunningSandbox, media_server: MediaServer, inbox: bool, publish_type: str
) -> None:
    token = connect(sandbox)
    publish_id = _pull(sandbox, token, media_server.file_url("gone.mp4"), inbox=inbox)
    wait_for_status(sandbox, token, publish_id, "FAILED")

    events = webhook_events(sandbox, publish_id)

    assert events == [
        {
            "event": "post.publish.failed",
            "publish_id": publish_id,
            "reason": "video_pull_failed",
            "publish_type": publish_type,
        },
    ]
