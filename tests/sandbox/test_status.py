"""status/fetch (§4.7): fields by source, the raw int64 post ids, and whose publish it is."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest

from autoposter.sandbox import RunningSandbox
from tests.conftest import StartSandbox
from tests.fileserver import MediaServer
from tests.media import make_video
from tests.sandbox.posting_support import (
    INBOX_INIT,
    STATUS,
    VIDEO_INIT,
    call,
    direct_video,
    error_of,
    file_source,
    url_source,
    wait_for_status,
    wait_until,
)
from tests.sandbox.support import connect


@pytest.fixture
def sandbox(start_sandbox: StartSandbox, media_server: MediaServer) -> RunningSandbox:
    return start_sandbox(verified_url_prefixes=[media_server.url])


def _init(sandbox: RunningSandbox, token: dict[str, object], body: dict[str, object]) -> str:
    publish_id: str = call(sandbox, VIDEO_INIT, token, body).json()["data"]["publish_id"]
    return publish_id


def test_a_file_upload_reports_uploaded_bytes_only(sandbox: RunningSandbox) -> None:
    token = connect(sandbox)
    publish_id = _init(sandbox, token, direct_video())

    response = call(sandbox, STATUS, token, {"publish_id": publish_id})

    assert response.json()["error"]["code"] == "ok"
    assert response.json()["data"] == {
        "status": "PROCESSING_UPLOAD",
        "publicaly_available_post_id": [],
        "uploaded_bytes": 0,
    }


def test_a_finished_file_upload_reports_every_byte(sandbox: RunningSandbox, tmp_path: Path) -> None:
    token = connect(sandbox)
    clip = make_video(tmp_path / "clip.mp4").read_bytes()
    body = direct_video(source=file_source(len(clip)))
    data = call(sandbox, VIDEO_INIT, token, body).json()["data"]
    headers = {
        "Content-Type": "video/mp4",
        "Content-Range": f"bytes 0-{len(clip) - 1}/{len(clip)}",
    }

    put = httpx.put(data["upload_url"], content=clip, headers=headers)

    assert put.status_code == 201
    done = wait_for_status(sandbox, token, data["publish_id"], "PUBLISH_COMPLETE", "FAILED")
    assert (done["status"], done["uploaded_bytes"]) == ("PUBLISH_COMPLETE", len(clip))
    assert "downloaded_bytes" not in done


def test_a_failed_pull_reports_its_fail_reason_and_downloaded_bytes(
    sandbox: RunningSandbox, media_server: MediaServer
) -> None:
    token = connect(sandbox)
    publish_id = _init(
        sandbox, token, direct_video(source=url_source(media_server.file_url("none.mp4")))
    )

    data = wait_for_status(sandbox, token, publish_id, "FAILED")

    assert data == {
        "status": "FAILED",
        "fail_reason": "video_pull_failed",
        "publicaly_available_post_id": [],
        "downloaded_bytes": 0,
    }


def test_public_post_ids_are_unquoted_64_bit_integers(
    sandbox: RunningSandbox, media_server: MediaServer, tmp_path: Path
) -> None:
    token = connect(sandbox)
    url = media_server.add("clip.mp4", make_video(tmp_path / "clip.mp4"))
    publish_id = _init(sandbox, token, direct_video(source=url_source(url)))
    wait_until(sandbox, token, publish_id, lambda d: d["publicaly_available_post_id"])

    response = call(sandbox, STATUS, token, {"publish_id": publish_id})

    [post_id] = response.json()["data"]["publicaly_available_post_id"]
    assert isinstance(post_id, int) and len(str(post_id)) == 19
    assert re.search(r'"publicaly_available_post_id":\s*\[\d{19}\]', response.text)


def test_a_private_post_never_gets_a_public_post_id(
    sandbox: RunningSandbox, media_server: MediaServer, tmp_path: Path
) -> None:
    token = connect(sandbox)
    url = media_server.add("clip.mp4", make_video(tmp_path / "clip.mp4"))
    publish_id = _init(sandbox, token, direct_video("SELF_ONLY", source=url_source(url)))
    wait_for_status(sandbox, token, publish_id, "PUBLISH_COMPLETE")

    sandbox.world.clock.advance(60)

    assert (
        wait_for_status(sandbox, token, publish_id, "PUBLISH_COMPLETE")[
            "publicaly_available_post_id"
        ]
        == []
    )


def test_it_answers_a_token_with_only_the_upload_scope(sandbox: RunningSandbox) -> None:
    token = connect(sandbox, scopes=("user.info.basic", "video.upload"))
    response = call(sandbox, INBOX_INIT, token, {"source_info": direct_video()["source_info"]})

    status = call(sandbox, STATUS, token, {"publish_id": response.json()["data"]["publish_id"]})

    assert status.json()["error"]["code"] == "ok"


def test_it_needs_a_posting_scope(sandbox: RunningSandbox) -> None:
    token = connect(sandbox, scopes=("user.info.basic", "video.list"))

    response = call(sandbox, STATUS, token, {"publish_id": "v_pub_file~v2-1.1"})

    assert error_of(response) == (401, "scope_not_authorized")


def test_it_refuses_an_unknown_publish_id(sandbox: RunningSandbox) -> None:
    response = call(sandbox, STATUS, connect(sandbox), {"publish_id": "v_pub_file~v2-1.42"})

    assert error_of(response) == (400, "invalid_publish_id")


@pytest.mark.parametrize("body", [{}, {"publish_id": 42}, {"publish_id": ""}])
def test_it_refuses_a_missing_publish_id(sandbox: RunningSandbox, body: dict[str, object]) -> None:
    response = call(sandbox, STATUS, connect(sandbox), body)

    assert error_of(response) == (400, "invalid_params")
    assert "publish_id" in response.json()["error"]["message"]


def test_it_refuses_another_creators_publish(sandbox: RunningSandbox) -> None:
    publish_id = _init(sandbox, connect(sandbox, "public"), direct_video())

    response = call(sandbox, STATUS, connect(sandbox, "locked"), {"publish_id": publish_id})

    assert error_of(response) == (400, "token_not_authorized_for_specified_publish_id")


def test_it_still_knows_the_publish_after_the_creator_reconnects(
    sandbox: RunningSandbox,
) -> None:
    publish_id = _init(sandbox, connect(sandbox, "public"), direct_video())
    newer_token = connect(sandbox, "public")

    response = call(sandbox, STATUS, newer_token, {"publish_id": publish_id})

    assert response.json()["error"]["code"] == "ok"


def test_it_allows_thirty_queries_a_minute_per_token(sandbox: RunningSandbox) -> None:
    token = connect(sandbox)
    publish_id = _init(sandbox, token, direct_video())
    body = {"publish_id": publish_id}

    answers = [call(sandbox, STATUS, token, body).status_code for _ in range(30)]

    assert answers == [200] * 30
    assert error_of(call(sandbox, STATUS, token, body)) == (429, "rate_limit_exceeded")
    sandbox.world.clock.advance(61)
    assert call(sandbox, STATUS, token, body).status_code == 200
