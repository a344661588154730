"""Upload bodies skip the HTTP parser (sandbox/http_protocol.py): a connection must still
frame every request exactly, for kept-alive and pipelined PUTs (§4.5), over a raw socket."""

from __future__ import annotations

import hashlib
import random
import socket
from urllib.parse import urlsplit

from autoposter.sandbox import RunningSandbox
from tests.sandbox.support import connect
from tests.sandbox.uploads import init_file_upload, wait_for_publish

CHUNK = 6_000_000
SIZE = 2 * CHUNK


def put_request(url: str, first: int, last: int, body: bytes) -> bytes:
    """One whole PUT of a chunk (§4.5 headers), as bytes on the wire."""
    parts = urlsplit(url)
    head = (
        f"PUT {parts.path}?{parts.query} HTTP/1.1\r\n"
        f"Host: {parts.netloc}\r\n"
        "Content-Type: video/mp4\r\n"
        f"Content-Range: bytes {first}-{last}/{SIZE}\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


def exchange(url: str, requests: list[bytes], answers: int) -> list[bytes]:
    """Send the requests back to back on one connection; the heads of the first answers.

    Every answer of the upload endpoint has an empty body, so heads are all there is.
    """
    parts = urlsplit(url)
    with socket.create_connection((parts.hostname, parts.port), timeout=10) as sock:
        sock.sendall(b"".join(requests))
        received = b""
        while received.count(b"\r\n\r\n") < answers:
            piece = sock.recv(65536)
            if not piece:
                break
            received += piece
    return received.split(b"\r\n\r\n")[:answers]


def status_and_progress(head: bytes) -> tuple[int, str]:
    lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.lower().split(": ", 1) for line in lines[1:])
    return int(lines[0].split(" ")[1]), headers["content-range"]


def test_it_answers_a_chunk_pipelined_right_behind_another_and_keeps_both_intact(
    sandbox: RunningSandbox,
) -> None:
    token = connect(sandbox)
    data = random.Random(3).randbytes(SIZE)
    publish_id, url = init_file_upload(sandbox, token, SIZE, CHUNK)
    first = put_request(url, 0, CHUNK - 1, data[:CHUNK])
    second = put_request(url, CHUNK, SIZE - 1, data[CHUNK:])
    answers = exchange(url, [first, second], answers=2)
    assert [status_and_progress(head) for head in answers] == [
        (206, f"bytes 0-{CHUNK - 1}/{SIZE}"),
        (201, f"bytes 0-{SIZE - 1}/{SIZE}"),
    ]
    publish = wait_for_publish(sandbox, publish_id, "FAILED")  # random bytes: not a video
    assert publish.content_hash == hashlib.sha256(data).hexdigest()


def test_it_skips_the_whole_body_of_a_refused_chunk_before_reading_the_next_request(
    sandbox: RunningSandbox,
) -> None:
    token = connect(sandbox)
    data = random.Random(4).randbytes(SIZE)
    publish_id, url = init_file_upload(sandbox, token, SIZE, CHUNK)
    out_of_order = put_request(url, CHUNK, SIZE - 1, data[CHUNK:])  # refused before its body
    in_order = put_request(url, 0, CHUNK - 1, data[:CHUNK])
    answers = exchange(url, [out_of_order, in_order], answers=2)
    assert [status_and_progress(head) for head in answers] == [
        (416, f"bytes */{SIZE}"),
        (206, f"bytes 0-{CHUNK - 1}/{SIZE}"),
    ]
    last = exchange(url, [put_request(url, CHUNK, SIZE - 1, data[CHUNK:])], answers=1)
    assert status_and_progress(last[0]) == (201, f"bytes 0-{SIZE - 1}/{SIZE}")
    publish = wait_for_publish(sandbox, publish_id, "FAILED")
    assert publish.content_hash == hashlib.sha256(data).hexdigest()
