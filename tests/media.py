"""Real media made by the tests themselves with PyAV (no fixtures on disk)."""

from __future__ import annotations

import os
from fractions import Fraction
from pathlib import Path

import av


def _fill(frame: av.VideoFrame, shade: int) -> None:
    for plane in frame.planes:
        plane.update(bytes([shade % 256]) * plane.buffer_size)


def make_video(
    path: Path,
    *,
    width: int = 540,
    height: int = 960,
    fps: int = 30,
    seconds: float = 1.0,
    codec: str = "libx264",
) -> Path:
    """Write a small real video (H.264 MP4 by default; the container follows the suffix)."""
    with av.open(str(path), "w") as out:
        stream = out.add_stream(codec, rate=Fraction(fps))
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        for i in range(max(1, round(fps * seconds))):
            frame = av.VideoFrame(width, height, "yuv420p")
            _fill(frame, 16 + (i * 7))
            frame.pts = i
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    return path


def make_image(path: Path, *, width: int = 1080, height: int = 1080) -> Path:
    """Write one still image; JPEG, WebP or PNG by the suffix."""
    codec = {".jpg": "mjpeg", ".jpeg": "mjpeg", ".webp": "libwebp", ".png": "png"}[path.suffix]
    pix_fmt = {"mjpeg": "yuvj420p", "libwebp": "yuv420p", "png": "rgb24"}[codec]
    with av.open(str(path), "w", format="image2") as out:
        stream = out.add_stream(codec, rate=1)
        stream.width, stream.height, stream.pix_fmt = width, height, pix_fmt
        frame = av.VideoFrame(width, height, pix_fmt)
        _fill(frame, 120)
        for packet in stream.encode(frame):
            out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    return path


def make_sparse(path: Path, size: int) -> Path:
    """A file of ``size`` zero bytes that takes no disk space (for size-only tests)."""
    with open(path, "wb") as f:
        f.truncate(size)
    os.utime(path)
    return path
