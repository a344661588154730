"""The chunk planner follows §4.5's rules under either reading of "MB" (§10.6)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from autoposter.tiktok import (
    MAX_CHUNK,
    MAX_CHUNKS,
    MAX_FINAL_CHUNK,
    MAX_VIDEO_SIZE,
    MIN_CHUNK,
    ChunkPlan,
    ChunkPlanError,
    plan_chunks,
)

sizes = st.integers(min_value=1, max_value=MAX_VIDEO_SIZE)
preferred_chunks = st.integers(min_value=MIN_CHUNK, max_value=MAX_CHUNK)


def assert_follows_every_rule(plan: ChunkPlan) -> None:
    size = plan.video_size
    chunks = plan.chunks
    # Rule 1 and rule 5.
    assert plan.total_chunk_count == size // plan.chunk_size
    assert 1 <= plan.total_chunk_count <= MAX_CHUNKS
    assert len(chunks) == plan.total_chunk_count
    if size < MIN_CHUNK:
        # Rule 3: one chunk of exactly the file.
        assert (plan.chunk_size, plan.total_chunk_count) == (size, 1)
    else:
        # Rule 2, strict reading: 5 MiB ≤ chunk_size ≤ 64,000,000.
        assert MIN_CHUNK <= plan.chunk_size <= MAX_CHUNK
    if size > MAX_CHUNK:
        assert plan.total_chunk_count >= 2  # rule 4
    for chunk in chunks[:-1]:
        assert chunk.length == plan.chunk_size
    assert chunks[-1].length <= MAX_FINAL_CHUNK
    assert chunks[-1].length >= plan.chunk_size or plan.total_chunk_count == 1


def assert_tiles_the_file(plan: ChunkPlan) -> None:
    position = 0
    for index, chunk in enumerate(plan.chunks):
        assert chunk.index == index
        assert chunk.first == position
        assert chunk.last >= chunk.first
        assert chunk.content_range == f"bytes {chunk.first}-{chunk.last}/{plan.video_size}"
        position = chunk.last + 1
    assert position == plan.video_size


@given(size=sizes)
def test_every_plan_with_the_default_chunk_follows_the_rules_and_tiles_the_file(size: int) -> None:
    plan = plan_chunks(size)
    assert_follows_every_rule(plan)
    assert_tiles_the_file(plan)


@given(size=sizes, preferred=preferred_chunks)
def test_every_plan_with_any_allowed_chunk_follows_the_rules(size: int, preferred: int) -> None:
    plan = plan_chunks(size, preferred)
    assert_follows_every_rule(plan)
    assert_tiles_the_file(plan)


@given(
    size=st.integers(min_value=2 * MAX_CHUNK, max_value=MAX_VIDEO_SIZE), preferred=preferred_chunks
)
def test_it_uses_the_preferred_chunk_when_the_file_is_big_enough(size: int, preferred: int) -> None:
    assert plan_chunks(size, preferred).chunk_size == preferred


@given(size=st.one_of(st.integers(max_value=0), st.integers(min_value=MAX_VIDEO_SIZE + 1)))
def test_it_refuses_only_empty_files_and_files_over_4_gib(size: int) -> None:
    with pytest.raises(ChunkPlanError):
        plan_chunks(size)


def test_the_specs_worked_example_gives_five_chunks_with_the_exact_ranges() -> None:
    plan = plan_chunks(50_000_123, preferred_chunk=10_000_000)
    assert (plan.chunk_size, plan.total_chunk_count) == (10_000_000, 5)
    assert [c.content_range for c in plan.chunks] == [
        "bytes 0-9999999/50000123",
        "bytes 10000000-19999999/50000123",
        "bytes 20000000-29999999/50000123",
        "bytes 30000000-39999999/50000123",
        "bytes 40000000-50000122/50000123",
    ]
    assert plan.chunks[-1].length == 10_000_123


def test_a_4_mib_file_is_one_chunk_of_exactly_its_size() -> None:
    plan = plan_chunks(4_194_304)
    assert (plan.chunk_size, plan.total_chunk_count) == (4_194_304, 1)
    assert [c.content_range for c in plan.chunks] == ["bytes 0-4194303/4194304"]


def test_one_byte_over_64_000_000_needs_two_chunks_even_with_64_000_000_chunks() -> None:
    plan = plan_chunks(64_000_001, preferred_chunk=64_000_000)
    assert plan.total_chunk_count == 2
    assert [c.length for c in plan.chunks] == [32_000_000, 32_000_001]


def test_exactly_64_000_000_bytes_may_be_one_chunk() -> None:
    plan = plan_chunks(64_000_000, preferred_chunk=64_000_000)
    assert (plan.chunk_size, plan.total_chunk_count) == (64_000_000, 1)


def test_the_largest_file_fits_in_at_most_1000_chunks() -> None:
    plan = plan_chunks(MAX_VIDEO_SIZE, preferred_chunk=MIN_CHUNK)
    assert plan.total_chunk_count == MAX_VIDEO_SIZE // MIN_CHUNK <= MAX_CHUNKS
    assert plan.chunks[-1].last == MAX_VIDEO_SIZE - 1


def test_the_plan_gives_the_init_its_source_info() -> None:
    assert plan_chunks(50_000_123).source_info() == {
        "source": "FILE_UPLOAD",
        "video_size": 50_000_123,
        "chunk_size": 10_000_000,
        "total_chunk_count": 5,
    }


def test_the_refusal_says_what_to_do() -> None:
    with pytest.raises(ChunkPlanError, match="empty"):
        plan_chunks(0)
    with pytest.raises(ChunkPlanError, match="up to 4 GB"):
        plan_chunks(MAX_VIDEO_SIZE + 1)


@pytest.mark.parametrize("preferred", [MIN_CHUNK - 1, MAX_CHUNK + 1])
def test_it_refuses_a_preferred_chunk_outside_tiktoks_limits(preferred: int) -> None:
    with pytest.raises(ValueError, match="outside TikTok's chunk limits"):
        plan_chunks(100_000_000, preferred)


def test_it_finds_the_chunk_at_a_boundary_and_nowhere_else() -> None:
    plan = plan_chunks(50_000_123)
    assert plan.index_at(0) == 0
    assert plan.index_at(20_000_000) == 2
    assert plan.index_at(50_000_123) == 5
    assert plan.index_at(20_000_001) is None
    assert plan.index_at(50_000_000) is None  # inside the last, larger chunk
