"""Stream a file to TikTok's ``upload_url`` in the chunks of a :class:`ChunkPlan` (§4.5).

Each chunk is one PUT with explicit ``Content-Length`` and ``Content-Range``; its body is a
generator reading the file in 1 MiB pieces, so memory stays flat whatever the file size. The
``upload_url`` is used verbatim and carries its own credential (§0.1): no Authorization header.

TikTok answers 206 for an intermediate chunk and 201 for the last. A 5xx or a dropped
connection is retried (bounded, with backoff) by sending the chunk again: if TikTok already
had it, it answers 416 with its progress in ``Content-Range``, and the upload resumes from the
chunk boundary TikTok reports. 403 (URL expired) and 404 (no such task) end the upload: a new
init is the caller's decision, never ours (DESIGN: a post is published at most once).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx

from .chunks import Chunk, ChunkPlan
from .errors import (
    RequestValidationError,
    UploadError,
    UploadInterrupted,
    UploadOutOfSync,
    UploadRejected,
    UploadTaskNotFound,
    UploadUrlExpired,
)
from .transport import Transport, header_log_id, url_path

log = logging.getLogger("autoposter.tiktok")

PIECE_SIZE = 1024 * 1024

# §4.5 Content-Type by container.
CONTENT_TYPES = {".mp4": "video/mp4", ".mov": "video/quicktime", ".webm": "video/webm"}

ProgressCallback = Callable[[int, int], None]

_PROGRESS = re.compile(r"^\s*bytes\s+(?:(\d+)-(\d+)|\*)/(\d+)\s*$", re.IGNORECASE)


def content_type_for(path: Path | str) -> str:
    suffix = Path(path).suffix.lower()
    try:
        return CONTENT_TYPES[suffix]
    except KeyError:
        raise RequestValidationError(
            f"TikTok takes .mp4, .mov or .webm video uploads, not {suffix or 'a file without a'}"
            " suffix; convert the file or pass content_type explicitly"
        ) from None


def received_bytes(header: str | None, plan: ChunkPlan) -> int | None:
    """How many bytes TikTok has, from its progress header, or None if that is unclear.

    The header is ``bytes 0-{UPLOADED_BYTES}/{total}`` (or ``bytes */{total}`` when nothing
    arrived). Whether UPLOADED_BYTES is the last byte index (RFC reading) or a byte count is
    [UNK] (§4.5), so take whichever reading lands on a chunk boundary, index first.
    """
    match = _PROGRESS.match(header or "")
    if match is None or int(match.group(3)) != plan.video_size:
        return None
    if match.group(1) is None:
        return 0
    end = int(match.group(2))
    for candidate in (end + 1, end):
        if plan.index_at(candidate) is not None:
            return candidate
    return None


def read_pieces(path: Path, first: int, length: int, piece: int = PIECE_SIZE) -> Iterator[bytes]:
    """``length`` bytes of ``path`` from offset ``first``, ``piece`` bytes at a time."""
    with path.open("rb") as f:
        f.seek(first)
        remaining = length
        while remaining:
            data = f.read(min(piece, remaining))
            if not data:
                raise UploadError(
                    f"{path.name} is shorter than the chunk plan says; was it changed while "
                    "uploading? Plan the chunks again from the file's current size.",
                    code="file_changed",
                )
            remaining -= len(data)
            yield data


@dataclass(frozen=True)
class UploadResult:
    bytes_total: int
    puts: int  # PUT requests made, retries included
    retries: int  # chunks sent again after a 5xx or a dropped connection
    resumed: int  # times TikTok's progress header moved us to another chunk


class UploadApi:
    """The chunked upload. Mixed into :class:`TikTokClient`; needs ``_transport``."""

    _transport: Transport

    def upload_file(
        self,
        upload_url: str,
        path: Path | str,
        plan: ChunkPlan,
        content_type: str | None = None,
        on_progress: ProgressCallback | None = None,
    ) -> UploadResult:
        """Upload ``path`` chunk by chunk; returns once TikTok has every byte (201).

        ``on_progress(sent, total)`` is called as pieces go out; after a retry ``sent`` can go
        back to the chunk boundary TikTok confirmed.
        """
        path = Path(path)
        size = path.stat().st_size
        if size != plan.video_size:
            raise RequestValidationError(
                f"{path.name} is {size:,} bytes but the chunk plan is for {plan.video_size:,}: "
                "plan the chunks from this file's size"
            )
        content_type = content_type or content_type_for(path)
        run = _Run(self._transport, upload_url, path, plan, content_type, on_progress)
        # Every chunk may need a few attempts and a few resyncs; beyond that, give up.
        budget = plan.total_chunk_count * (self._transport.config.upload_retry.max_attempts + 2)
        while run.index < plan.total_chunk_count:
            if run.puts >= budget:
                raise UploadInterrupted(
                    f"gave up after {run.puts} PUTs for {plan.total_chunk_count} chunks",
                    code="upload_budget_exhausted",
                )
            run.send_chunk(plan.chunk(run.index))
        run.report(plan.video_size)
        return UploadResult(plan.video_size, run.puts, run.retries, run.resumed)


@dataclass
class _Run:
    """One upload_file call: its state, and how it sends each chunk."""

    transport: Transport
    url: str
    path: Path
    plan: ChunkPlan
    content_type: str
    on_progress: ProgressCallback | None
    index: int = 0
    failures: int = 0
    puts: int = 0
    retries: int = 0
    resumed: int = 0

    def report(self, sent: int) -> None:
        if self.on_progress is not None:
            self.on_progress(sent, self.plan.video_size)

    def send_chunk(self, chunk: Chunk) -> None:
        self.puts += 1
        try:
            response = self._put(chunk)
        except httpx.TransportError as exc:
            self._retry_later(f"{type(exc).__name__} on chunk {chunk.index}")
            return
        status = response.status_code
        log.debug(
            "PUT %s chunk %d/%d -> HTTP %d",
            url_path(self.url),
            chunk.index + 1,
            self.plan.total_chunk_count,
            status,
        )
        is_last = chunk.index == self.plan.total_chunk_count - 1
        if (status == 206 and not is_last) or (status == 201 and is_last):
            self.index, self.failures = chunk.index + 1, 0
        elif status == 416:
            self._resync(response)
        elif status >= 500:
            self._retry_later(f"HTTP {status} on chunk {chunk.index}")
        else:
            raise _refusal(status, chunk, is_last, header_log_id(response))

    def _put(self, chunk: Chunk) -> httpx.Response:
        headers = {
            "Content-Type": self.content_type,
            "Content-Length": str(chunk.length),
            "Content-Range": chunk.content_range,
        }
        return self.transport.http.put(self.url, content=self._body(chunk), headers=headers)

    def _body(self, chunk: Chunk) -> Iterator[bytes]:
        sent = chunk.first
        for piece in read_pieces(self.path, chunk.first, chunk.length):
            yield piece
            sent += len(piece)
            self.report(sent)

    def _resync(self, response: httpx.Response) -> None:
        """416: TikTok's progress differs from ours; continue from the boundary it reports."""
        header = response.headers.get("content-range")
        received = received_bytes(header, self.plan)
        index = None if received is None else self.plan.index_at(received)
        if index is None:
            raise UploadOutOfSync(
                f"TikTok reports progress {header!r}, which is not a chunk boundary of this plan",
                code="upload_out_of_sync",
                http_status=416,
            )
        if index == self.plan.total_chunk_count:
            log.info("TikTok already has all %d bytes of the upload", received)
        else:
            log.info(
                "upload resumes at chunk %d/%d (TikTok has %d bytes)",
                index + 1,
                self.plan.total_chunk_count,
                received,
            )
        self.index, self.failures = index, 0
        self.resumed += 1

    def _retry_later(self, reason: str) -> None:
        policy = self.transport.config.upload_retry
        self.failures += 1
        if self.failures >= policy.max_attempts:
            raise UploadInterrupted(
                f"{reason}, {self.failures} times in a row", code="upload_interrupted"
            )
        self.retries += 1
        delay = policy.delay(self.failures - 1, self.transport.rng)
        log.info("retrying upload after %s in %.3fs", reason, delay)
        self.transport.sleep(delay)


def _refusal(status: int, chunk: Chunk, is_last: bool, log_id: str | None) -> UploadError:
    where = f"HTTP {status} on chunk {chunk.index} ({chunk.content_range})"
    if status == 403:
        return UploadUrlExpired(where, code="upload_url_expired", log_id=log_id, http_status=403)
    if status == 404:
        return UploadTaskNotFound(
            where, code="upload_task_not_found", log_id=log_id, http_status=404
        )
    if status in (201, 206):
        expected = 201 if is_last else 206
        return UploadOutOfSync(
            f"{where}, expected {expected}",
            code="upload_unexpected_status",
            log_id=log_id,
            http_status=status,
        )
    return UploadRejected(where, code="upload_rejected", log_id=log_id, http_status=status)
