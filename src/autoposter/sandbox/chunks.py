"""The chunk plan a FILE_UPLOAD init must declare (§4.5), checked strictly.

"MB" is ambiguous in TikTok's docs (§10.6): the 4 MB example is 4,194,304 bytes, the chunk
example uses decimal sizes. The sandbox takes the stricter bound of each reading, so a client
that passes here passes real TikTok under either: chunks of at least 5 MiB and at most
64,000,000 bytes, a final chunk of at most 128,000,000 bytes.

The upload endpoint imports these constants to know where each chunk starts and ends.
"""

from __future__ import annotations

MIN_CHUNK = 5 * 1024 * 1024  # 5,242,880: "5 MB" read as MiB, the larger reading.
MAX_CHUNK = 64_000_000  # "64 MB" read as 10^6, the smaller reading.
MAX_FINAL_CHUNK = 128_000_000
MAX_CHUNKS = 1000
MAX_VIDEO = 4 * 1024**3  # §4.10: 4 GB, read generously as GiB.


def chunk_rule_violation(video_size: int, chunk_size: int, count: int) -> str | None:
    """Say which §4.5 rule the plan breaks, or None when it is acceptable.

    The rules are checked in an order that names the most specific problem first.
    """
    if video_size <= 0:
        return "video_size must be a positive number of bytes."
    if video_size < MIN_CHUNK:
        # §4.5 rule 3: a small video is one chunk holding the whole file.
        if chunk_size != video_size or count != 1:
            return (
                f"a video under {MIN_CHUNK} bytes is sent as a single chunk: set chunk_size to "
                f"video_size ({video_size}) and total_chunk_count to 1."
            )
        return None
    if not 1 <= count <= MAX_CHUNKS:
        return f"total_chunk_count must be between 1 and {MAX_CHUNKS}; use bigger chunks."
    if not MIN_CHUNK <= chunk_size <= MAX_CHUNK:
        return f"chunk_size must be between {MIN_CHUNK} and {MAX_CHUNK} bytes (§4.5 rule 2)."
    if chunk_size > video_size:
        return f"chunk_size ({chunk_size}) must not exceed video_size ({video_size})."
    final = video_size - (count - 1) * chunk_size
    if final > MAX_FINAL_CHUNK:
        return (
            f"the final chunk would be {final} bytes; it may hold at most {MAX_FINAL_CHUNK} "
            "bytes: use more chunks."
        )
    expected = video_size // chunk_size
    if count != expected:
        return (
            f"total_chunk_count must be floor(video_size / chunk_size) = {expected} "
            "(§4.5 rule 1); the final chunk absorbs the remainder."
        )
    if video_size > MAX_CHUNK and count < 2:
        return (
            f"a video over {MAX_CHUNK} bytes must be sent in at least 2 chunks "
            "(§4.5 rule 4): choose a smaller chunk_size."
        )
    return None


def chunk_bounds(video_size: int, chunk_size: int, count: int, index: int) -> tuple[int, int]:
    """First and last byte (inclusive) of chunk ``index``; the final chunk runs to the end."""
    first = index * chunk_size
    last = video_size - 1 if index == count - 1 else first + chunk_size - 1
    return first, last
