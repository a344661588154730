"""The media checks TikTok runs after it has the bytes (§4.9, §4.10), as pure functions.

Probing reads the file with PyAV (FFmpeg): the container, the first video stream's codec,
average frame rate, size and duration; for photos the first decoded frame. Each check
answers the ``fail_reason`` TikTok would report, or ``None`` when the media passes.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import av

# §4.10: MP4 (and its sibling MOV) or WebM; FFmpeg names the demuxer families like this.
MP4_FAMILY = "mov,mp4,m4a,3gp,3g2,mj2"
MATROSKA_FAMILY = "matroska,webm"
VIDEO_CODECS = frozenset({"h264", "hevc", "vp8", "vp9"})
# WebM is the Matroska subset that carries only VP8/VP9 (and AV1, which TikTok doesn't
# list), so a Matroska file with H.264 in it is an .mkv, not a WebM.
WEBM_CODECS = frozenset({"vp8", "vp9"})
MIN_FPS, MAX_FPS = 23.0, 60.0
MIN_SIDE, MAX_SIDE = 360, 4096
MAX_VIDEO_BYTES = 4 * 1024**3
# §4.10: "API accepts up to 10 min" whatever the creator's own limit says.
API_MAX_DURATION_SEC = 600

# §4.10 photos: JPEG or WebP, at most 1080p (1920 x 1080 either way up), at most 20 MB.
PHOTO_CODECS = frozenset({"mjpeg", "webp"})
PHOTO_LONG_SIDE, PHOTO_SHORT_SIDE = 1920, 1080
MAX_PHOTO_BYTES = 20_000_000

FORMAT_FAILED = "file_format_check_failed"
FRAME_RATE_FAILED = "frame_rate_check_failed"
PICTURE_SIZE_FAILED = "picture_size_check_failed"
DURATION_FAILED = "duration_check_failed"


@dataclass(frozen=True)
class MediaInfo:
    """What the checks need to know about one file."""

    container: str
    codec: str
    width: int
    height: int
    size: int
    fps: float | None = None
    duration: float | None = None


def probe_video(path: Path) -> MediaInfo | None:
    """Probe a video file; ``None`` when FFmpeg cannot read it or it has no video stream."""
    try:
        with av.open(str(path)) as container:
            if not container.streams.video:
                return None
            stream = container.streams.video[0]
            rate = stream.average_rate or stream.guessed_rate
            fps = float(rate) if rate else None
            return MediaInfo(
                container=container.format.name,
                codec=stream.codec_context.codec.name,
                width=int(stream.width),
                height=int(stream.height),
                size=os.path.getsize(path),
                fps=fps,
                duration=_duration_seconds(container, stream, fps),
            )
    except (av.FFmpegError, OSError, ValueError, IndexError):
        return None


def _duration_seconds(container: Any, stream: Any, fps: float | None) -> float | None:
    """The container's duration, else the stream's, else frames / rate; ``None`` if unknown."""
    if container.duration is not None:
        return float(container.duration) / 1_000_000  # AV_TIME_BASE is microseconds
    if stream.duration is not None and stream.time_base is not None:
        return float(stream.duration * stream.time_base)
    frames = int(stream.frames or 0)
    return frames / fps if frames and fps else None


def probe_photo(path: Path) -> MediaInfo | None:
    """Decode a still image's first frame; ``None`` when it is not a readable image."""
    try:
        with av.open(str(path)) as container:
            if not container.streams.video:
                return None
            stream = container.streams.video[0]
            frame = next(container.decode(stream))
            return MediaInfo(
                container=container.format.name,
                codec=stream.codec_context.codec.name,
                width=int(frame.width),
                height=int(frame.height),
                size=os.path.getsize(path),
            )
    except (av.FFmpegError, OSError, ValueError, StopIteration, IndexError):
        return None


def check_video(info: MediaInfo | None, max_duration_sec: int) -> str | None:
    """The §4.9 fail_reason for a video, checked in the order format, rate, size, duration."""
    if info is None or info.codec not in VIDEO_CODECS:
        return FORMAT_FAILED
    if info.container == MATROSKA_FAMILY and info.codec not in WEBM_CODECS:
        return FORMAT_FAILED
    if info.container not in (MP4_FAMILY, MATROSKA_FAMILY):
        return FORMAT_FAILED
    if info.fps is None or not MIN_FPS <= info.fps <= MAX_FPS:
        return FRAME_RATE_FAILED
    if not (MIN_SIDE <= info.width <= MAX_SIDE and MIN_SIDE <= info.height <= MAX_SIDE):
        return PICTURE_SIZE_FAILED
    if info.size > MAX_VIDEO_BYTES:
        # §4.10 caps size at 4 GB; §4.9 has no size reason, and "picture size" is the nearest.
        return PICTURE_SIZE_FAILED
    limit = min(max_duration_sec, API_MAX_DURATION_SEC)
    if info.duration is not None and info.duration > limit:
        return DURATION_FAILED
    return None


def check_photo(info: MediaInfo | None) -> str | None:
    """The §4.9 fail_reason for one photo (PNG and other formats fail the format check)."""
    if info is None or info.codec not in PHOTO_CODECS:
        return FORMAT_FAILED
    long_side, short_side = max(info.width, info.height), min(info.width, info.height)
    if long_side > PHOTO_LONG_SIDE or short_side > PHOTO_SHORT_SIDE:
        return PICTURE_SIZE_FAILED
    if info.size > MAX_PHOTO_BYTES:
        return PICTURE_SIZE_FAILED
    return None


def inspect_video(path: Path, max_duration_sec: int) -> tuple[MediaInfo | None, str | None]:
    info = probe_video(path)
    return info, check_video(info, max_duration_sec)


def inspect_photos(paths: list[Path]) -> tuple[MediaInfo | None, str | None]:
    """Check every photo; the first failure wins. The info returned is the first photo's."""
    first: MediaInfo | None = None
    for path in paths:
        info = probe_photo(path)
        reason = check_photo(info)
        if reason is not None:
            return info, reason
        first = first or info
    if first is None:
        return None, FORMAT_FAILED
    return first, None
