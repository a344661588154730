"""The upload endpoint's rules and answers (§4.5), over real HTTP."""

from __future__ import annotations

import hashlib
import socket
from urllib.parse import urlsplit

import httpx
import pytest

from autoposter.sandbox import RunningSandbox
from tests.conftest import StartSandbox
from tests.sandbox.posting_support import status_of
from tests.sandbox.support import connect
from tests.sandbox.uploads import (
    advance,
    chunk_ranges,
    init_file_upload,
    put_chunk,
    wait_for_publish,
)

SPEC_SIZE, SPEC_CHUNK = 50_000_123, 10_000_000  # §4.5's worked example
SMALL = 4_194_304


def test_it_takes_the_spec_example_in_five_chunks_with_exact_progress(
    sandbox: RunningSandbox,
) -> None:
    token = connect(sandbox)
    publish_id, url = init_file_upload(sandbox, token, SPEC_SIZE, SPEC_CHUNK)
    answers = []
    with httpx.Client(timeout=30) as client:
        for first, last in chunk_ranges(SPEC_SIZE, SPEC_CHUNK):
            response = put_chunk(client, url, first, last, SPEC_SIZE)
            answers.append((response.status_code, response.headers["content-range"]))
            assert response.content == b""
    assert answers == [
        (206, "bytes 0-9999999/50000123"),
        (206, "bytes 0-19999999/50000123"),
        (206, "bytes 0-29999999/50000123"),
        (206, "bytes 0-39999999/50000123"),
        (201, "bytes 0-50000122/50000123"),
    ]
    assert status_of(sandbox, token, publish_id)["uploaded_bytes"] == SPEC_SIZE


def test_it_takes_a_small_video_in_one_put(sandbox: RunningSandbox) -> None:
    token = connect(sandbox)
    _, url = init_file_upload(sandbox, token, SMALL)
    with httpx.Client() as client:
        response = put_chunk(client, url, 0, SMALL - 1, SMALL)
    assert response.status_code == 201
    assert response.headers["content-range"] == "bytes 0-4194303/4194304"


def test_it_also_answers_on_the_video_path_shape_without_a_trailing_slash(
    sandbox: RunningSandbox,
) -> None:
    token = connect(sandbox)
    _, url = init_file_upload(sandbox, token, 1000)
    parts = urlsplit(url)
    other_shape = f"{parts.scheme}://{parts.netloc}/video?{parts.query}"
    with httpx.Client() as client:
        response = put_chunk(client, other_shape, 0, 999, 1000)
    assert response.status_code == 201


@pytest.mark.parametrize(
    ("total", "body", "blamed"),
    [(1000, bytes(998), "Content-Length"), (1001, None, "video_size")],
    ids=["a-content-length-that-differs-from-the-range", "a-total-other-than-the-video-size"],
)
def test_it_refuses_a_chunk_whose_sizes_disagree_and_keeps_nothing(
    sandbox: RunningSandbox, total: int, body: bytes | None, blamed: str
) -> None:
    token = connect(sandbox)
    publish_id, url = init_file_upload(sandbox, token, 1000)
    with httpx.Client() as client:
        response = put_chunk(client, url, 0, 999, total, body=body)
    assert response.status_code == 400
    assert response.headers["content-range"] == "bytes */1000"
    assert blamed in response.headers["x-sandbox-error"]
    assert status_of(sandbox, token, publish_id)["uploaded_bytes"] == 0


def test_it_refuses_a_body_shorter_than_its_content_length_and_keeps_progress(
    start_sandbox: StartSandbox,
) -> None:
    sandbox = start_sandbox(upload_body_timeout=0.3)
    token = connect(sandbox)
    size, chunk = 12_000_000, 6_000_000
    publish_id, url = init_file_upload(sandbox, token, size, chunk)
    with httpx.Client() as client:
        assert put_chunk(client, url, 0, chunk - 1, size).status_code == 206
    # Promise the second chunk, send half of it, then wait for the answer.
    head = _request_head(url, chunk, size - 1, size, length=size - chunk)
    answer = _send_partial(url, head, bytes(1000))
    assert answer.startswith(b"HTTP/1.1 400")
    assert b"content-range: bytes 0-5999999/12000000" in answer.lower()
    assert status_of(sandbox, token, publish_id)["uploaded_bytes"] == chunk
    with httpx.Client() as client:
        assert put_chunk(client, url, chunk, size - 1, size).status_code == 201


def test_it_refuses_an_out_of_order_chunk_with_416_and_the_progress(
    sandbox: RunningSandbox,
) -> None:
    token = connect(sandbox)
    size, chunk = 3 * 6_000_000, 6_000_000
    _, url = init_file_upload(sandbox, token, size, chunk)
    with httpx.Client() as client:
        skipped_first = put_chunk(client, url, chunk, 2 * chunk - 1, size)
        assert skipped_first.status_code == 416
        assert skipped_first.headers["content-range"] == f"bytes */{size}"
        assert put_chunk(client, url, 0, chunk - 1, size).status_code == 206
        skipped_second = put_chunk(client, url, 2 * chunk, size - 1, size)
        wrong_offset = put_chunk(client, url, chunk + 1, 2 * chunk, size)
    for response in (skipped_second, wrong_offset):
        assert response.status_code == 416
        assert response.headers["content-range"] == "bytes 0-5999999/18000000"


def test_it_refuses_a_resent_chunk_with_416(sandbox: RunningSandbox) -> None:
    token = connect(sandbox)
    size, chunk = 2 * 6_000_000, 6_000_000
    _, url = init_file_upload(sandbox, token, size, chunk)
    with httpx.Client() as client:
        assert put_chunk(client, url, 0, chunk - 1, size).status_code == 206
        again = put_chunk(client, url, 0, chunk - 1, size)
        assert again.status_code == 416
        assert again.headers["content-range"] == "bytes 0-5999999/12000000"
        assert put_chunk(client, url, chunk, size - 1, size).status_code == 201
        after_the_end = put_chunk(client, url, chunk, size - 1, size)
    assert after_the_end.status_code == 416
    assert after_the_end.headers["content-range"] == "bytes 0-11999999/12000000"


def test_it_refuses_an_expired_upload_url_with_403(sandbox: RunningSandbox) -> None:
    token = connect(sandbox)
    _, url = init_file_upload(sandbox, token, 1000)
    advance(sandbox, 3601)  # §4.2: the upload_url is valid for one hour
    with httpx.Client() as client:
        response = put_chunk(client, url, 0, 999, 1000)
    assert response.status_code == 403
    assert response.headers["content-range"] == "bytes */1000"


def test_it_deletes_the_partial_file_of_an_upload_whose_url_expired(
    sandbox: RunningSandbox,
) -> None:
    token = connect(sandbox)
    size, chunk = 2 * 6_000_000, 6_000_000
    _, url = init_file_upload(sandbox, token, size, chunk)
    with httpx.Client() as client:
        assert put_chunk(client, url, 0, chunk - 1, size).status_code == 206
    assert list(sandbox.world.data_dir.iterdir()) != []
    advance(sandbox, 3601)
    assert list(sandbox.world.data_dir.iterdir()) == []


def test_it_answers_404_for_a_wrong_token_or_an_unknown_upload_id(
    sandbox: RunningSandbox,
) -> None:
    token = connect(sandbox)
    _, url = init_file_upload(sandbox, token, 1000)
    parts = urlsplit(url)
    base = f"{parts.scheme}://{parts.netloc}{parts.path}"
    upload_id = parts.query.split("&")[0]
    wrong_token = f"{base}?{upload_id}&upload_token=not-the-token"
    unknown_id = f"{base}?upload_id=1234567890123456789&upload_token=x"
    with httpx.Client() as client:
        for bad_url in (wrong_token, unknown_id, base):
            assert put_chunk(client, bad_url, 0, 999, 1000).status_code == 404
        assert put_chunk(client, url, 0, 999, 1000).status_code == 201


def test_it_refuses_a_content_type_that_is_not_a_video_type(sandbox: RunningSandbox) -> None:
    token = connect(sandbox)
    _, url = init_file_upload(sandbox, token, 1000)
    with httpx.Client() as client:
        wrong = put_chunk(client, url, 0, 999, 1000, content_type="application/octet-stream")
        assert wrong.status_code == 400
        assert "Content-Type" in wrong.headers["x-sandbox-error"]
        for allowed in ("video/quicktime", "video/webm; codecs=vp9"):
            # Each is accepted as far as the headers go: the range check answers next.
            response = put_chunk(client, url, 5, 999, 1000, content_type=allowed)
            assert response.status_code == 416


def test_it_refuses_a_missing_or_malformed_content_range(sandbox: RunningSandbox) -> None:
    token = connect(sandbox)
    _, url = init_file_upload(sandbox, token, 1000)
    bad_ranges = ["", "bytes=0-999/1000", "bytes 0-999/*", "bytes 999-0/1000", "bytes 0-1000/1000"]
    with httpx.Client() as client:
        for value in bad_ranges:
            headers = {"Content-Range": value}
            response = put_chunk(client, url, 0, 999, 1000, headers=headers)
            assert response.status_code == 400, value
            assert response.headers["content-range"] == "bytes */1000"


def test_it_writes_each_chunk_at_the_offset_its_range_gives(sandbox: RunningSandbox) -> None:
    token = connect(sandbox)
    size, chunk = 11_000_000, 5_500_000
    data = b"a" * chunk + b"b" * (size - chunk)
    publish_id, url = init_file_upload(sandbox, token, size, chunk)
    with httpx.Client() as client:
        put_chunk(client, url, 0, chunk - 1, size, body=data[:chunk])
        put_chunk(client, url, chunk, size - 1, size, body=data[chunk:])
    publish = wait_for_publish(sandbox, publish_id, "FAILED")  # not a video, but hashed
    assert publish.content_hash == hashlib.sha256(data).hexdigest()


def _request_head(url: str, first: int, last: int, total: int, *, length: int) -> bytes:
    parts = urlsplit(url)
    return (
        f"PUT {parts.path}?{parts.query} HTTP/1.1\r\n"
        f"Host: {parts.netloc}\r\n"
        "Content-Type: video/mp4\r\n"
        f"Content-Range: bytes {first}-{last}/{total}\r\n"
        f"Content-Length: {length}\r\n\r\n"
    ).encode()


def _send_partial(url: str, head: bytes, body: bytes) -> bytes:
    """Send a request whose body stops early, keep the socket open, read the answer."""
    parts = urlsplit(url)
    with socket.create_connection((parts.hostname, parts.port), timeout=10) as sock:
        sock.sendall(head + body)
        answer = b""
        while b"\r\n\r\n" not in answer:
            piece = sock.recv(4096)
            if not piece:
                break
            answer += piece
    return answer
