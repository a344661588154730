"""Processing of media the sandbox pulled from the app's URLs: photos and videos (§4.4, §4.6)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from autoposter.sandbox import RunningSandbox
from tests.conftest import StartSandbox
from tests.fileserver import MediaServer
from tests.media import make_image, make_video
from tests.sandbox.posting_support import CONTENT_INIT, VIDEO_INIT, photo_body, status_of
from tests.sandbox.support import bearer, connect
from tests.sandbox.uploads import wait_for_publish


@pytest.fixture
def pulling(
    start_sandbox: StartSandbox, tmp_path: Path
) -> Iterator[tuple[RunningSandbox, MediaServer]]:
    """A media host with the test's photos and video, verified for a fresh sandbox."""
    with MediaServer(tmp_path / "served") as host:
        made = tmp_path / "made"
        made.mkdir()
        host.add("square.jpg", make_image(made / "square.jpg", width=1080, height=1080))
        host.add("tall.webp", make_image(made / "tall.webp", width=1080, height=1920))
        host.add("flat.png", make_image(made / "flat.png", width=640, height=640))
        host.add("huge.jpg", make_image(made / "huge.jpg", width=2160, height=2160))
        host.add("clip.mp4", make_video(made / "clip.mp4", width=360, height=640))
        yield start_sandbox(verified_url_prefixes=[host.file_url("")]), host


def post_photos(sandbox: RunningSandbox, token: dict[str, Any], urls: list[str]) -> str:
    body = photo_body(urls, privacy="SELF_ONLY", title="Photos")
    response = httpx.post(f"{sandbox.url}{CONTENT_INIT}", headers=bearer(token), json=body)
    assert response.status_code == 200, response.text
    publish_id: str = response.json()["data"]["publish_id"]
    return publish_id


def test_jpeg_and_webp_photos_are_posted_and_hashed_in_order(
    pulling: tuple[RunningSandbox, MediaServer],
) -> None:
    sandbox, host = pulling
    token = connect(sandbox)
    urls = [host.file_url("square.jpg"), host.file_url("tall.webp")]
    publish_id = post_photos(sandbox, token, urls)
    publish = wait_for_publish(sandbox, publish_id, ("PUBLISH_COMPLETE", "FAILED"))
    assert (publish.status, publish.fail_reason) == ("PUBLISH_COMPLETE", "")
    expected = hashlib.sha256()
    for name in ("square.jpg", "tall.webp"):
        expected.update((host.root / name).read_bytes())
    assert publish.content_hash == expected.hexdigest()
    assert all(not path.exists() for path in publish.media_paths)


@pytest.mark.parametrize(
    ("names", "reason"),
    [
        (["square.jpg", "flat.png"], "file_format_check_failed"),
        (["huge.jpg"], "picture_size_check_failed"),
    ],
)
def test_a_photo_post_fails_when_one_photo_fails_a_check(
    pulling: tuple[RunningSandbox, MediaServer], names: list[str], reason: str
) -> None:
    sandbox, host = pulling
    token = connect(sandbox)
    publish_id = post_photos(sandbox, token, [host.file_url(name) for name in names])
    wait_for_publish(sandbox, publish_id, ("PUBLISH_COMPLETE", "FAILED"))
    answer = status_of(sandbox, token, publish_id)
    assert (answer["status"], answer["fail_reason"]) == ("FAILED", reason)


def test_a_pulled_video_goes_through_the_same_checks(
    pulling: tuple[RunningSandbox, MediaServer],
) -> None:
    sandbox, host = pulling
    token = connect(sandbox)
    body = {
        "post_info": {"privacy_level": "SELF_ONLY"},
        "source_info": {"source": "PULL_FROM_URL", "video_url": host.file_url("clip.mp4")},
    }
    response = httpx.post(f"{sandbox.url}{VIDEO_INIT}", headers=bearer(token), json=body)
    publish_id = response.json()["data"]["publish_id"]
    publish = wait_for_publish(sandbox, publish_id, ("PUBLISH_COMPLETE", "FAILED"))
    assert publish.status == "PUBLISH_COMPLETE"
    assert publish.content_hash is not None
