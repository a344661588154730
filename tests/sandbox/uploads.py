"""Helpers for the upload, processing and webhook tests: init, PUT chunks, wait on state."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx

from autoposter.sandbox import RunningSandbox
from autoposter.sandbox.state import Publish
from tests.sandbox.posting_support import INBOX_INIT, VIDEO_INIT
from tests.sandbox.support import bearer


def init_file_upload(
    sandbox: RunningSandbox,
    token: dict[str, Any],
    size: int,
    chunk_size: int | None = None,
    *,
    inbox: bool = False,
    privacy_level: str = "SELF_ONLY",
    title: str = "",
) -> tuple[str, str]:
    """Init a FILE_UPLOAD (direct or inbox); returns ``(publish_id, upload_url)``."""
    chunk_size = chunk_size or size
    source_info = {
        "source": "FILE_UPLOAD",
        "video_size": size,
        "chunk_size": chunk_size,
        "total_chunk_count": max(1, size // chunk_size),
    }
    body: dict[str, Any] = {"source_info": source_info}
    if not inbox:
        body["post_info"] = {"privacy_level": privacy_level, "title": title}
    path = INBOX_INIT if inbox else VIDEO_INIT
    response = httpx.post(f"{sandbox.url}{path}", headers=bearer(token), json=body)
    assert response.status_code == 200, response.text
    data = response.json()["data"]
    return data["publish_id"], data["upload_url"]


def chunk_ranges(size: int, chunk_size: int) -> list[tuple[int, int]]:
    """§4.5: floor(size / chunk) chunks, the last one absorbing the remainder."""
    count = max(1, size // chunk_size)
    ranges = [(i * chunk_size, i * chunk_size + chunk_size - 1) for i in range(count)]
    ranges[-1] = (ranges[-1][0], size - 1)
    return ranges


def zeros(length: int, piece: int = 1 << 20) -> Iterator[bytes]:
    """A body of ``length`` zero bytes generated on the fly, never held whole in memory."""
    block = bytes(min(piece, length))
    sent = 0
    while sent < length:
        part = block if length - sent >= len(block) else block[: length - sent]
        sent += len(part)
        yield part


def put_chunk(
    client: httpx.Client,
    upload_url: str,
    first: int,
    last: int,
    total: int,
    body: bytes | Iterator[bytes] | None = None,
    *,
    content_type: str = "video/mp4",
    headers: dict[str, str] | None = None,
) -> httpx.Response:
    """PUT one chunk with the §4.5 headers; the body defaults to the right number of zeros.

    Content-Length is the body's real length, as an HTTP client sends it.
    """
    length = last - first + 1
    all_headers = {"Content-Type": content_type, "Content-Range": f"bytes {first}-{last}/{total}"}
    if body is None:
        # A streamed body needs its length given, or it would go out chunked.
        all_headers["Content-Length"] = str(length)
    all_headers.update(headers or {})
    content = zeros(length) if body is None else body
    return client.put(upload_url, content=content, headers=all_headers)


def upload_bytes(upload_url: str, data: bytes, chunk_size: int | None = None) -> httpx.Response:
    """Upload ``data`` in sequence; returns the final answer."""
    ranges = chunk_ranges(len(data), chunk_size or len(data))
    with httpx.Client(timeout=30) as client:
        for first, last in ranges:
            response = put_chunk(client, upload_url, first, last, len(data), data[first : last + 1])
            assert response.status_code in (201, 206), response.headers
    return response


def upload_file(sandbox: RunningSandbox, token: dict[str, Any], path: Path, **init: Any) -> str:
    """Init a FILE_UPLOAD for a real media file and upload it; returns the publish_id."""
    data = path.read_bytes()
    publish_id, upload_url = init_file_upload(sandbox, token, len(data), **init)
    assert upload_bytes(upload_url, data).status_code == 201
    return publish_id


def wait_for(condition: Callable[[], Any], what: str, timeout: float = 30.0) -> Any:
    """Poll ``condition`` until it is truthy (bounded, generous for a loaded CI machine);
    returns its value."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}")


def wait_for_publish(
    sandbox: RunningSandbox, publish_id: str, wanted: str | tuple[str, ...]
) -> Publish:
    """Wait until the publish reaches one of ``wanted``, watching the sandbox's world (which,
    unlike status/fetch, has no rate limit to mind)."""
    statuses = (wanted,) if isinstance(wanted, str) else wanted
    publish = sandbox.world.publishes[publish_id]
    wait_for(lambda: publish.status in statuses, f"{publish_id} to reach {statuses}")
    return publish


def events(sandbox: RunningSandbox, publish_id: str) -> list[str]:
    """The webhook events recorded for a publish, in order."""
    return [d.event for d in sandbox.world.webhooks if publish_id in d.body]


def advance(sandbox: RunningSandbox, seconds: float) -> None:
    """Move the sandbox clock through its control endpoint; due events run at once."""
    response = httpx.post(f"{sandbox.url}/sandbox/api/clock/advance", json={"seconds": seconds})
    assert response.status_code == 200, response.text
