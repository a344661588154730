"""Probing reads what TikTok's rules need from real files, by content, and explains files it
cannot read."""

from __future__ import annotations

import os
import shutil
from fractions import Fraction
from pathlib import Path

import av
import pytest

from autoposter.media import MediaError, probe_image, probe_video
from tests.media import make_image, make_sparse, make_video


def clip(tmp_path: Path, name: str = "clip.mp4", **kwargs: object) -> Path:
    kwargs.setdefault("width", 360)
    kwargs.setdefault("height", 640)
    kwargs.setdefault("seconds", 0.5)
    return make_video(tmp_path / name, **kwargs)  # type: ignore[arg-type]


def make_audio_only(path: Path) -> Path:
    with av.open(str(path), "w") as out:
        stream = out.add_stream("aac", rate=44100)
        frame = av.AudioFrame(format="fltp", layout="mono", samples=1024)
        for plane in frame.planes:
            plane.update(bytes(plane.buffer_size))
        frame.sample_rate = 44100
        frame.time_base = Fraction(1, 44100)
        frame.pts = 0
        for packet in [*stream.encode(frame), *stream.encode()]:
            out.mux(packet)
    return path


def test_it_reads_an_h264_mp4s_container_codec_rate_size_and_length(tmp_path: Path) -> None:
    path = clip(tmp_path, fps=30, seconds=1.0)
    info = probe_video(path)
    assert (info.container, info.codec, info.width, info.height) == ("mp4", "h264", 360, 640)
    assert info.fps == pytest.approx(30)
    assert info.duration_sec == pytest.approx(1.0, abs=0.1)
    assert info.size_bytes == path.stat().st_size
    assert info.content_type == "video/mp4"


@pytest.mark.parametrize(
    ("name", "codec", "container", "expected_codec", "content_type"),
    [
        ("clip.mov", "libx264", "mov", "h264", "video/quicktime"),
        ("clip.webm", "libvpx", "webm", "vp8", "video/webm"),
        ("clip9.webm", "libvpx-vp9", "webm", "vp9", "video/webm"),
        ("clip265.mp4", "libx265", "mp4", "hevc", "video/mp4"),
        ("clip.mkv", "libx264", "matroska", "h264", None),
        ("clip.avi", "mpeg4", "avi", "mpeg4", None),
        ("clip.3gp", "libx264", "3gp", "h264", None),
    ],
)
def test_it_tells_the_containers_apart_that_ffmpeg_reads_as_one_family(
    tmp_path: Path,
    name: str,
    codec: str,
    container: str,
    expected_codec: str,
    content_type: str | None,
) -> None:
    info = probe_video(clip(tmp_path, name, codec=codec))
    assert (info.container, info.codec, info.content_type) == (
        container,
        expected_codec,
        content_type,
    )


def test_it_reads_a_video_by_its_content_not_its_name(tmp_path: Path) -> None:
    renamed = clip(tmp_path, "clip.webm", codec="libvpx-vp9").rename(tmp_path / "upload.mp4")
    info = probe_video(renamed)
    assert (info.container, info.codec, info.content_type) == ("webm", "vp9", "video/webm")


def test_it_recognises_a_still_image_offered_as_a_video(tmp_path: Path) -> None:
    info = probe_video(make_image(tmp_path / "still.jpg", width=720, height=720))
    assert info.container == "image"


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("noise.mp4", os.urandom(4096)),
        ("notes.mp4", b"hello, this is text\n" * 200),
    ],
)
def test_it_explains_that_random_bytes_are_not_a_video(
    tmp_path: Path, name: str, content: bytes
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(MediaError) as raised:
        probe_video(path)
    message = str(raised.value)
    assert message.startswith(f"{name} is not a video PyAV can read (")
    assert message.endswith("): export it again as MP4 (H.264)")
    assert raised.value.path == path


def test_it_explains_that_an_mp4_cut_short_is_not_readable(tmp_path: Path) -> None:
    # The muxer writes the index (moov) last, so the first half alone has no index.
    whole = clip(tmp_path, seconds=1.0).read_bytes()
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(whole[: len(whole) // 2])
    with pytest.raises(MediaError, match=r"cut\.mp4 is not a video PyAV can read"):
        probe_video(cut)


def test_it_explains_that_an_empty_file_is_empty(tmp_path: Path) -> None:
    path = tmp_path / "empty.mp4"
    path.write_bytes(b"")
    with pytest.raises(MediaError, match=r"empty\.mp4 is empty \(0 bytes\): export it again"):
        probe_video(path)


def test_it_explains_that_a_missing_file_does_not_exist(tmp_path: Path) -> None:
    with pytest.raises(MediaError, match="does not exist: check the path"):
        probe_video(tmp_path / "gone.mp4")


def test_it_explains_that_a_folder_is_not_a_media_file(tmp_path: Path) -> None:
    with pytest.raises(MediaError, match="is not a file"):
        probe_image(tmp_path)


def test_it_explains_that_a_sound_file_has_no_picture(tmp_path: Path) -> None:
    path = make_audio_only(tmp_path / "voice.m4a")
    with pytest.raises(MediaError, match=r"voice\.m4a is not a video: it has no picture stream"):
        probe_video(path)


def test_it_reads_a_file_padded_to_5_gib_without_reading_all_of_it(tmp_path: Path) -> None:
    padded = tmp_path / "huge.mp4"
    shutil.copy(clip(tmp_path), padded)
    with open(padded, "r+b") as f:
        f.truncate(5 * 1024**3)  # sparse: costs no disk
    info = probe_video(padded)
    assert (info.codec, info.size_bytes) == ("h264", 5 * 1024**3)


def test_it_refuses_a_sparse_file_of_zeros(tmp_path: Path) -> None:
    with pytest.raises(MediaError, match="is not a video PyAV can read"):
        probe_video(make_sparse(tmp_path / "zeros.mp4", 10_000))


@pytest.mark.parametrize(
    ("name", "expected"), [("a.jpg", "jpeg"), ("a.webp", "webp"), ("a.png", "png")]
)
def test_it_reads_a_photos_format_and_picture_size(
    tmp_path: Path, name: str, expected: str
) -> None:
    path = make_image(tmp_path / name, width=800, height=600)
    info = probe_image(path)
    assert (info.format, info.width, info.height) == (expected, 800, 600)
    assert info.size_bytes == path.stat().st_size


def test_it_reads_a_photo_by_its_content_not_its_name(tmp_path: Path) -> None:
    disguised = make_image(tmp_path / "a.png", width=400, height=400).rename(tmp_path / "a.jpg")
    assert probe_image(disguised).format == "png"


def test_it_explains_that_random_bytes_are_not_an_image(tmp_path: Path) -> None:
    path = tmp_path / "photo.jpg"
    path.write_bytes(os.urandom(2048))
    with pytest.raises(MediaError) as raised:
        probe_image(path)
    assert str(raised.value).startswith("photo.jpg is not an image PyAV can read (")
    assert str(raised.value).endswith("save it again as JPEG or WebP")
