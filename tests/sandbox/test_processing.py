"""Processing after an upload (§4.0, §4.7, §4.9, §9): checks, outcomes, moderation."""

from __future__ import annotations

import asyncio
import hashlib
import json
import shutil
from pathlib import Path

import httpx
import pytest

from autoposter.sandbox import RunningSandbox, processing
from autoposter.sandbox.state import Publish
from tests.conftest import StartSandbox
from tests.media import make_video
from tests.sandbox.posting_support import status_of
from tests.sandbox.support import connect
from tests.sandbox.uploads import (
    advance,
    events,
    init_file_upload,
    upload_bytes,
    upload_file,
    wait_for,
    wait_for_publish,
)


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small video that passes every check."""
    return make_video(tmp_path_factory.mktemp("media") / "clip.mp4", width=360, height=640)


def webhook_content(sandbox: RunningSandbox, event: str) -> dict[str, object]:
    delivery = next(d for d in sandbox.world.webhooks if d.event == event)
    content: dict[str, object] = json.loads(json.loads(delivery.body)["content"])
    return content


def test_a_direct_post_completes_and_lands_on_the_creators_profile(
    sandbox: RunningSandbox, clip: Path
) -> None:
    token = connect(sandbox)
    publish_id = upload_file(sandbox, token, clip, title="First light #sketch")
    wait_for_publish(sandbox, publish_id, "PUBLISH_COMPLETE")
    assert status_of(sandbox, token, publish_id)["status"] == "PUBLISH_COMPLETE"
    assert webhook_content(sandbox, "post.publish.complete") == {
        "publish_id": publish_id,
        "publish_type": "DIRECT_PUBLISH",
    }
    creator = sandbox.world.creator_by_key("public")
    assert creator is not None
    post = creator.videos[-1]
    assert (post.title, post.width, post.height, post.duration) == (
        "First light #sketch", 360, 640, 1,
    )  # fmt: skip


def test_a_private_post_never_gets_a_public_post_id(sandbox: RunningSandbox, clip: Path) -> None:
    token = connect(sandbox)
    publish_id = upload_file(sandbox, token, clip, privacy_level="SELF_ONLY")
    wait_for_publish(sandbox, publish_id, "PUBLISH_COMPLETE")
    advance(sandbox, 3600)
    assert status_of(sandbox, token, publish_id)["publicaly_available_post_id"] == []
    assert "post.publish.publicly_available" not in events(sandbox, publish_id)


def test_a_public_post_gets_its_post_id_only_after_moderation(
    start_sandbox: StartSandbox, clip: Path
) -> None:
    sandbox = start_sandbox(moderation_delay=300)
    token = connect(sandbox)
    publish_id = upload_file(sandbox, token, clip, privacy_level="PUBLIC_TO_EVERYONE")
    publish = wait_for_publish(sandbox, publish_id, "PUBLISH_COMPLETE")
    assert status_of(sandbox, token, publish_id)["publicaly_available_post_id"] == []
    advance(sandbox, 301)
    post_ids = wait_for(lambda: publish.post_ids, "the post id")
    response = httpx.post(
        f"{sandbox.url}/v2/post/publish/status/fetch/",
        headers={"Authorization": f"Bearer {token['access_token']}"},
        json={"publish_id": publish_id},
    )
    assert f'"publicaly_available_post_id":[{post_ids[0]}]' in response.text  # raw int64
    assert webhook_content(sandbox, "post.publish.publicly_available") == {
        "publish_id": publish_id,
        "post_id": str(post_ids[0]),
        "publish_type": "DIRECT_PUBLISH",
    }
    creator = sandbox.world.creator_by_key("public")
    assert creator is not None
    post = next(v for v in creator.videos if v.id == str(post_ids[0]))
    assert post.public


def test_an_inbox_upload_is_delivered_to_the_inbox(sandbox: RunningSandbox, clip: Path) -> None:
    token = connect(sandbox)
    publish_id = upload_file(sandbox, token, clip, inbox=True)
    wait_for_publish(sandbox, publish_id, "SEND_TO_USER_INBOX")
    assert webhook_content(sandbox, "post.publish.inbox_delivered") == {
        "publish_id": publish_id,
        "publish_type": "INBOX_SHARE",
    }
    advance(sandbox, 3600)
    assert status_of(sandbox, token, publish_id)["status"] == "SEND_TO_USER_INBOX"


def test_an_unaudited_app_never_makes_a_post_public(
    start_sandbox: StartSandbox, clip: Path
) -> None:
    sandbox = start_sandbox(audited=False)
    token = connect(sandbox, "private")
    publish_id = upload_file(sandbox, token, clip, inbox=True)
    wait_for_publish(sandbox, publish_id, "SEND_TO_USER_INBOX")
    # The creator finishes the draft in the app and picks "Everyone" (§6: forced SELF_ONLY).
    response = httpx.post(
        f"{sandbox.url}/sandbox/api/publishes/{publish_id}/complete",
        json={"privacy_level": "PUBLIC_TO_EVERYONE"},
    )
    assert response.status_code == 200, response.text
    advance(sandbox, 3600)
    assert status_of(sandbox, token, publish_id)["publicaly_available_post_id"] == []


def noise(directory: Path) -> Path:
    path = directory / "noise.bin"
    path.write_bytes(bytes(range(256)) * 16)
    return path


FAILING_MEDIA = {
    "file_format_check_failed": noise,
    "frame_rate_check_failed": lambda d: make_video(d / "slow.mp4", width=360, height=640, fps=15),
    "picture_size_check_failed": lambda d: make_video(d / "tiny.mp4", width=320, height=320),
}


@pytest.mark.parametrize("reason", sorted(FAILING_MEDIA))
def test_media_that_fails_a_check_fails_the_publish_with_that_reason(
    sandbox: RunningSandbox, tmp_path: Path, reason: str
) -> None:
    path = FAILING_MEDIA[reason](tmp_path)
    token = connect(sandbox)
    publish_id = upload_file(sandbox, token, path)
    wait_for_publish(sandbox, publish_id, "FAILED")
    answer = status_of(sandbox, token, publish_id)
    assert (answer["status"], answer["fail_reason"]) == ("FAILED", reason)
    assert webhook_content(sandbox, "post.publish.failed") == {
        "publish_id": publish_id,
        "reason": reason,
        "publish_type": "DIRECT_PUBLISH",
    }


def test_a_video_longer_than_the_creator_may_post_fails_the_duration_check(
    start_sandbox: StartSandbox, tmp_path: Path
) -> None:
    creators = tmp_path / "creators.json"
    creators.write_text(json.dumps([
        {"key": "brief", "username": "brief", "display_name": "Brief",
         "max_video_post_duration_sec": 1},
    ]))  # fmt: skip
    sandbox = start_sandbox(creators_file=creators)
    token = connect(sandbox, "brief")
    video = make_video(tmp_path / "two.mp4", width=360, height=640, fps=24, seconds=2.0)
    publish_id = upload_file(sandbox, token, video)
    wait_for_publish(sandbox, publish_id, "FAILED")
    assert status_of(sandbox, token, publish_id)["fail_reason"] == "duration_check_failed"


def test_processing_takes_the_configured_sandbox_time(
    start_sandbox: StartSandbox, clip: Path
) -> None:
    sandbox = start_sandbox(processing_delay=120)
    token = connect(sandbox)
    publish_id = upload_file(sandbox, token, clip)
    publish = sandbox.world.publishes[publish_id]
    wait_for(lambda: publish.content_hash, "the media to be examined")
    assert status_of(sandbox, token, publish_id)["status"] == "PROCESSING_UPLOAD"
    advance(sandbox, 121)
    wait_for_publish(sandbox, publish_id, "PUBLISH_COMPLETE")


def test_stuck_processing_keeps_a_publish_processing_forever(
    sandbox: RunningSandbox, clip: Path
) -> None:
    sandbox.world.config.faults.stuck_processing = True
    token = connect(sandbox)
    publish_id = upload_file(sandbox, token, clip)
    publish = sandbox.world.publishes[publish_id]
    wait_for(lambda: publish.content_hash, "the media to be examined")
    advance(sandbox, 20 * 3600)
    assert status_of(sandbox, token, publish_id)["status"] == "PROCESSING_UPLOAD"
    assert events(sandbox, publish_id) == []


def test_it_keeps_only_the_content_hash_and_deletes_the_uploaded_file(
    sandbox: RunningSandbox, clip: Path
) -> None:
    token = connect(sandbox)
    data = clip.read_bytes()
    publish_id = upload_file(sandbox, token, clip)
    publish = wait_for_publish(sandbox, publish_id, "PUBLISH_COMPLETE")
    assert publish.content_hash == hashlib.sha256(data).hexdigest()
    assert publish.upload is not None
    assert not publish.upload.path.exists()
    assert list(sandbox.world.data_dir.iterdir()) == []


def test_a_publish_whose_access_was_revoked_meanwhile_fails_and_stays_failed(
    start_sandbox: StartSandbox, clip: Path
) -> None:
    sandbox = start_sandbox(processing_delay=60)
    token = connect(sandbox)
    publish_id, upload_url = init_file_upload(sandbox, token, clip.stat().st_size)
    assert upload_bytes(upload_url, clip.read_bytes()).status_code == 201
    config = sandbox.world.config
    revoked = httpx.post(
        f"{sandbox.url}/v2/oauth/revoke/",
        data={"client_key": config.client_key, "client_secret": config.client_secret,
              "token": token["access_token"]},
    )  # fmt: skip
    assert revoked.status_code == 200
    advance(sandbox, 61)
    publish = wait_for_publish(sandbox, publish_id, "FAILED")
    assert publish.fail_reason == "auth_removed"
    connect(sandbox)  # authorizing again does not bring the publish back
    advance(sandbox, 3600)
    assert publish.status == "FAILED"
    assert events(sandbox, publish_id) == ["post.publish.failed"]


def inbox_upload_with_its_bytes(sandbox: RunningSandbox, clip: Path) -> tuple[str, Publish]:
    """An inbox upload whose bytes are all in place, not yet handed to processing."""
    token = connect(sandbox)
    publish_id, _ = init_file_upload(sandbox, token, clip.stat().st_size, inbox=True)
    publish = sandbox.world.publishes[publish_id]
    assert publish.upload is not None
    shutil.copyfile(clip, publish.upload.path)
    return publish_id, publish


def test_processing_started_from_a_worker_thread_still_finishes_on_the_sandbox(
    sandbox: RunningSandbox, clip: Path
) -> None:
    publish_id, publish = inbox_upload_with_its_bytes(sandbox, clip)
    # A downloader running in a thread hands over like this; the test's thread is one.
    processing.start_processing(sandbox.world, publish)
    wait_for_publish(sandbox, publish_id, "SEND_TO_USER_INBOX")
    assert publish.upload is not None and not publish.upload.path.exists()


def test_processing_started_under_another_event_loop_still_finishes_on_the_sandbox(
    sandbox: RunningSandbox, clip: Path
) -> None:
    """A caller's own running loop (a browser driver, an async client) is not the sandbox's."""
    publish_id, publish = inbox_upload_with_its_bytes(sandbox, clip)

    async def hand_over() -> None:
        processing.start_processing(sandbox.world, publish)

    asyncio.run(hand_over())
    wait_for_publish(sandbox, publish_id, "SEND_TO_USER_INBOX")
