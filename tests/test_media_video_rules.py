"""TikTok's video rules (§4.10), each broken rule a problem that names the file and the fix."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from autoposter.media import (
    API_MAX_DURATION_SEC,
    MAX_VIDEO_BYTES,
    Problem,
    VideoInfo,
    check_video,
    inspect_video,
    probe_video,
)
from tests.media import make_image, make_sparse, make_video

NO_LIMIT = None


def clip(tmp_path: Path, name: str = "clip.mp4", **kwargs: object) -> Path:
    kwargs.setdefault("width", 360)
    kwargs.setdefault("height", 640)
    kwargs.setdefault("seconds", 0.5)
    return make_video(tmp_path / name, **kwargs)  # type: ignore[arg-type]


def fields(problems: list[Problem]) -> list[str]:
    return [p.field for p in problems]


GOOD = VideoInfo(
    path=Path("clip.mp4"),
    container="mp4",
    codec="h264",
    fps=30.0,
    width=1080,
    height=1920,
    duration_sec=30.0,
    size_bytes=10_000_000,
)


@pytest.mark.parametrize(
    ("name", "codec"),
    [
        ("clip.mp4", "libx264"),
        ("clip.mov", "libx264"),
        ("clip.webm", "libvpx"),
        ("clip9.webm", "libvpx-vp9"),
        ("clip265.mp4", "libx265"),
    ],
)
def test_it_accepts_the_containers_and_codecs_tiktok_lists(
    tmp_path: Path, name: str, codec: str
) -> None:
    assert check_video(probe_video(clip(tmp_path, name, codec=codec)), 600) == []


def test_it_refuses_a_codec_tiktok_does_not_take(tmp_path: Path) -> None:
    problems = check_video(probe_video(clip(tmp_path, "old.mp4", codec="mpeg4")), NO_LIMIT)
    assert fields(problems) == ["codec"]
    assert problems[0].file == "old.mp4"
    assert problems[0].message == (
        "old.mp4 is encoded with MPEG-4 Part 2; TikTok takes H.264, H.265, VP8 or VP9: "
        "export it again as MP4 (H.264)"
    )


def test_it_refuses_an_avi_for_its_container_and_its_codec(tmp_path: Path) -> None:
    problems = check_video(probe_video(clip(tmp_path, "clip.avi", codec="mpeg4")), NO_LIMIT)
    assert fields(problems) == ["container", "codec"]
    assert "clip.avi is an AVI file; TikTok takes MP4, MOV or WebM videos" in problems[0].message


def test_it_refuses_h264_in_matroska_since_that_is_not_webm(tmp_path: Path) -> None:
    problems = check_video(probe_video(clip(tmp_path, "clip.mkv")), NO_LIMIT)
    assert fields(problems) == ["container"]
    assert "a Matroska (MKV) file" in problems[0].message


def test_it_says_a_still_image_is_not_a_video_and_nothing_more(tmp_path: Path) -> None:
    info = probe_video(make_image(tmp_path / "still.png", width=720, height=720))
    problems = check_video(info, NO_LIMIT)
    assert fields(problems) == ["container"]
    assert "still.png is a still image, not a video: post it as a photo post" in problems[0].message


@pytest.mark.parametrize("fps", [15, 20])
def test_it_refuses_fewer_than_23_frames_a_second(tmp_path: Path, fps: int) -> None:
    problems = check_video(probe_video(clip(tmp_path, fps=fps, seconds=1.0)), NO_LIMIT)
    assert fields(problems) == ["fps"]
    assert f"clip.mp4 runs at {fps} fps; TikTok takes 23–60 fps" in problems[0].message


def test_it_refuses_more_than_60_frames_a_second(tmp_path: Path) -> None:
    problems = check_video(probe_video(clip(tmp_path, fps=120, seconds=0.25)), NO_LIMIT)
    assert fields(problems) == ["fps"]


@pytest.mark.parametrize("fps", [23.0, 24000 / 1001, 60.0, 60000 / 1001])
def test_it_accepts_frame_rates_on_and_inside_the_bounds(fps: float) -> None:
    assert check_video(replace(GOOD, fps=fps), NO_LIMIT) == []


def test_it_refuses_a_video_whose_frame_rate_cannot_be_read() -> None:
    assert fields(check_video(replace(GOOD, fps=None), NO_LIMIT)) == ["fps"]


def test_it_refuses_a_side_under_360_pixels(tmp_path: Path) -> None:
    problems = check_video(probe_video(clip(tmp_path, width=320, height=640)), NO_LIMIT)
    assert fields(problems) == ["resolution"]
    assert "clip.mp4 is 320×640 pixels" in problems[0].message


@pytest.mark.parametrize(
    ("width", "height", "ok"),
    [(360, 360, True), (4096, 4096, True), (4097, 1080, False), (1080, 359, False)],
)
def test_it_takes_each_side_from_360_to_4096_pixels(width: int, height: int, ok: bool) -> None:
    problems = check_video(replace(GOOD, width=width, height=height), NO_LIMIT)
    assert fields(problems) == ([] if ok else ["resolution"])


def test_it_refuses_a_real_video_over_4_gib(tmp_path: Path) -> None:
    padded = tmp_path / "huge.mp4"
    shutil.copy(clip(tmp_path), padded)
    with open(padded, "r+b") as f:
        f.truncate(MAX_VIDEO_BYTES + 1)
    problems = check_video(probe_video(padded), NO_LIMIT)
    assert fields(problems) == ["size"]
    assert (
        "huge.mp4 is 4.00 GiB (4,294,967,297 bytes); TikTok takes videos up to 4 GiB"
        in problems[0].message
    )


def test_it_accepts_exactly_4_gib() -> None:
    assert check_video(replace(GOOD, size_bytes=MAX_VIDEO_BYTES), NO_LIMIT) == []


def test_it_reports_both_size_and_format_for_an_unreadable_file_over_4_gib(
    tmp_path: Path,
) -> None:
    info, problems = inspect_video(make_sparse(tmp_path / "zeros.mp4", 5 * 1024**3), NO_LIMIT)
    assert info is None
    assert fields(problems) == ["format", "size"]
    assert "zeros.mp4 is 5.00 GiB" in problems[1].message


def test_it_refuses_a_video_longer_than_the_creators_limit(tmp_path: Path) -> None:
    problems = check_video(probe_video(clip(tmp_path, seconds=2.0)), 1)
    assert fields(problems) == ["duration"]
    assert "this TikTok account may post videos up to 1 s: trim it" in problems[0].message


def test_it_never_allows_more_than_the_apis_600_seconds() -> None:
    long = replace(GOOD, duration_sec=API_MAX_DURATION_SEC + 1.0)
    problems = check_video(long, 900)
    assert fields(problems) == ["duration"]
    assert "TikTok's API takes videos up to 600 s" in problems[0].message
    assert check_video(replace(GOOD, duration_sec=600.0), 900) == []


def test_it_uses_only_the_apis_limit_when_no_creator_limit_is_given() -> None:
    assert check_video(replace(GOOD, duration_sec=599.0), NO_LIMIT) == []


def test_it_refuses_a_video_whose_length_cannot_be_read() -> None:
    assert fields(check_video(replace(GOOD, duration_sec=None), 600)) == ["duration"]


def test_it_reports_every_broken_rule_at_once() -> None:
    bad = replace(GOOD, codec="mpeg4", fps=10.0, width=200, size_bytes=MAX_VIDEO_BYTES + 1)
    assert fields(check_video(replace(bad, duration_sec=700.0), 300)) == [
        "codec",
        "fps",
        "resolution",
        "size",
        "duration",
    ]
