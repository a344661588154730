"""The commercial content disclosure (§8 3): consistent, and branded content never private."""

from __future__ import annotations

from pathlib import Path

import pytest

from autoposter.posts.validation import validate
from tests.posts.support import NOW, creator, fields_of, message_for, photo_post, video_post


@pytest.mark.parametrize(("organic", "branded"), [(True, False), (False, True), (True, True)])
def test_a_disclosure_with_at_least_one_box_ticked_is_valid(
    clip: Path, organic: bool, branded: bool
) -> None:
    post = video_post(clip, commercial_content=True, brand_organic=organic, brand_content=branded)
    assert validate(post, creator(), NOW) == []


def test_it_refuses_the_disclosure_on_with_neither_box_ticked(clip: Path) -> None:
    errors = validate(video_post(clip, commercial_content=True), creator(), NOW)
    assert message_for(errors, "commercial_content") == (
        "you turned on the commercial content disclosure: indicate whether this post promotes "
        "yourself (brand_organic, 'Your brand'), a third party (brand_content, 'Branded "
        "content'), or both, or turn the disclosure off"
    )


@pytest.mark.parametrize("field", ["brand_organic", "brand_content"])
def test_it_refuses_a_box_ticked_with_the_disclosure_off(clip: Path, field: str) -> None:
    errors = validate(video_post(clip, **{field: True}), creator(), NOW)
    assert fields_of(errors) == [field]
    assert "turn commercial_content on, or untick it" in errors[0].message


def test_branded_content_cannot_be_only_me(photos: tuple[Path, ...]) -> None:
    post = photo_post(
        photos, privacy_level="SELF_ONLY", commercial_content=True, brand_content=True
    )
    errors = validate(post, creator(), NOW)
    assert message_for(errors, "privacy_level").startswith(
        "Branded content visibility cannot be set to private:"
    )


def test_your_brand_alone_may_be_only_me(clip: Path) -> None:
    post = video_post(clip, privacy_level="SELF_ONLY", commercial_content=True, brand_organic=True)
    assert validate(post, creator(), NOW) == []


@pytest.mark.parametrize("field", ["commercial_content", "brand_organic", "brand_content"])
def test_a_draft_leaves_the_disclosure_to_the_app(clip: Path, field: str) -> None:
    errors = validate(video_post(clip, mode="inbox", **{field: True}), None, NOW)
    assert fields_of(errors) == [field]
