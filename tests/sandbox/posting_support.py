"""Helpers for the Content Posting tests: request bodies, calls, and bounded status polling."""

from __future__ import annotations

import json
import time
from typing import Any

import httpx

from autoposter.sandbox import RunningSandbox
from tests.sandbox.support import bearer

CREATOR_INFO = "/v2/post/publish/creator_info/query/"
VIDEO_INIT = "/v2/post/publish/video/init/"
INBOX_INIT = "/v2/post/publish/inbox/video/init/"
CONTENT_INIT = "/v2/post/publish/content/init/"
STATUS = "/v2/post/publish/status/fetch/"
CANCEL = "/v2/post/publish/cancel/"

# Polls every 0.2 s for at most 5 s stay under status/fetch's 30 requests a minute (§6).
POLL_INTERVAL = 0.2

SMALL_VIDEO = 1_000_000  # under 5 MiB: one chunk holding the whole file (§4.5 rule 3)


def call(
    sandbox: RunningSandbox, path: str, token: dict[str, Any], body: object = None
) -> httpx.Response:
    """POST a JSON body (or none) to a v2 endpoint with the token's bearer header."""
    if body is None:
        return httpx.post(f"{sandbox.url}{path}", headers=bearer(token))
    return httpx.post(f"{sandbox.url}{path}", headers=bearer(token), json=body)


def file_source(
    video_size: int = SMALL_VIDEO, chunk_size: int | None = None, count: int = 1
) -> dict[str, Any]:
    return {
        "source": "FILE_UPLOAD",
        "video_size": video_size,
        "chunk_size": video_size if chunk_size is None else chunk_size,
        "total_chunk_count": count,
    }


def url_source(url: str) -> dict[str, Any]:
    return {"source": "PULL_FROM_URL", "video_url": url}


def direct_video(
    privacy: str | None = "PUBLIC_TO_EVERYONE", source: dict[str, Any] | None = None, **post: Any
) -> dict[str, Any]:
    post_info: dict[str, Any] = dict(post)
    if privacy is not None:
        post_info["privacy_level"] = privacy
    return {"post_info": post_info, "source_info": source or file_source()}


def photo_body(
    urls: list[str],
    mode: str = "DIRECT_POST",
    privacy: str | None = "PUBLIC_TO_EVERYONE",
    cover: int = 0,
    **post: Any,
) -> dict[str, Any]:
    post_info: dict[str, Any] = dict(post)
    if privacy is not None:
        post_info["privacy_level"] = privacy
    return {
        "media_type": "PHOTO",
        "post_mode": mode,
        "post_info": post_info,
        "source_info": {
            "source": "PULL_FROM_URL",
            "photo_images": urls,
            "photo_cover_index": cover,
        },
    }


def error_of(response: httpx.Response) -> tuple[int, str]:
    return response.status_code, response.json()["error"]["code"]


def status_of(sandbox: RunningSandbox, token: dict[str, Any], publish_id: str) -> dict[str, Any]:
    response = call(sandbox, STATUS, token, {"publish_id": publish_id})
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()["data"]
    return data


def wait_for_status(
    sandbox: RunningSandbox,
    token: dict[str, Any],
    publish_id: str,
    *wanted: str,
    deadline: float = 5.0,
) -> dict[str, Any]:
    """Poll status/fetch until the status is one of ``wanted`` (bounded; fails otherwise)."""
    return wait_until(
        sandbox,
        token,
        publish_id,
        lambda data: data["status"] in wanted,
        deadline=deadline,
        what=f"status in {wanted}",
    )


def wait_until(
    sandbox: RunningSandbox,
    token: dict[str, Any],
    publish_id: str,
    condition: Any,
    *,
    deadline: float = 5.0,
    what: str = "condition",
) -> dict[str, Any]:
    end = time.monotonic() + deadline
    data: dict[str, Any] = {}
    while time.monotonic() < end:
        data = status_of(sandbox, token, publish_id)
        if condition(data):
            return data
        time.sleep(POLL_INTERVAL)
    raise AssertionError(f"{publish_id}: no {what} within {deadline} s; last status {data}")


def webhook_events(sandbox: RunningSandbox, publish_id: str) -> list[dict[str, Any]]:
    """Webhook events recorded for one publish, through the inspection API."""
    response = httpx.get(f"{sandbox.url}/sandbox/api/webhooks")
    assert response.status_code == 200, response.text
    events = []
    for delivery in response.json()["webhooks"]:
        payload = delivery["payload"]
        content = json.loads(payload["content"])
        if content.get("publish_id") == publish_id:
            events.append({"event": payload["event"], **content})
    return events
