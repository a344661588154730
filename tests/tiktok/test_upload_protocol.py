"""The exact shape of upload PUTs and the reading of TikTok's progress header (§0.1, §4.5).

A scripted stand-in for the upload host records each request; the sandbox-backed behaviour
is in test_upload.py.
"""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from autoposter.tiktok import (
    MIN_CHUNK,
    RetryPolicy,
    TikTokClient,
    TikTokConfig,
    UploadOutOfSync,
    UploadRejected,
    content_type_for,
    plan_chunks,
    received_bytes,
)
from autoposter.tiktok.upload import PIECE_SIZE, read_pieces
from tests.media import make_sparse

URL = "https://open-upload.tiktokapis.com/video/?upload_id=67890&upload_token=Xza123%2Bq"


class UploadHost:
    """Answers PUTs from a script of (status, progress header) pairs; records requests."""

    def __init__(self, *answers: tuple[int, str | None] | Exception) -> None:
        self.answers = list(answers)
        self.requests: list[httpx.Request] = []
        self.body_sizes: list[int] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        body = request.read()
        self.requests.append(request)
        self.body_sizes.append(len(body))
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        status, progress = answer
        headers = {"Content-Range": progress} if progress else {}
        return httpx.Response(status, headers=headers)

    def client(self) -> TikTokClient:
        config = TikTokConfig(
            "key", "secret-123", upload_retry=RetryPolicy(max_attempts=3, base_delay=0.0)
        )
        http = httpx.Client(transport=httpx.MockTransport(self))
        return TikTokClient(config, http=http, sleep=lambda _: None)


@pytest.fixture
def three_chunks(tmp_path: Path) -> Path:
    return make_sparse(tmp_path / "v.mov", 3 * MIN_CHUNK + 7)


def test_each_put_has_length_range_and_type_and_no_authorization(three_chunks: Path) -> None:
    host = UploadHost((206, None), (206, None), (201, None))
    plan = plan_chunks(three_chunks.stat().st_size, MIN_CHUNK)
    host.client().upload_file(URL, three_chunks, plan)
    size = three_chunks.stat().st_size
    assert [r.headers["content-range"] for r in host.requests] == [c.content_range for c in plan]
    assert [int(r.headers["content-length"]) for r in host.requests] == [c.length for c in plan]
    assert host.body_sizes == [c.length for c in plan]
    assert plan.chunks[-1].content_range == f"bytes {2 * MIN_CHUNK}-{size - 1}/{size}"
    for request in host.requests:
        assert request.method == "PUT"
        assert str(request.url) == URL  # verbatim, query and all
        assert request.headers["content-type"] == "video/quicktime"
        assert "authorization" not in request.headers
        assert "transfer-encoding" not in request.headers


def test_a_resent_chunk_tiktok_already_has_is_skipped_by_its_progress(three_chunks: Path) -> None:
    plan = plan_chunks(three_chunks.stat().st_size, MIN_CHUNK)
    size = plan.video_size
    host = UploadHost(
        (206, f"bytes 0-{MIN_CHUNK - 1}/{size}"),
        httpx.ReadError("connection reset"),  # chunk 1 arrived, its answer did not
        (416, f"bytes 0-{2 * MIN_CHUNK - 1}/{size}"),
        (201, f"bytes 0-{size - 1}/{size}"),
    )
    result = host.client().upload_file(URL, three_chunks, plan)
    ranges = [r.headers["content-range"] for r in host.requests]
    assert ranges == [
        plan.chunk(0).content_range,
        plan.chunk(1).content_range,
        plan.chunk(1).content_range,
        plan.chunk(2).content_range,
    ]
    assert (result.retries, result.resumed) == (1, 1)


def test_progress_given_as_a_byte_count_is_understood(three_chunks: Path) -> None:
    plan = plan_chunks(three_chunks.stat().st_size, MIN_CHUNK)
    host = UploadHost((416, f"bytes 0-{2 * MIN_CHUNK}/{plan.video_size}"), (201, None))
    host.client().upload_file(URL, three_chunks, plan)
    assert host.requests[1].headers["content-range"] == plan.chunk(2).content_range


def test_progress_inside_a_chunk_cannot_be_resumed(three_chunks: Path) -> None:
    plan = plan_chunks(three_chunks.stat().st_size, MIN_CHUNK)
    host = UploadHost((416, f"bytes 0-12344/{plan.video_size}"))
    with pytest.raises(UploadOutOfSync, match="not a chunk boundary"):
        host.client().upload_file(URL, three_chunks, plan)


def test_a_201_before_the_last_chunk_is_out_of_sync(three_chunks: Path) -> None:
    plan = plan_chunks(three_chunks.stat().st_size, MIN_CHUNK)
    with pytest.raises(UploadOutOfSync, match="expected 206"):
        UploadHost((201, None)).client().upload_file(URL, three_chunks, plan)


def test_a_400_is_a_rejected_chunk_and_not_retried(three_chunks: Path) -> None:
    plan = plan_chunks(three_chunks.stat().st_size, MIN_CHUNK)
    host = UploadHost((400, None))
    with pytest.raises(UploadRejected):
        host.client().upload_file(URL, three_chunks, plan)
    assert len(host.requests) == 1


def test_the_progress_header_readings() -> None:
    plan = plan_chunks(50_000_123, 10_000_000)
    assert received_bytes("bytes */50000123", plan) == 0
    assert received_bytes("bytes 0-9999999/50000123", plan) == 10_000_000  # last index
    assert received_bytes("bytes 0-20000000/50000123", plan) == 20_000_000  # a count
    assert received_bytes("bytes 0-50000122/50000123", plan) == 50_000_123
    assert received_bytes("bytes 0-9999999/123", plan) is None  # another file
    assert received_bytes("bytes 0-5/50000123", plan) is None
    assert received_bytes(None, plan) is None
    assert received_bytes("nonsense", plan) is None


def test_the_body_is_read_in_pieces_of_at_most_one_mib(tmp_path: Path) -> None:
    path = make_sparse(tmp_path / "f.mp4", 3 * PIECE_SIZE + 10)
    pieces = list(read_pieces(path, 5, 2 * PIECE_SIZE + 3))
    assert [len(p) for p in pieces] == [PIECE_SIZE, PIECE_SIZE, 3]


def test_content_types_follow_the_suffix() -> None:
    assert content_type_for("a.mp4") == "video/mp4"
    assert content_type_for("a.MOV") == "video/quicktime"
    assert content_type_for(Path("a.webm")) == "video/webm"
