"""The time a post should go out: now, or later; never a time already past."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest

from autoposter.posts.compose import parse_local_time
from autoposter.posts.validation import validate, validate_for_sending
from tests.posts.support import NOW, creator, fields_of, message_for, video_post


def test_no_time_means_now_and_is_valid(clip: Path) -> None:
    assert validate(video_post(clip, publish_at=None), creator(), NOW) == []


def test_a_time_typed_in_the_persons_zone_later_today_is_valid(clip: Path) -> None:
    evening = parse_local_time("2026-12-01 18:00", "Europe/Berlin")
    assert validate(video_post(clip, publish_at=evening), creator(), NOW) == []


def test_a_time_a_few_seconds_ago_is_still_taken_as_now(clip: Path) -> None:
    just_now = NOW - timedelta(seconds=30)
    assert validate(video_post(clip, publish_at=just_now), creator(), NOW) == []


def test_a_time_in_the_past_is_refused_with_the_time_shown(clip: Path) -> None:
    errors = validate(video_post(clip, publish_at=NOW - timedelta(minutes=2)), creator(), NOW)
    assert message_for(errors, "publish_at") == (
        "2026-12-01 11:58 UTC is in the past: choose a later time, or leave it empty to post now"
    )


def test_a_time_without_a_zone_is_refused(clip: Path) -> None:
    naive = datetime(2026, 12, 1, 18, 0)
    errors = validate(video_post(clip, publish_at=naive), creator(), NOW)
    assert fields_of(errors) == ["publish_at"]
    assert "has no time zone" in errors[0].message


def test_sending_a_post_that_was_due_earlier_does_not_check_its_time(clip: Path) -> None:
    due = video_post(clip, publish_at=NOW - timedelta(hours=1))
    assert validate_for_sending(due, creator()) == []


def test_validation_needs_an_aware_now(clip: Path) -> None:
    with pytest.raises(ValueError, match="aware"):
        validate(video_post(clip), creator(), datetime(2026, 12, 1, 12, 0))
