"""The upload reset fault: connections dropped mid-body or after the chunk was kept (§4.5)."""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass

import httpx

from autoposter.sandbox import RunningSandbox
from tests.conftest import StartSandbox
from tests.sandbox.support import connect
from tests.sandbox.uploads import init_file_upload, put_chunk, wait_for_publish

CHUNK = 5_300_000
SIZE = 8 * CHUNK + 12_345


@dataclass
class ResumeLog:
    """What a resuming client saw: resets, and what the next PUT said about each."""

    resets: int = 0
    lost_then_accepted: int = 0  # reset mid-body: the resend was accepted (206/201)
    kept_then_416: int = 0  # reset after the chunk was kept: the resend got 416


def progress_end(response: httpx.Response) -> int:
    """The next byte to send, from ``Content-Range: bytes 0-LAST/TOTAL`` or ``bytes */TOTAL``."""
    value = response.headers["content-range"]
    span = value.split(" ")[1].split("/")[0]
    return 0 if span == "*" else int(span.split("-")[1]) + 1


def upload_resuming(url: str, data: bytes) -> ResumeLog:
    """A client that resends after a reset and resumes from the progress header on 416."""
    log, offset, after_reset = ResumeLog(), 0, False
    total = len(data)
    with httpx.Client(timeout=30) as client:
        for _ in range(200):
            index = offset // CHUNK
            last = total - 1 if index == total // CHUNK - 1 else offset + CHUNK - 1
            try:
                response = put_chunk(client, url, offset, last, total, data[offset : last + 1])
            except httpx.TransportError:
                log.resets, after_reset = log.resets + 1, True
                continue
            if response.status_code == 416:
                log.kept_then_416 += after_reset
                offset = progress_end(response)
                if offset == total:
                    return log
            else:
                assert response.status_code in (201, 206), response.headers
                log.lost_then_accepted += after_reset
                assert progress_end(response) == last + 1
                if response.status_code == 201:
                    return log
                offset = last + 1
            after_reset = False
    raise AssertionError("the upload did not finish")


def test_it_resets_some_chunks_both_ways_and_the_upload_still_completes_intact(
    start_sandbox: StartSandbox,
) -> None:
    sandbox = start_sandbox(seed=7)
    sandbox.world.config.faults.upload_reset_rate = 0.5
    token = connect(sandbox)
    data = random.Random(1).randbytes(SIZE)
    publish_id, url = init_file_upload(sandbox, token, SIZE, CHUNK)
    log = upload_resuming(url, data)
    assert log.resets >= 2
    assert log.lost_then_accepted >= 1
    assert log.kept_then_416 >= 1
    publish = wait_for_publish(sandbox, publish_id, "FAILED")  # random bytes: not a video
    assert publish.uploaded_bytes == SIZE
    assert publish.content_hash == hashlib.sha256(data).hexdigest()


def test_after_a_reset_the_resend_agrees_with_the_progress_the_sandbox_kept(
    sandbox: RunningSandbox,
) -> None:
    token = connect(sandbox)
    publish_id, url = init_file_upload(sandbox, token, SIZE, CHUNK)
    session = sandbox.world.publishes[publish_id].upload
    assert session is not None
    faults = sandbox.world.config.faults
    with httpx.Client(timeout=30) as client:
        for first in range(0, 6 * CHUNK, CHUNK):
            faults.upload_reset_rate = 1.0
            try:
                put_chunk(client, url, first, first + CHUNK - 1, SIZE)
                raise AssertionError("the fault should have reset the connection")
            except httpx.TransportError:
                pass
            kept = session.received
            assert kept in (first, first + CHUNK)  # nothing or exactly the whole chunk
            faults.upload_reset_rate = 0.0
            resend = put_chunk(client, url, first, first + CHUNK - 1, SIZE)
            assert resend.status_code == (416 if kept > first else 206)
            assert progress_end(resend) == first + CHUNK
