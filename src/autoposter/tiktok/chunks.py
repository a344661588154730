"""Split a video into upload chunks that TikTok accepts (§4.5 "Chunk rules").

TikTok states its limits in "MB" without saying whether that is 10^6 or 2^20 bytes (§10.6),
so every limit here is the stricter of the two readings; a plan made here passes either way:

- every chunk but the last is ``chunk_size`` bytes, 5,242,880 (5 MiB) ≤ chunk_size ≤
  64,000,000 (rule 2);
- the last chunk absorbs the remainder and stays ≤ 128,000,000 (rule 2);
- ``total_chunk_count = floor(size / chunk_size)`` (rule 1), between 1 and 1000 (rule 5);
- a video under 5 MiB is one chunk with ``chunk_size == size`` (rule 3);
- a video over 64,000,000 bytes gets at least two chunks (rule 4).

A single-chunk plan always uses ``chunk_size == size`` (the only reading rule 3 allows).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from .errors import RequestValidationError

MIN_CHUNK = 5 * 1024 * 1024  # 5,242,880: "5 MB" read as MiB, ≥ the decimal 5,000,000
MAX_CHUNK = 64_000_000  # "64 MB" read as decimal, ≤ the binary 67,108,864
MAX_FINAL_CHUNK = 128_000_000
MAX_CHUNKS = 1000
MAX_VIDEO_SIZE = 4 * 1024 * 1024 * 1024  # §4.10: 4 GB, the 4 GiB ceiling this client allows
DEFAULT_CHUNK = 10_000_000  # §4.5: the common choice (Postiz, sim)


class ChunkPlanError(RequestValidationError):
    """The file cannot be uploaded to TikTok in chunks (empty, or larger than 4 GiB)."""


@dataclass(frozen=True)
class Chunk:
    index: int
    first: int  # first byte offset, inclusive
    last: int  # last byte offset, inclusive
    total: int  # the whole file's size

    @property
    def length(self) -> int:
        return self.last - self.first + 1

    @property
    def content_range(self) -> str:
        """The ``Content-Range`` header of this chunk's PUT (§4.5)."""
        return f"bytes {self.first}-{self.last}/{self.total}"


@dataclass(frozen=True)
class ChunkPlan:
    video_size: int
    chunk_size: int
    total_chunk_count: int

    def chunk(self, index: int) -> Chunk:
        if not 0 <= index < self.total_chunk_count:
            raise IndexError(f"chunk {index} is outside 0..{self.total_chunk_count - 1}")
        first = index * self.chunk_size
        is_last = index == self.total_chunk_count - 1
        last = self.video_size - 1 if is_last else first + self.chunk_size - 1
        return Chunk(index=index, first=first, last=last, total=self.video_size)

    @property
    def chunks(self) -> list[Chunk]:
        return list(self)

    def __iter__(self) -> Iterator[Chunk]:
        return (self.chunk(i) for i in range(self.total_chunk_count))

    def __len__(self) -> int:
        return self.total_chunk_count

    def index_at(self, offset: int) -> int | None:
        """The chunk that starts at byte ``offset`` (``total_chunk_count`` at the end), else None.

        Used to resume: TikTok's progress is only meaningful on a chunk boundary.
        """
        if offset == self.video_size:
            return self.total_chunk_count
        if offset < 0 or offset % self.chunk_size:
            return None
        index = offset // self.chunk_size
        return index if index < self.total_chunk_count else None

    def source_info(self) -> dict[str, int | str]:
        """The ``source_info`` of a FILE_UPLOAD init (§4.2)."""
        return {
            "source": "FILE_UPLOAD",
            "video_size": self.video_size,
            "chunk_size": self.chunk_size,
            "total_chunk_count": self.total_chunk_count,
        }


def plan_chunks(size: int, preferred_chunk: int = DEFAULT_CHUNK) -> ChunkPlan:
    """The chunk plan for a file of ``size`` bytes, using ``preferred_chunk`` where allowed."""
    _check_size(size)
    if not MIN_CHUNK <= preferred_chunk <= MAX_CHUNK:
        raise ValueError(
            f"preferred_chunk {preferred_chunk:,} is outside TikTok's chunk limits "
            f"{MIN_CHUNK:,}..{MAX_CHUNK:,} bytes; pick a size in that range"
        )
    if size <= MAX_CHUNK and size < 2 * preferred_chunk:
        # Rule 3 for < 5 MiB; above that one chunk of the whole file is also valid, and
        # chunk_size == size is the one single-chunk shape every reading accepts.
        return ChunkPlan(video_size=size, chunk_size=size, total_chunk_count=1)
    chunk_size = preferred_chunk
    if size // chunk_size < 2:
        # Rule 4: more than 64,000,000 bytes must be split. Half the file (rounded down) is
        # ≥ 32,000,000 and the last chunk, ceil(size / 2), is ≤ 64,000,000 since size < 2 × 64M.
        chunk_size = size // 2
    count = size // chunk_size
    return ChunkPlan(video_size=size, chunk_size=chunk_size, total_chunk_count=count)


def _check_size(size: int) -> None:
    if isinstance(size, bool) or not isinstance(size, int):
        raise ChunkPlanError(f"the file size must be an int number of bytes, not {size!r}")
    if size <= 0:
        raise ChunkPlanError("the file is empty: TikTok cannot take a 0-byte video")
    if size > MAX_VIDEO_SIZE:
        raise ChunkPlanError(
            f"the file is {size:,} bytes; TikTok takes videos up to 4 GB "
            f"({MAX_VIDEO_SIZE:,} bytes): compress or shorten it"
        )
