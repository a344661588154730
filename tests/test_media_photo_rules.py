"""TikTok's photo rules (§4.10): JPEG or WebP, at most 1080p, at most 20 MB each."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from autoposter.media import MAX_PHOTO_BYTES, check_image, inspect_image, probe_image
from tests.media import make_image, make_video


@pytest.mark.parametrize(
    ("name", "width", "height"),
    [("wide.jpg", 1920, 1080), ("tall.jpg", 1080, 1920), ("square.webp", 1080, 1080)],
)
def test_it_accepts_jpeg_and_webp_up_to_1080p_either_way_up(
    tmp_path: Path, name: str, width: int, height: int
) -> None:
    assert check_image(probe_image(make_image(tmp_path / name, width=width, height=height))) == []


def test_it_refuses_png_and_says_to_convert_it(tmp_path: Path) -> None:
    problems = check_image(probe_image(make_image(tmp_path / "shot.png", width=600, height=600)))
    assert [(p.file, p.field) for p in problems] == [("shot.png", "format")]
    assert problems[0].message == (
        "shot.png is a PNG image; TikTok takes photos as JPEG or WebP: convert it to JPEG or WebP"
    )


def test_it_refuses_a_video_offered_as_a_photo(tmp_path: Path) -> None:
    video = make_video(tmp_path / "clip.mp4", width=360, height=640, seconds=0.2)
    problems = check_image(probe_image(video))
    assert [p.field for p in problems] == ["format"]
    assert "clip.mp4 is a video, not a photo" in problems[0].message


@pytest.mark.parametrize(("width", "height"), [(1921, 1080), (1080, 1921), (1200, 1200)])
def test_it_refuses_photos_larger_than_1080p(tmp_path: Path, width: int, height: int) -> None:
    path = make_image(tmp_path / "big.jpg", width=width, height=height)
    problems = check_image(probe_image(path))
    assert [p.field for p in problems] == ["resolution"]
    assert f"big.jpg is {width}×{height} pixels" in problems[0].message
    assert "longer side is at most 1920 and the shorter side at most 1080" in problems[0].message


def test_it_refuses_a_photo_over_20_mb(tmp_path: Path) -> None:
    padded = tmp_path / "heavy.jpg"
    shutil.copy(make_image(tmp_path / "small.jpg", width=800, height=600), padded)
    with open(padded, "r+b") as f:
        f.truncate(MAX_PHOTO_BYTES + 1)
    problems = check_image(probe_image(padded))
    assert [p.field for p in problems] == ["size"]
    assert (
        "heavy.jpg is 20.0 MB (20,000,001 bytes); TikTok takes photos up to 20 MB"
        in problems[0].message
    )


def test_it_turns_an_unreadable_photo_into_a_format_problem(tmp_path: Path) -> None:
    path = tmp_path / "broken.webp"
    path.write_bytes(b"RIFF" + bytes(64))
    info, problems = inspect_image(path)
    assert info is None
    assert [p.field for p in problems] == ["format"]
    assert problems[0].message.startswith("broken.webp ")
