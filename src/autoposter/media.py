"""Probe media files with PyAV and check them against TikTok's media rules (§4.10).

Everything here runs before a post is queued, so a person hears about a bad file while they
can still fix it, not minutes later as a ``fail_reason`` from TikTok (§4.9).

Probing is cheap: FFmpeg reads the container header and stream parameters; a frame is decoded
only when the header does not give the picture size. What TikTok states (§4.10), checked
exactly:

- video: MP4, MOV or WebM; H.264, H.265, VP8 or VP9; 23–60 fps; width and height each
  360–4096 px; at most 4 GiB; at most the creator's ``max_video_post_duration_sec`` and never
  more than the 600 s the API accepts. (A 3-s minimum quoted by aggregators is not TikTok's
  and is not checked.)
- photo: JPEG or WebP; at most 1080p (longer side ≤ 1920, shorter side ≤ 1080); at most
  20 MB. "MB" is read as 10^6 bytes, the stricter reading (§10.6).

Files are recognised by their content, never by their name.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import av

from autoposter.tiktok import MAX_VIDEO_SIZE

VIDEO_CONTAINERS = {"mp4": "MP4", "mov": "MOV", "webm": "WebM"}
VIDEO_CODECS = {"h264": "H.264", "hevc": "H.265", "vp8": "VP8", "vp9": "VP9"}
MIN_FPS, MAX_FPS = 23, 60
MIN_SIDE, MAX_SIDE = 360, 4096
MAX_VIDEO_BYTES = MAX_VIDEO_SIZE  # 4 GiB, as the TikTok client allows
API_MAX_DURATION_SEC = 600  # §4.10: "API accepts up to 10 min"

PHOTO_FORMATS = {"jpeg": "JPEG", "webp": "WebP"}
PHOTO_LONG_SIDE, PHOTO_SHORT_SIDE = 1920, 1080
MAX_PHOTO_BYTES = 20_000_000

# A rational frame rate such as 60000/1001 must not fail a bound through float rounding.
_FPS_TOLERANCE = 1e-3

_MP4_FAMILY = "mov,mp4,m4a,3gp,3g2,mj2"
_MATROSKA_FAMILY = "matroska,webm"
_CONTAINER_LABELS = {
    **VIDEO_CONTAINERS,
    "matroska": "a Matroska (MKV) file",
    "3gp": "a 3GP file",
    "m4a": "an audio-only MP4 (M4A) file",
    "mj2": "a Motion JPEG 2000 file",
    "avi": "an AVI file",
    "image": "a still image",
}
_FORMAT_LABELS = {
    **PHOTO_FORMATS,
    "png": "PNG",
    "gif": "GIF",
    "bmp": "BMP",
    "tiff": "TIFF",
    "heic": "HEIC",
}
_CODEC_LABELS = {
    **VIDEO_CODECS,
    "mpeg4": "MPEG-4 Part 2",
    "mpeg2video": "MPEG-2",
    "av1": "AV1",
    "prores": "ProRes",
    "theora": "Theora",
    "wmv3": "WMV",
}
_REEXPORT = "export it again as MP4 (H.264)"


class MediaError(Exception):
    """The file cannot be read as media at all; the message says what to do."""

    def __init__(self, path: Path, message: str) -> None:
        self.path = path
        super().__init__(message)


@dataclass(frozen=True)
class VideoInfo:
    """What TikTok's video rules need to know about one file."""

    path: Path
    container: str  # "mp4", "mov", "webm", "matroska", "3gp", "avi", "image", … by content
    codec: str  # FFmpeg's codec name: "h264", "hevc", "vp8", "vp9", "mpeg4", …
    fps: float | None
    width: int
    height: int
    duration_sec: float | None
    size_bytes: int

    @property
    def content_type(self) -> str | None:
        """The Content-Type of the upload PUT (§4.5), from the content rather than the name."""
        return {"mp4": "video/mp4", "mov": "video/quicktime", "webm": "video/webm"}.get(
            self.container
        )


@dataclass(frozen=True)
class ImageInfo:
    """What TikTok's photo rules need to know about one file."""

    path: Path
    format: str  # "jpeg", "webp", "png", "gif", … (FFmpeg's codec name otherwise)
    width: int
    height: int
    size_bytes: int


@dataclass(frozen=True)
class Problem:
    """One broken rule: which file, which property (``container``, ``codec``, ``fps``,
    ``resolution``, ``size``, ``duration``, ``format``), and a sentence saying what to do."""

    file: str
    field: str
    message: str

    def __str__(self) -> str:
        return self.message


def probe_video(path: Path | str) -> VideoInfo:
    """Read a video's container, first video stream and size; raise :class:`MediaError`
    when the file is missing, empty, or not media FFmpeg can read."""
    path = Path(path)
    size = _size_of(path, _REEXPORT)
    try:
        with av.open(str(path)) as container:
            stream = _video_stream(container, path, "is not a video", _REEXPORT)
            width, height = _picture_size(container, stream)
            codec = str(stream.codec_context.codec.name)
            fps = _frame_rate(stream)
            return VideoInfo(
                path=path,
                container=_container_name(container, path),
                codec=codec,
                fps=fps,
                width=width,
                height=height,
                duration_sec=_duration(container, stream, fps),
                size_bytes=size,
            )
    except (av.FFmpegError, ValueError, StopIteration) as exc:
        raise MediaError(
            path, f"{path.name} is not a video PyAV can read ({_reason(exc)}): {_REEXPORT}"
        ) from exc
    except OSError as exc:
        raise _unreadable(path, exc) from exc


def probe_image(path: Path | str) -> ImageInfo:
    """Read a still image's format, picture size and file size; raise :class:`MediaError`
    when the file is missing, empty, or not an image FFmpeg can read."""
    path = Path(path)
    advice = "save it again as JPEG or WebP"
    size = _size_of(path, advice)
    try:
        with av.open(str(path)) as container:
            stream = _video_stream(container, path, "is not an image", advice)
            width, height = _picture_size(container, stream)
            codec = str(stream.codec_context.codec.name)
            return ImageInfo(
                path=path,
                format="jpeg" if codec == "mjpeg" else codec,
                width=width,
                height=height,
                size_bytes=size,
            )
    except (av.FFmpegError, ValueError, StopIteration) as exc:
        raise MediaError(
            path, f"{path.name} is not an image PyAV can read ({_reason(exc)}): {advice}"
        ) from exc
    except OSError as exc:
        raise _unreadable(path, exc) from exc


def check_video(info: VideoInfo, max_duration_sec: int | None) -> list[Problem]:
    """Every §4.10 video rule ``info`` breaks; empty when TikTok should take it.

    ``max_duration_sec`` is the creator's current ``max_video_post_duration_sec`` (§4.1, §8
    1c); ``None`` means only the API's own 600 s apply (inbox drafts can be trimmed in-app).
    """
    if info.container == "image":
        return _container_problems(info)  # the other rules would only repeat "not a video"
    problems = [
        *_container_problems(info),
        *_fps_problems(info),
        *_resolution_problems(info),
        *_video_size_problems(info.path.name, info.size_bytes),
        *_duration_problems(info, max_duration_sec),
    ]
    return problems


def check_image(info: ImageInfo) -> list[Problem]:
    """Every §4.10 photo rule ``info`` breaks; empty when TikTok should take it."""
    name = info.path.name
    problems = []
    if info.format not in PHOTO_FORMATS:
        if info.format in _CODEC_LABELS:
            what = "a video, not a photo"
        elif info.format in _FORMAT_LABELS:
            what = f"a {_FORMAT_LABELS[info.format]} image"
        else:
            what = f"in the {info.format!r} format"
        problems.append(
            Problem(
                name,
                "format",
                f"{name} is {what}; TikTok takes photos as JPEG or WebP: "
                "convert it to JPEG or WebP",
            )
        )
    long_side, short_side = max(info.width, info.height), min(info.width, info.height)
    if long_side > PHOTO_LONG_SIDE or short_side > PHOTO_SHORT_SIDE:
        problems.append(
            Problem(
                name,
                "resolution",
                f"{name} is {info.width}×{info.height} pixels; TikTok takes photos up to "
                f"1080p: scale it down so the longer side is at most {PHOTO_LONG_SIDE} and the "
                f"shorter side at most {PHOTO_SHORT_SIDE} pixels",
            )
        )
    if info.size_bytes > MAX_PHOTO_BYTES:
        problems.append(
            Problem(
                name,
                "size",
                f"{name} is {info.size_bytes / 1e6:.1f} MB ({info.size_bytes:,} bytes); TikTok "
                f"takes photos up to 20 MB ({MAX_PHOTO_BYTES:,} bytes): save it with stronger "
                "compression or at a smaller size",
            )
        )
    return problems


def inspect_video(
    path: Path | str, max_duration_sec: int | None
) -> tuple[VideoInfo | None, list[Problem]]:
    """Probe and check in one step. An unreadable file becomes a ``format`` problem; a file
    over 4 GiB is reported as such even when it cannot be read."""
    path = Path(path)
    try:
        info = probe_video(path)
    except MediaError as exc:
        problems = [Problem(path.name, "format", str(exc))]
        size = _size_or_zero(path)
        return None, [*problems, *_video_size_problems(path.name, size)]
    return info, check_video(info, max_duration_sec)


def inspect_image(path: Path | str) -> tuple[ImageInfo | None, list[Problem]]:
    """Probe and check one photo; an unreadable file becomes a ``format`` problem."""
    path = Path(path)
    try:
        info = probe_image(path)
    except MediaError as exc:
        return None, [Problem(path.name, "format", str(exc))]
    return info, check_image(info)


# --- checks -------------------------------------------------------------------------------


def _container_problems(info: VideoInfo) -> list[Problem]:
    name = info.path.name
    problems = []
    if info.container == "image":
        return [
            Problem(
                name,
                "container",
                f"{name} is a still image, not a video: post it as a photo post, or {_REEXPORT}",
            )
        ]
    if info.container not in VIDEO_CONTAINERS:
        label = _CONTAINER_LABELS.get(info.container, f"a {info.container!r} file")
        problems.append(
            Problem(
                name,
                "container",
                f"{name} is {label}; TikTok takes MP4, MOV or WebM videos: {_REEXPORT}",
            )
        )
    if info.codec not in VIDEO_CODECS:
        codec = _CODEC_LABELS.get(info.codec, repr(info.codec))
        problems.append(
            Problem(
                name,
                "codec",
                f"{name} is encoded with {codec}; TikTok takes H.264, H.265, VP8 or VP9: "
                f"{_REEXPORT}",
            )
        )
    return problems


def _fps_problems(info: VideoInfo) -> list[Problem]:
    name = info.path.name
    if info.fps is None:
        message = f"the frame rate of {name} cannot be read: {_REEXPORT} at 30 fps"
        return [Problem(name, "fps", message)]
    if MIN_FPS - _FPS_TOLERANCE <= info.fps <= MAX_FPS + _FPS_TOLERANCE:
        return []
    message = (
        f"{name} runs at {info.fps:.3g} fps; TikTok takes {MIN_FPS}–{MAX_FPS} fps: "
        "export it again at 30 fps (or 24 or 60)"
    )
    return [Problem(name, "fps", message)]


def _resolution_problems(info: VideoInfo) -> list[Problem]:
    if all(MIN_SIDE <= side <= MAX_SIDE for side in (info.width, info.height)):
        return []
    name = info.path.name
    message = (
        f"{name} is {info.width}×{info.height} pixels; TikTok takes videos whose width and "
        f"height are each {MIN_SIDE}–{MAX_SIDE} pixels: export it at a size such as 1080×1920"
    )
    return [Problem(name, "resolution", message)]


def _video_size_problems(name: str, size_bytes: int) -> list[Problem]:
    if size_bytes <= MAX_VIDEO_BYTES:
        return []
    message = (
        f"{name} is {size_bytes / 1024**3:.2f} GiB ({size_bytes:,} bytes); TikTok takes "
        f"videos up to 4 GiB ({MAX_VIDEO_BYTES:,} bytes): compress it or shorten it"
    )
    return [Problem(name, "size", message)]


def _duration_problems(info: VideoInfo, max_duration_sec: int | None) -> list[Problem]:
    name = info.path.name
    if info.duration_sec is None:
        message = f"the length of {name} cannot be read: {_REEXPORT}"
        return [Problem(name, "duration", message)]
    limit = API_MAX_DURATION_SEC
    whose = "TikTok's API takes videos up to"
    if max_duration_sec is not None and max_duration_sec < limit:
        limit, whose = max_duration_sec, "this TikTok account may post videos up to"
    if info.duration_sec <= limit:
        return []
    message = f"{name} is {info.duration_sec:.2f} s long; {whose} {limit} s: trim it"
    return [Problem(name, "duration", message)]


# --- probing helpers ----------------------------------------------------------------------


def _size_of(path: Path, advice: str) -> int:
    try:
        stat = path.stat()
    except FileNotFoundError:
        raise MediaError(path, f"{path} does not exist: check the path") from None
    except OSError as exc:
        raise _unreadable(path, exc) from exc
    if not path.is_file():
        raise MediaError(path, f"{path} is not a file: give the path of a media file")
    if stat.st_size == 0:
        raise MediaError(path, f"{path.name} is empty (0 bytes): {advice}")
    return stat.st_size


def _size_or_zero(path: Path) -> int:
    try:
        return os.path.getsize(path)
    except OSError:
        return 0


def _unreadable(path: Path, exc: OSError) -> MediaError:
    reason = exc.strerror or type(exc).__name__
    return MediaError(path, f"{path.name} cannot be read ({reason}): check the file's permissions")


def _reason(exc: BaseException) -> str:
    if isinstance(exc, StopIteration):
        return "no picture could be decoded"
    return str(getattr(exc, "strerror", None) or type(exc).__name__)


def _video_stream(container: Any, path: Path, what: str, advice: str) -> Any:
    if not container.streams.video:
        raise MediaError(path, f"{path.name} {what}: it has no picture stream; {advice}")
    return container.streams.video[0]


def _picture_size(container: Any, stream: Any) -> tuple[int, int]:
    """From the stream header; decode one frame only when the header leaves it unknown."""
    width, height = int(stream.width or 0), int(stream.height or 0)
    if width and height:
        return width, height
    frame = next(container.decode(stream))
    return int(frame.width), int(frame.height)


def _frame_rate(stream: Any) -> float | None:
    rate = stream.average_rate or stream.guessed_rate or stream.base_rate
    return float(rate) if rate else None


def _duration(container: Any, stream: Any, fps: float | None) -> float | None:
    """The container's duration, else the stream's, else frames ÷ rate; ``None`` if unknown."""
    if container.duration is not None:
        return float(container.duration) / av.time_base
    if stream.duration is not None and stream.time_base is not None:
        return float(stream.duration * stream.time_base)
    frames = int(stream.frames or 0)
    return frames / fps if frames and fps else None


def _container_name(container: Any, path: Path) -> str:
    """A short container name. FFmpeg reports families ("mov,mp4,…", "matroska,webm"); the
    MP4 brand and the Matroska DocType say which member this file is."""
    family = str(container.format.name)
    if family == _MP4_FAMILY:
        brand = str(container.metadata.get("major_brand", "")).strip().lower()
        if brand == "qt":
            return "mov"
        if brand.startswith("3g"):
            return "3gp"
        if brand in ("m4a", "m4b", "m4p"):
            return "m4a"
        return "mj2" if brand == "mjp2" else "mp4"
    if family == _MATROSKA_FAMILY:
        return _matroska_doctype(path)
    if family == "image2" or family.endswith("_pipe"):
        return "image"
    return family


def _matroska_doctype(path: Path) -> str:
    """ "webm" or "matroska": the DocType element (ID 0x4282) of the EBML header."""
    with open(path, "rb") as f:
        head = f.read(64)
    at = head.find(b"\x42\x82")
    if at < 0 or at + 3 > len(head):
        return "matroska"
    length = head[at + 2] & 0x7F  # a one-byte EBML size: the high bit marks the width
    doctype = head[at + 3 : at + 3 + length]
    return "webm" if doctype == b"webm" else "matroska"
