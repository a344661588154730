"""Direct Post video init (§4.2): what it answers, and each refusal in its documented status."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from autoposter.sandbox import RunningSandbox
from tests.conftest import StartSandbox
from tests.sandbox.posting_support import (
    VIDEO_INIT,
    call,
    direct_video,
    error_of,
    file_source,
    status_of,
    url_source,
)
from tests.sandbox.support import bearer, connect

UPLOAD_TOKEN = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"


def test_a_file_upload_init_answers_a_publish_id_and_an_upload_url(
    sandbox: RunningSandbox,
) -> None:
    response = call(sandbox, VIDEO_INIT, connect(sandbox), direct_video())

    assert response.status_code == 200
    body = response.json()
    assert body["error"]["code"] == "ok"
    assert re.fullmatch(r"v_pub_file~v2-1\.\d{19}", body["data"]["publish_id"])
    assert len(body["data"]["publish_id"]) <= 64
    upload_url = re.escape(f"{sandbox.url}/upload/?upload_id=") + r"\d{19}&upload_token="
    assert re.fullmatch(upload_url + UPLOAD_TOKEN, body["data"]["upload_url"])
    assert response.headers["x-tt-logid"] == body["error"]["log_id"]


def test_a_new_file_upload_publish_waits_for_its_bytes(sandbox: RunningSandbox) -> None:
    token = connect(sandbox)
    publish_id = call(sandbox, VIDEO_INIT, token, direct_video()).json()["data"]["publish_id"]

    data = status_of(sandbox, token, publish_id)

    assert data["status"] == "PROCESSING_UPLOAD"
    assert data["uploaded_bytes"] == 0


def test_a_pull_from_url_init_answers_only_a_publish_id(start_sandbox: StartSandbox) -> None:
    sandbox = start_sandbox(verified_url_prefixes=["https://media.example.com/videos/"])
    body = direct_video(source=url_source("https://media.example.com/videos/clip.mp4"))

    data = call(sandbox, VIDEO_INIT, connect(sandbox), body).json()["data"]

    assert set(data) == {"publish_id"}
    assert re.fullmatch(r"v_pub_url~v2\.\d{19}", data["publish_id"])


def test_it_accepts_a_title_of_exactly_2200_utf16_units(sandbox: RunningSandbox) -> None:
    title = "\N{GRINNING FACE}" * 1100  # each emoji is two UTF-16 code units

    response = call(sandbox, VIDEO_INIT, connect(sandbox), direct_video(title=title))

    assert response.json()["error"]["code"] == "ok"


def _without(body: dict[str, Any], *path: str) -> dict[str, Any]:
    target = body
    for key in path[:-1]:
        target = target[key]
    del target[path[-1]]
    return body


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (_without(direct_video(), "source_info"), "source_info"),
        (direct_video(source={"source": "FROM_DISK"}), "source_info.source"),
        (direct_video(privacy="EVERYONE"), "post_info.privacy_level"),
        (direct_video(title="\N{GRINNING FACE}" * 1100 + "!"), "post_info.title"),
        (direct_video(title=42), "post_info.title"),
        (direct_video(disable_comment="yes"), "post_info.disable_comment"),
        (direct_video(video_cover_timestamp_ms=-1), "video_cover_timestamp_ms"),
        (direct_video(source={**file_source(), "video_size": "1000000"}), "video_size"),
        (direct_video(source=_without(file_source(), "chunk_size")), "chunk_size"),
        (direct_video(source=file_source(4 * 1024**3 + 1, 64_000_000, 67)), "video_size"),
        (direct_video(source={"source": "PULL_FROM_URL"}), "video_url"),
        (direct_video(source=url_source("ftp://media.example.com/a.mp4")), "video_url"),
        ({"post_info": [], "source_info": file_source()}, "post_info"),
    ],
)
def test_it_refuses_a_malformed_body_naming_the_field(
    sandbox: RunningSandbox, body: dict[str, Any], field: str
) -> None:
    response = call(sandbox, VIDEO_INIT, connect(sandbox), body)

    assert error_of(response) == (400, "invalid_params")
    assert field in response.json()["error"]["message"]
    assert response.json()["data"] == {}


@pytest.mark.parametrize("raw", [b"", b"not json", b"[1, 2]"])
def test_it_refuses_a_body_that_is_not_a_json_object(sandbox: RunningSandbox, raw: bytes) -> None:
    response = httpx.post(
        f"{sandbox.url}{VIDEO_INIT}",
        headers={**bearer(connect(sandbox)), "Content-Type": "application/json"},
        content=raw,
    )

    assert error_of(response) == (400, "invalid_params")


@pytest.mark.parametrize("privacy", ["FOLLOWER_OF_CREATOR", None])
def test_it_refuses_a_privacy_level_the_creator_does_not_offer(
    sandbox: RunningSandbox, privacy: str | None
) -> None:
    response = call(sandbox, VIDEO_INIT, connect(sandbox, "public"), direct_video(privacy))

    assert error_of(response) == (403, "privacy_level_option_mismatch")
    assert "privacy_level_options" in response.json()["error"]["message"]


def test_it_accepts_a_follower_only_post_from_a_private_account(sandbox: RunningSandbox) -> None:
    body = direct_video("FOLLOWER_OF_CREATOR")

    response = call(sandbox, VIDEO_INIT, connect(sandbox, "private"), body)

    assert response.json()["error"]["code"] == "ok"


def test_it_refuses_private_branded_content(sandbox: RunningSandbox) -> None:
    body = direct_video("SELF_ONLY", brand_content_toggle=True)

    response = call(sandbox, VIDEO_INIT, connect(sandbox), body)

    assert error_of(response) == (400, "invalid_params")
    assert "private" in response.json()["error"]["message"]


def test_it_accepts_public_branded_content(sandbox: RunningSandbox) -> None:
    body = direct_video(brand_content_toggle=True, brand_organic_toggle=True, is_aigc=True)

    assert call(sandbox, VIDEO_INIT, connect(sandbox), body).json()["error"]["code"] == "ok"


def test_it_refuses_a_url_outside_the_verified_prefixes(start_sandbox: StartSandbox) -> None:
    sandbox = start_sandbox(verified_url_prefixes=["https://media.example.com/videos/"])
    body = direct_video(source=url_source("https://media.example.com/other/clip.mp4"))

    response = call(sandbox, VIDEO_INIT, connect(sandbox), body)

    assert error_of(response) == (403, "url_ownership_unverified")


def test_it_needs_the_video_publish_scope(sandbox: RunningSandbox) -> None:
    token = connect(sandbox, scopes=("user.info.basic", "video.upload"))

    assert error_of(call(sandbox, VIDEO_INIT, token, direct_video())) == (
        401,
        "scope_not_authorized",
    )


def test_it_checks_the_token_before_the_body(sandbox: RunningSandbox) -> None:
    response = httpx.post(
        f"{sandbox.url}{VIDEO_INIT}", headers={"Authorization": "Bearer act.nope"}, json={}
    )

    assert error_of(response) == (401, "access_token_invalid")


def test_it_checks_the_privacy_level_before_the_url_and_the_chunks(
    start_sandbox: StartSandbox,
) -> None:
    sandbox = start_sandbox()
    token = connect(sandbox)
    unverified = direct_video("FOLLOWER_OF_CREATOR", source=url_source("https://x.example/a.mp4"))
    bad_chunks = direct_video("FOLLOWER_OF_CREATOR", source=file_source(10_000_000, 1, 1))

    assert error_of(call(sandbox, VIDEO_INIT, token, unverified))[1] == (
        "privacy_level_option_mismatch"
    )
    assert error_of(call(sandbox, VIDEO_INIT, token, bad_chunks))[1] == (
        "privacy_level_option_mismatch"
    )
