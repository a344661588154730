"""The upload endpoint: ``PUT {upload_url}`` with sequential ranged chunks (§4.5).

It is a plain ASGI endpoint rather than a FastAPI route: the body is streamed straight to the
session's file as it arrives, each piece written at its offset the moment it is received
(``ChunkWriter`` says why from the event loop). A 64 MB chunk never sits in memory
(bench/sandbox_upload.py measures throughput and memory; ``http_protocol.py`` hands the
pieces over without copying them).

Answers follow §4.5: 404 unknown URL, 403 expired, 400 malformed headers or a body of the
wrong length, 416 a range that is not the next expected chunk, 206 accepted with more to
come, 201 complete. Every answer about a known session carries the progress header
``Content-Range: bytes 0-{last received index}/{total}`` (``bytes */{total}`` before the
first byte) and an empty body; ``X-Sandbox-Error`` says what was wrong.
"""

from __future__ import annotations

import asyncio
import hmac
import os
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs

from fastapi import APIRouter
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from . import processing
from .chunks import chunk_bounds
from .faults import ConnectionDropped
from .state import Publish, UploadSession, World

CONTENT_TYPES = ("video/mp4", "video/quicktime", "video/webm")
CONTENT_RANGE = re.compile(r"bytes (\d+)-(\d+)/(\d+)")
DROP_NOW = -1


class Rejected(Exception):
    """The PUT is refused with ``status``; ``reason`` goes into ``X-Sandbox-Error``."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


class ClientGone(Exception):
    """The client disconnected before the chunk was complete; nothing can be answered."""


@dataclass(frozen=True)
class ChunkRange:
    first: int
    last: int

    @property
    def length(self) -> int:
        return self.last - self.first + 1


@dataclass(frozen=True)
class ResetPlan:
    """The upload reset fault for one chunk: drop after ``after_bytes`` or after accepting."""

    after_bytes: int | None  # None: accept the whole chunk, advance progress, then drop


def progress_header(session: UploadSession) -> str:
    """§4.5 progress, read the RFC way: the last received byte index, inclusive."""
    if session.received == 0:
        return f"bytes */{session.video_size}"
    return f"bytes 0-{session.received - 1}/{session.video_size}"


def expected_chunk(session: UploadSession) -> ChunkRange | None:
    """The next chunk in sequence, or None when every chunk is in (§4.5 rule 5)."""
    if session.chunks_done >= session.total_chunk_count:
        return None
    first, last = chunk_bounds(
        session.video_size, session.chunk_size, session.total_chunk_count, session.chunks_done
    )
    return ChunkRange(first, last)


class UploadEndpoint:
    """The ASGI app behind ``/upload/`` (and ``/video/``, the other shape of §0.1)."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        world: World = scope["app"].state.world
        session: UploadSession | None = None
        try:
            session = find_session(world, scope)
            publish = usable_publish(world, session)
            headers = {
                name.decode("latin-1").lower(): value.decode("latin-1")
                for name, value in scope["headers"]
            }
            chunk = requested_chunk(session, headers)
            check_is_next(session, chunk)
            plan = draw_reset(world, chunk)
            await receive_chunk(world, session, chunk, receive, send, plan)
            complete = commit(world, session, publish, chunk)
        except Rejected as exc:
            await answer(send, exc.status, session, exc.reason)
            return
        except ClientGone:
            return  # progress unchanged; the client resends the chunk
        except OSError as exc:
            # §4.5: a 5xx tells the client to retry the same chunk; progress is unchanged.
            await answer(send, 500, session, f"Could not store the chunk ({exc}); retry it.")
            return
        if plan is not None and plan.after_bytes is None:
            await drop_connection(send)
        await answer(send, 201 if complete else 206, session)


def find_session(world: World, scope: Scope) -> UploadSession:
    params = parse_qs(scope.get("query_string", b"").decode("latin-1"))
    upload_id = (params.get("upload_id") or [""])[0]
    token = (params.get("upload_token") or [""])[0]
    session = world.uploads.get(upload_id)
    if session is None or not hmac.compare_digest(session.upload_token.encode(), token.encode()):
        raise Rejected(
            404,
            "No upload task for this upload_id and upload_token; use the "
            "upload_url returned by init, verbatim.",
        )
    return session


def usable_publish(world: World, session: UploadSession) -> Publish:
    """The session's publish, unless it ended before the upload did (404) or expired (403)."""
    publish = world.publishes.get(session.publish_id)
    complete = session.chunks_done >= session.total_chunk_count
    if publish is None or (publish.status == "FAILED" and not complete):
        raise Rejected(404, "This upload's publish has ended; start a new one with init.")
    if world.now() > session.expires_at:
        raise Rejected(
            403,
            "The upload_url has expired (it is valid for one hour after init); init a new publish.",
        )
    return publish


def requested_chunk(session: UploadSession, headers: dict[str, str]) -> ChunkRange:
    """Check Content-Type, Content-Range and Content-Length against the session (§4.5);
    the first accepted Content-Type is remembered on the session."""
    content_type = headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type not in CONTENT_TYPES:
        raise Rejected(
            400,
            f"Content-Type must be one of {', '.join(CONTENT_TYPES)}, "
            f"not {content_type or 'missing'}.",
        )
    raw_range = headers.get("content-range")
    match = CONTENT_RANGE.fullmatch(raw_range.strip()) if raw_range else None
    if match is None:
        raise Rejected(400, "Send Content-Range: bytes FIRST-LAST/TOTAL (inclusive, 0-based).")
    first, last, total = (int(group) for group in match.groups())
    if first > last or last >= total:
        raise Rejected(400, f"Content-Range {raw_range} is not a range inside 0-{total - 1}.")
    if total != session.video_size:
        raise Rejected(
            400,
            f"Content-Range total {total} differs from the video_size "
            f"{session.video_size} declared at init.",
        )
    raw_length = headers.get("content-length", "").strip()
    if not raw_length.isdigit():
        raise Rejected(400, "Send Content-Length with the number of bytes in this chunk.")
    chunk = ChunkRange(first, last)
    if int(raw_length) != chunk.length:
        raise Rejected(
            400,
            f"Content-Length {raw_length} differs from the {chunk.length} bytes "
            f"that Content-Range {raw_range} covers.",
        )
    session.content_type = session.content_type or content_type
    return chunk


def check_is_next(session: UploadSession, chunk: ChunkRange) -> None:
    """§4.5: chunks go in order; anything else (a resent chunk too, §10.7) is a 416."""
    expected = expected_chunk(session)
    if expected is None:
        raise Rejected(416, "Every chunk is already in; nothing more to upload.")
    if chunk != expected:
        raise Rejected(
            416,
            f"Expected the chunk bytes {expected.first}-{expected.last}/"
            f"{session.video_size}; resume from the progress in Content-Range.",
        )


def draw_reset(world: World, chunk: ChunkRange) -> ResetPlan | None:
    """The seeded upload reset fault: drop mid-body, or after accepting the chunk."""
    rate = world.config.faults.upload_reset_rate
    if rate <= 0 or world.rng.random() >= rate:
        return None
    if world.rng.random() < 0.5:
        return ResetPlan(after_bytes=world.rng.randint(1, max(1, chunk.length - 1)))
    return ResetPlan(after_bytes=None)


async def receive_chunk(
    world: World,
    session: UploadSession,
    chunk: ChunkRange,
    receive: Receive,
    send: Send,
    plan: ResetPlan | None,
) -> None:
    """Stream the body into the session's file at the chunk's offset, counting bytes."""
    writer = ChunkWriter(session.path, chunk.first)
    try:
        drop_after = plan.after_bytes if plan is not None else None
        received = await _pump(world, chunk, receive, writer, drop_after)
    finally:
        writer.close()
    if received == DROP_NOW:
        await drop_connection(send)
    elif received < chunk.length:
        raise Rejected(
            400,
            f"The body ended after {received} of the {chunk.length} bytes its "
            "Content-Length promised; resend the chunk.",
        )


async def _pump(
    world: World,
    chunk: ChunkRange,
    receive: Receive,
    writer: ChunkWriter,
    drop_after: int | None,
) -> int:
    """Read body pieces until the last one; DROP_NOW when the reset fault says so.

    A client that stops sending for ``upload_body_timeout`` seconds has sent a body shorter
    than its Content-Length (the server cannot tell otherwise while the socket stays open).
    """
    idle = world.config.upload_body_timeout
    # Moving the deadline costs a timer handle, so it moves at most every `step` seconds.
    step = min(1.0, idle / 4)
    loop = asyncio.get_running_loop()
    received = 0
    try:
        async with asyncio.timeout(idle) as deadline:
            moved_at = loop.time()
            while True:
                message = await receive()
                if message["type"] == "http.disconnect":
                    raise ClientGone
                body: bytes = message.get("body", b"")
                if body:
                    received += len(body)
                    if received > chunk.length:
                        raise Rejected(
                            400,
                            f"The body is longer than the {chunk.length} bytes "
                            "of its Content-Length.",
                        )
                    writer.write(body)
                    now = loop.time()
                    if now - moved_at > step:
                        deadline.reschedule(now + idle)
                        moved_at = now
                    if drop_after is not None and received >= drop_after:
                        return DROP_NOW
                if not message.get("more_body", False):
                    return received
    except TimeoutError:
        return received


class ChunkWriter:
    """Writes each body piece at its file offset as it arrives, from the event loop.

    Synchronously, on purpose: writing into the page cache is a memory copy, cheapest for
    the thread whose CPU cache still holds the piece it just received. Batching pieces into
    ``pwritev`` calls on worker threads (the previous design) was a quarter slower in
    bench/sandbox_upload.py (about 1150 against 1500 MiB/s on 2 CPUs): the hand-offs, the
    cross-CPU copies and the pieces kept alive meanwhile cost more than the overlap won.
    A write holds the loop for one piece (at most ~256 KB); the kernel makes it wait longer
    only when the disk falls behind the page cache, and then a thread would not make the
    upload any faster.
    """

    def __init__(self, path: Path, offset: int) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o600)
        self._offset = offset

    def write(self, piece: bytes) -> None:
        """Write the whole piece at the next offset, finishing the rest after a short write."""
        view = memoryview(piece)
        while view:
            written = os.pwrite(self._fd, view, self._offset)
            self._offset += written
            view = view[written:]

    def close(self) -> None:
        os.close(self._fd)


def commit(world: World, session: UploadSession, publish: Publish, chunk: ChunkRange) -> bool:
    """Advance progress once the whole chunk is on disk; True when the upload is complete.

    The range is checked again: a duplicate PUT that streamed at the same time as the
    accepted one must not advance progress twice.
    """
    if session.received != chunk.first:
        raise Rejected(
            416,
            "This chunk was accepted meanwhile by another request; resume "
            "from the progress in Content-Range.",
        )
    session.received = chunk.last + 1
    session.chunks_done += 1
    publish.uploaded_bytes = session.received
    complete = session.chunks_done >= session.total_chunk_count
    if complete:
        processing.start_processing(world, publish)
    elif session.chunks_done == 1:
        world.scheduler.at(session.expires_at, lambda: discard_if_unfinished(session))
    return complete


def discard_if_unfinished(session: UploadSession) -> None:
    """An upload the URL expired on will never finish: its partial file can go."""
    if session.chunks_done < session.total_chunk_count:
        session.path.unlink(missing_ok=True)


async def answer(send: Send, status: int, session: UploadSession | None, reason: str = "") -> None:
    headers = [(b"content-length", b"0")]
    if session is not None:
        headers.append((b"content-range", progress_header(session).encode()))
    if reason:
        headers.append((b"x-sandbox-error", reason.encode("latin-1", "replace")))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": b""})


async def drop_connection(send: Send) -> None:
    """Reset the connection: promise a body, send none, raise; the server closes the socket."""
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [(b"content-length", b"1")],
        }
    )
    raise ConnectionDropped("injected: upload connection reset")


endpoint = UploadEndpoint()
router = APIRouter()
# §0.1: both path shapes appear in real upload URLs, with and without the trailing slash.
for _path in ("/upload/", "/upload", "/video/", "/video"):
    router.routes.append(Route(_path, endpoint=endpoint, methods=["PUT"]))
