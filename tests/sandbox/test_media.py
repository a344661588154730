"""The media checks of §4.10 as pure functions, on real files the tests make with PyAV."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from autoposter.sandbox import media
from tests.media import make_image, make_video

NO_LIMIT = 600


def small_video(tmp_path: Path, name: str, **kwargs: object) -> Path:
    kwargs.setdefault("width", 360)
    kwargs.setdefault("height", 640)
    kwargs.setdefault("seconds", 0.5)
    return make_video(tmp_path / name, **kwargs)  # type: ignore[arg-type]


def test_it_measures_an_h264_mp4(tmp_path: Path) -> None:
    path = small_video(tmp_path, "clip.mp4", fps=30, seconds=1.0)
    info, reason = media.inspect_video(path, NO_LIMIT)
    assert reason is None
    assert info is not None
    assert (info.codec, info.width, info.height) == ("h264", 360, 640)
    assert info.fps == pytest.approx(30)
    assert info.duration == pytest.approx(1.0, abs=0.1)
    assert info.size == path.stat().st_size


@pytest.mark.parametrize(
    ("name", "codec"),
    [("clip.mov", "libx264"), ("clip.webm", "libvpx"), ("clip9.webm", "libvpx-vp9")],
)
def test_it_accepts_mov_and_webm_with_the_listed_codecs(
    tmp_path: Path, name: str, codec: str
) -> None:
    path = small_video(tmp_path, name, codec=codec)
    assert media.inspect_video(path, NO_LIMIT)[1] is None


def test_it_reads_a_file_by_its_content_not_its_name(tmp_path: Path) -> None:
    path = small_video(tmp_path, "clip.mp4")
    renamed = path.rename(tmp_path / "upload.part")
    assert media.inspect_video(renamed, NO_LIMIT)[1] is None


def test_it_fails_the_format_check_for_bytes_that_are_no_video(tmp_path: Path) -> None:
    path = tmp_path / "noise.part"
    path.write_bytes(b"\x00\x01not a video" * 1000)
    assert media.inspect_video(path, NO_LIMIT) == (None, "file_format_check_failed")


def test_it_fails_the_format_check_for_a_codec_tiktok_does_not_take(tmp_path: Path) -> None:
    path = small_video(tmp_path, "mpeg4.mp4", codec="mpeg4")
    assert media.inspect_video(path, NO_LIMIT)[1] == "file_format_check_failed"


def test_it_fails_the_format_check_for_h264_in_matroska_since_that_is_not_webm(
    tmp_path: Path,
) -> None:
    path = small_video(tmp_path, "clip.mkv", codec="libx264")
    assert media.inspect_video(path, NO_LIMIT)[1] == "file_format_check_failed"


def test_it_fails_the_format_check_for_a_still_image_sent_as_a_video(tmp_path: Path) -> None:
    path = make_image(tmp_path / "still.jpg", width=720, height=720)
    assert media.inspect_video(path, NO_LIMIT)[1] == "file_format_check_failed"


@pytest.mark.parametrize("fps", [15, 20])
def test_it_fails_the_frame_rate_check_below_23_fps(tmp_path: Path, fps: int) -> None:
    path = small_video(tmp_path, f"slow{fps}.mp4", fps=fps, seconds=1.0)
    assert media.inspect_video(path, NO_LIMIT)[1] == "frame_rate_check_failed"


def test_it_fails_the_picture_size_check_below_360_pixels(tmp_path: Path) -> None:
    path = small_video(tmp_path, "tiny.mp4", width=320, height=480)
    assert media.inspect_video(path, NO_LIMIT)[1] == "picture_size_check_failed"


def test_it_fails_the_duration_check_beyond_the_creators_limit(tmp_path: Path) -> None:
    path = small_video(tmp_path, "two.mp4", seconds=2.0, fps=24)
    assert media.inspect_video(path, 1)[1] == "duration_check_failed"
    assert media.inspect_video(path, 3)[1] is None


GOOD = media.MediaInfo(
    container=media.MP4_FAMILY, codec="h264", width=1080, height=1920, size=10_000_000,
    fps=30.0, duration=30.0,
)  # fmt: skip


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"fps": 23.0}, None),
        ({"fps": 60.0}, None),
        ({"fps": 22.9}, "frame_rate_check_failed"),
        ({"fps": 60.5}, "frame_rate_check_failed"),
        ({"fps": None}, "frame_rate_check_failed"),
        ({"width": 360, "height": 4096}, None),
        ({"width": 4097}, "picture_size_check_failed"),
        ({"height": 359}, "picture_size_check_failed"),
        ({"size": 4 * 1024**3 + 1}, "picture_size_check_failed"),
        ({"codec": "hevc"}, None),
        ({"codec": "av1"}, "file_format_check_failed"),
        ({"container": "avi"}, "file_format_check_failed"),
        ({"container": media.MATROSKA_FAMILY, "codec": "vp9"}, None),
        ({"duration": 600.0}, None),
        ({"duration": 600.5}, "duration_check_failed"),
    ],
)
def test_it_applies_the_video_limits_at_their_edges(
    changes: dict[str, object], reason: str | None
) -> None:
    info = replace(GOOD, **changes)  # type: ignore[arg-type]
    assert media.check_video(info, max_duration_sec=900) == reason


def test_it_never_allows_more_than_ten_minutes_whatever_the_creator_may_post() -> None:
    long_video = replace(GOOD, duration=601.0)
    assert media.check_video(long_video, max_duration_sec=3600) == "duration_check_failed"


@pytest.mark.parametrize(("name", "codec"), [("photo.jpg", "mjpeg"), ("photo.webp", "webp")])
def test_it_accepts_jpeg_and_webp_photos(tmp_path: Path, name: str, codec: str) -> None:
    info, reason = media.inspect_photos([make_image(tmp_path / name, width=1080, height=1350)])
    assert reason is None
    assert info is not None
    assert (info.codec, info.width, info.height) == (codec, 1080, 1350)


def test_it_fails_the_format_check_for_a_png_photo(tmp_path: Path) -> None:
    path = make_image(tmp_path / "photo.png", width=640, height=640)
    assert media.inspect_photos([path])[1] == "file_format_check_failed"


def test_it_fails_the_picture_size_check_for_a_photo_over_1080p(tmp_path: Path) -> None:
    path = make_image(tmp_path / "big.jpg", width=2000, height=1000)
    assert media.inspect_photos([path])[1] == "picture_size_check_failed"


def test_it_fails_a_post_when_any_one_of_its_photos_fails(tmp_path: Path) -> None:
    good = make_image(tmp_path / "good.jpg", width=1080, height=1080)
    bad = make_image(tmp_path / "bad.png", width=640, height=640)
    assert media.inspect_photos([good, bad])[1] == "file_format_check_failed"


@pytest.mark.parametrize(
    ("width", "height", "size", "reason"),
    [
        (1920, 1080, 1_000_000, None),
        (1080, 1920, 1_000_000, None),
        (1921, 1080, 1_000_000, "picture_size_check_failed"),
        (1200, 1200, 1_000_000, "picture_size_check_failed"),
        (1080, 1080, 20_000_001, "picture_size_check_failed"),
    ],
)
def test_it_applies_the_photo_limits_at_their_edges(
    width: int, height: int, size: int, reason: str | None
) -> None:
    info = media.MediaInfo(container="jpeg_pipe", codec="mjpeg", width=width, height=height,
                           size=size)  # fmt: skip
    assert media.check_photo(info) == reason
