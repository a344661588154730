"""The post's media is probed and checked against §4.10 and the creator's duration limit."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from autoposter.posts.compose import Delivery, PostKind, PostRequest
from autoposter.posts.validation import validate, validate_for_sending
from tests.media import make_video
from tests.posts.support import NOW, creator, fields_of, message_for, photo_post, video_post


def test_a_video_longer_than_the_creators_limit_is_refused_for_a_direct_post(
    clip: Path,
) -> None:
    errors = validate(video_post(clip), creator(max_video_post_duration_sec=1), NOW)
    assert fields_of(errors) == ["media"]
    assert errors[0].message.startswith("clip.mp4 is 2.")
    assert errors[0].message.endswith("this TikTok account may post videos up to 1 s: trim it")


def test_a_draft_is_not_held_to_the_creators_limit_since_it_can_be_trimmed_in_the_app(
    clip: Path,
) -> None:
    assert (
        validate(video_post(clip, mode="inbox"), creator(max_video_post_duration_sec=1), NOW) == []
    )


def test_an_unreadable_video_is_explained(tmp_path: Path) -> None:
    broken = tmp_path / "broken.mp4"
    broken.write_bytes(os.urandom(3000))
    errors = validate(video_post(broken), creator(), NOW)
    assert message_for(errors, "media").startswith("broken.mp4 is not a video PyAV can read (")


def test_a_missing_video_is_explained(tmp_path: Path) -> None:
    errors = validate(video_post(tmp_path / "gone.mp4"), creator(), NOW)
    assert message_for(errors, "media").endswith("gone.mp4 does not exist: check the path")


def test_a_video_breaking_several_rules_gets_one_error_each(tmp_path: Path) -> None:
    slow_and_small = make_video(tmp_path / "tiny.avi", width=320, height=320, fps=15, codec="mpeg4")
    errors = validate(video_post(slow_and_small), creator(), NOW)
    assert fields_of(errors) == ["media"] * 4  # container, codec, fps, resolution


@pytest.mark.parametrize("count", [0, 2])
def test_a_video_post_has_exactly_one_file(clip: Path, count: int) -> None:
    post = PostRequest(PostKind.VIDEO, Delivery.INBOX, (clip,) * count)
    errors = validate(post, None, NOW)
    assert message_for(errors, "media").startswith(
        f"a video post takes exactly one video file, not {count}"
    )


def test_a_cover_time_within_the_video_is_valid(clip: Path) -> None:
    assert validate(video_post(clip, cover_timestamp_ms=1500), creator(), NOW) == []


@pytest.mark.parametrize(
    ("cover", "text"),
    [(5000, "5000 ms is after the end of the 2.00-s video"), (-1, "give whole milliseconds")],
)
def test_a_cover_time_outside_the_video_is_refused(clip: Path, cover: int, text: str) -> None:
    errors = validate(video_post(clip, cover_timestamp_ms=cover), creator(), NOW)
    assert text in message_for(errors, "cover_timestamp_ms")


def test_a_draft_cannot_choose_a_cover_frame(clip: Path) -> None:
    errors = validate(video_post(clip, mode="inbox", cover_timestamp_ms=0), None, NOW)
    assert fields_of(errors) == ["cover_timestamp_ms"]


def test_each_photo_is_checked_and_named_by_its_position(
    photos: tuple[Path, ...], png: Path
) -> None:
    errors = validate(photo_post((photos[0], png, photos[1])), creator(), NOW)
    assert fields_of(errors) == ["media[1]"]
    assert errors[0].message.endswith("convert it to JPEG or WebP")


def test_a_photo_post_takes_1_to_35_photos(photos: tuple[Path, ...]) -> None:
    assert validate(photo_post(photos[:1]), creator(), NOW) == []
    assert validate(photo_post(photos[:1] * 35), creator(), NOW) == []
    errors = validate(photo_post(photos[:1] * 36), creator(), NOW)
    assert message_for(errors, "media") == (
        "a photo post takes at most 35 photos, not 36: remove 1"
    )
    empty = validate(photo_post(()), creator(), NOW)
    assert "media" in fields_of(empty)


@pytest.mark.parametrize("index", [-1, 3])
def test_the_cover_photo_must_be_one_of_the_photos(photos: tuple[Path, ...], index: int) -> None:
    errors = validate(photo_post(photos, photo_cover_index=index), creator(), NOW)
    assert message_for(errors, "photo_cover_index") == (
        f"{index} is not one of the 3 photos: photo_cover_index counts from 0, so use 0–2"
    )


def test_settings_only_videos_have_are_refused_on_photos(photos: tuple[Path, ...]) -> None:
    errors = validate(photo_post(photos, cover_timestamp_ms=100), creator(), NOW)
    assert fields_of(errors) == ["cover_timestamp_ms"]


def test_settings_only_photos_have_are_refused_on_videos(clip: Path) -> None:
    post = video_post(clip, auto_add_music=True, photo_cover_index=1)
    assert fields_of(validate(post, creator(), NOW)) == ["auto_add_music", "photo_cover_index"]


def test_sending_checks_the_media_again(tmp_path: Path) -> None:
    video = make_video(tmp_path / "clip.mp4", width=360, height=640, seconds=0.5)
    post = video_post(video)
    assert validate_for_sending(post, creator()) == []
    video.write_bytes(b"overwritten by mistake")
    assert fields_of(validate_for_sending(post, creator())) == ["media"]
