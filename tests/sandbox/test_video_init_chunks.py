"""The chunk plan a FILE_UPLOAD init declares (§4.5), strict under both readings of "MB"."""

from __future__ import annotations

import pytest

from autoposter.sandbox import RunningSandbox
from autoposter.sandbox.chunks import (
    MAX_CHUNK,
    MIN_CHUNK,
    chunk_bounds,
    chunk_rule_violation,
)
from tests.sandbox.posting_support import (
    INBOX_INIT,
    VIDEO_INIT,
    call,
    direct_video,
    error_of,
    file_source,
)
from tests.sandbox.support import connect


@pytest.mark.parametrize(
    ("video_size", "chunk_size", "count"),
    [
        (50_000_123, 10_000_000, 5),  # §4.5's worked example
        (4_194_304, 4_194_304, 1),  # §4.5's whole-file example
        (1, 1, 1),
        (MIN_CHUNK, MIN_CHUNK, 1),
        (MAX_CHUNK, MAX_CHUNK, 1),
        (64_000_001, 32_000_000, 2),
        (191_999_999, 64_000_000, 2),  # final chunk of 127,999,999 bytes
        (4 * 1024**3, 64_000_000, 67),
    ],
)
def test_it_accepts_a_valid_chunk_plan(
    sandbox: RunningSandbox, video_size: int, chunk_size: int, count: int
) -> None:
    body = direct_video(source=file_source(video_size, chunk_size, count))

    response = call(sandbox, VIDEO_INIT, connect(sandbox), body)

    assert response.json()["error"]["code"] == "ok", response.text


@pytest.mark.parametrize(
    ("video_size", "chunk_size", "count", "rule"),
    [
        (64_000_001, 64_000_000, 1, "at least 2 chunks"),  # §4.5 rule 4
        (4_000_000, 1_000_000, 4, "single chunk"),  # under 5 MiB, split anyway
        (4_000_000, 4_000_000, 2, "single chunk"),
        (1001 * 4_000_000, 4_000_000, 1001, "between 1 and 1000"),
        (200_000_000, 64_000_000, 2, "final chunk"),  # 136,000,000 bytes at the end
        (50_000_123, 10_000_000, 4, "floor"),
        (50_000_123, 10_000_000, 6, "floor"),
        (20_000_000, 5_000_000, 4, "chunk_size must be between"),  # 5 MB < 5 MiB
        (200_000_000, 64_000_001, 3, "chunk_size must be between"),
        (10_000_000, 20_000_000, 1, "must not exceed video_size"),
    ],
)
def test_it_refuses_an_invalid_chunk_plan_saying_which_rule(
    sandbox: RunningSandbox, video_size: int, chunk_size: int, count: int, rule: str
) -> None:
    body = direct_video(source=file_source(video_size, chunk_size, count))

    response = call(sandbox, VIDEO_INIT, connect(sandbox), body)

    assert error_of(response) == (400, "invalid_params")
    message = response.json()["error"]["message"]
    assert message.startswith("The chunk size is invalid")
    assert rule in message


def test_the_inbox_init_checks_the_same_chunk_rules(sandbox: RunningSandbox) -> None:
    token = connect(sandbox)
    one_big_chunk = {"source_info": file_source(64_000_001, 64_000_000, 1)}
    two_chunks = {"source_info": file_source(64_000_001, 32_000_000, 2)}

    assert error_of(call(sandbox, INBOX_INIT, token, one_big_chunk)) == (400, "invalid_params")
    assert call(sandbox, INBOX_INIT, token, two_chunks).json()["error"]["code"] == "ok"


def test_the_rule_function_refuses_more_than_a_thousand_chunks() -> None:
    violation = chunk_rule_violation(1001 * MIN_CHUNK, MIN_CHUNK, 1001)

    assert violation is not None
    assert "1000" in violation


def test_the_final_chunk_absorbs_the_remainder() -> None:
    assert chunk_bounds(50_000_123, 10_000_000, 5, 0) == (0, 9_999_999)
    assert chunk_bounds(50_000_123, 10_000_000, 5, 3) == (30_000_000, 39_999_999)
    assert chunk_bounds(50_000_123, 10_000_000, 5, 4) == (40_000_000, 50_000_122)
