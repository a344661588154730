"""Captions, titles and descriptions are counted in UTF-16 units, as TikTok counts them."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from autoposter.posts.validation import validate
from tests.posts.support import NOW, creator, fields_of, message_for, photo_post, video_post

EMOJI = "\N{GRINNING FACE}"  # outside the BMP: 2 UTF-16 units


def test_a_caption_of_2200_units_is_valid_and_2201_is_not(clip: Path) -> None:
    assert validate(video_post(clip, title="a" * 2200), creator(), NOW) == []
    errors = validate(video_post(clip, title="a" * 2201), creator(), NOW)
    assert message_for(errors, "title") == (
        "the caption is 2201 characters long as TikTok counts them (UTF-16 units: most emoji "
        "count 2); TikTok allows 2200: shorten it by 1"
    )


def test_an_emoji_counts_twice(clip: Path) -> None:
    assert validate(video_post(clip, title=EMOJI * 1100), creator(), NOW) == []
    errors = validate(video_post(clip, title=EMOJI * 1100 + "!"), creator(), NOW)
    assert fields_of(errors) == ["title"]


def test_a_photo_title_takes_90_units_and_a_description_4000(
    photos: tuple[Path, ...],
) -> None:
    ok = photo_post(photos, title="t" * 90, description="d" * 4000)
    assert validate(ok, creator(), NOW) == []
    too_long = photo_post(photos, title="t" * 89 + EMOJI, description="d" * 4001)
    errors = validate(too_long, creator(), NOW)
    assert fields_of(errors) == ["title", "description"]
    assert "TikTok allows 90: shorten it by 1" in errors[0].message
    assert "TikTok allows 4000: shorten it by 1" in errors[1].message


def test_only_photo_posts_have_a_description(clip: Path) -> None:
    errors = validate(video_post(clip, description="more words"), creator(), NOW)
    assert message_for(errors, "description").startswith("only photo posts have a description")


PIECES = ["a", "é", "\u4e2d", EMOJI, "\N{WOMAN}\u200d\N{ROCKET}", "\N{FLAG IN HOLE}", "#"]


def units(text: str) -> int:
    """An independent count: a code point beyond U+FFFF is a surrogate pair in UTF-16."""
    return sum(2 if ord(char) > 0xFFFF else 1 for char in text)


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], max_examples=60)
@given(pieces=st.lists(st.sampled_from(PIECES), min_size=30, max_size=60))
def test_a_photo_title_is_refused_exactly_when_its_utf16_length_passes_90(
    photos: tuple[Path, ...], pieces: list[str]
) -> None:
    title = "".join(pieces)
    errors = validate(photo_post(photos, title=title), creator(), NOW)
    assert ("title" in fields_of(errors)) == (units(title) > 90)
