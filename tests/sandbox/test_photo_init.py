"""Photo posts through content/init (§4.4): both modes, their scopes, and the schema."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from autoposter.sandbox import RunningSandbox
from tests.conftest import StartSandbox
from tests.fileserver import MediaServer
from tests.media import make_image
from tests.sandbox.posting_support import (
    CONTENT_INIT,
    call,
    error_of,
    photo_body,
    wait_for_status,
    webhook_events,
)
from tests.sandbox.support import connect

HOST = "https://media.example.com/photos/"
URLS = [f"{HOST}a.jpg", f"{HOST}b.webp"]


@pytest.fixture
def sandbox(start_sandbox: StartSandbox, media_server: MediaServer) -> RunningSandbox:
    return start_sandbox(verified_url_prefixes=[media_server.url, HOST])


@pytest.fixture
def photo_urls(media_server: MediaServer, tmp_path: Path) -> list[str]:
    jpeg = make_image(tmp_path / "first.jpg", width=1080, height=1350)
    webp = make_image(tmp_path / "second.webp", width=1080, height=1080)
    return [media_server.add("first.jpg", jpeg), media_server.add("second.webp", webp)]


def test_a_direct_photo_post_is_downloaded_and_published(
    sandbox: RunningSandbox, media_server: MediaServer, photo_urls: list[str]
) -> None:
    token = connect(sandbox)

    response = call(sandbox, CONTENT_INIT, token, photo_body(photo_urls, cover=1))

    publish_id = response.json()["data"]["publish_id"]
    assert set(response.json()["data"]) == {"publish_id"}
    assert re.fullmatch(r"p_pub_url~v2\.\d{19}", publish_id)
    data = wait_for_status(sandbox, token, publish_id, "PUBLISH_COMPLETE", "FAILED")
    assert data["status"] == "PUBLISH_COMPLETE"
    sizes = sum(
        len((media_server.root / name).read_bytes()) for name in ("first.jpg", "second.webp")
    )
    assert data["downloaded_bytes"] == sizes


def test_a_photo_draft_goes_to_the_inbox_without_a_privacy_level(
    sandbox: RunningSandbox, photo_urls: list[str]
) -> None:
    token = connect(sandbox, scopes=("user.info.basic", "video.upload"))
    body = photo_body(photo_urls, mode="MEDIA_UPLOAD", privacy=None, title="Draft")

    publish_id = call(sandbox, CONTENT_INIT, token, body).json()["data"]["publish_id"]

    assert re.fullmatch(r"p_inbox_url~v2\.\d{19}", publish_id)
    data = wait_for_status(sandbox, token, publish_id, "SEND_TO_USER_INBOX", "FAILED")
    assert data["status"] == "SEND_TO_USER_INBOX"


def test_a_redirecting_image_fails_the_pull_as_a_photo_pull(
    sandbox: RunningSandbox, media_server: MediaServer, photo_urls: list[str]
) -> None:
    token = connect(sandbox)
    urls = [photo_urls[0], media_server.redirect_url("second.webp")]

    publish_id = call(sandbox, CONTENT_INIT, token, photo_body(urls)).json()["data"]["publish_id"]

    data = wait_for_status(sandbox, token, publish_id, "FAILED", "PUBLISH_COMPLETE")
    assert data["fail_reason"] == "photo_pull_failed"
    [event] = webhook_events(sandbox, publish_id)
    assert (event["event"], event["reason"]) == ("post.publish.failed", "photo_pull_failed")


@pytest.mark.parametrize(
    ("mode", "scopes"),
    [("DIRECT_POST", ("video.upload",)), ("MEDIA_UPLOAD", ("video.publish",))],
)
def test_the_scope_follows_the_post_mode(
    sandbox: RunningSandbox, mode: str, scopes: tuple[str, ...]
) -> None:
    token = connect(sandbox, scopes=("user.info.basic", *scopes))

    response = call(sandbox, CONTENT_INIT, token, photo_body(URLS, mode=mode))

    assert error_of(response) == (401, "scope_not_authorized")


def _photo(**changes: Any) -> dict[str, Any]:
    body = photo_body(URLS)
    for key, value in changes.items():
        if key in ("title", "description", "privacy_level", "auto_add_music"):
            body["post_info"][key] = value
        elif key in ("source", "photo_images", "photo_cover_index"):
            body["source_info"][key] = value
        else:
            body[key] = value
    return body


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (_photo(media_type="VIDEO"), "media_type"),
        (_photo(post_mode="DIRECT POST"), "post_mode"),
        (_photo(source="FILE_UPLOAD"), "PULL_FROM_URL"),
        (_photo(photo_images=[]), "photo_images"),
        (_photo(photo_images=[f"{HOST}{i}.jpg" for i in range(36)]), "photo_images"),
        (_photo(photo_images="a.jpg"), "photo_images"),
        (_photo(photo_cover_index=2), "photo_cover_index"),
        (_photo(photo_cover_index=None), "photo_cover_index"),
        (_photo(title="t" * 91), "post_info.title"),
        (_photo(description="d" * 4001), "post_info.description"),
        (_photo(auto_add_music="on"), "post_info.auto_add_music"),
        (_photo(is_aigc="no"), "is_aigc"),
        (_photo(privacy_level="FRIENDS"), "post_info.privacy_level"),
    ],
)
def test_it_refuses_a_malformed_photo_body_naming_the_field(
    sandbox: RunningSandbox, body: dict[str, Any], field: str
) -> None:
    response = call(sandbox, CONTENT_INIT, connect(sandbox), body)

    assert error_of(response) == (400, "invalid_params")
    assert field in response.json()["error"]["message"]


def test_it_accepts_the_longest_title_and_description_and_35_images(
    sandbox: RunningSandbox,
) -> None:
    body = _photo(
        title="t" * 90,
        description="d" * 4000,
        photo_images=[f"{HOST}{i}.jpg" for i in range(35)],
        photo_cover_index=34,
        is_aigc=True,
    )

    assert call(sandbox, CONTENT_INIT, connect(sandbox), body).json()["error"]["code"] == "ok"


def test_a_direct_photo_post_needs_an_offered_privacy_level(sandbox: RunningSandbox) -> None:
    response = call(sandbox, CONTENT_INIT, connect(sandbox), photo_body(URLS, privacy=None))

    assert error_of(response) == (403, "privacy_level_option_mismatch")


def test_it_refuses_private_branded_photo_content(sandbox: RunningSandbox) -> None:
    body = photo_body(URLS, privacy="SELF_ONLY", brand_content_toggle=True)

    assert error_of(call(sandbox, CONTENT_INIT, connect(sandbox), body)) == (400, "invalid_params")


def test_every_image_must_be_under_a_verified_prefix(sandbox: RunningSandbox) -> None:
    body = photo_body([URLS[0], "https://elsewhere.example.com/c.jpg"])

    assert error_of(call(sandbox, CONTENT_INIT, connect(sandbox), body)) == (
        403,
        "url_ownership_unverified",
    )
