"""People type times in their own zone; posts keep UTC; clock changes are refused, not guessed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from autoposter.posts.compose import PostInputError, format_local_time, parse_local_time

ZONES = [
    "UTC",
    "Europe/Berlin",
    "Europe/Dublin",  # negative daylight saving in tzdata
    "America/New_York",
    "America/Sao_Paulo",
    "Australia/Lord_Howe",  # a 30-minute clock change
    "Asia/Kolkata",
    "Pacific/Chatham",
]


def test_it_converts_a_berlin_evening_in_winter_to_utc() -> None:
    assert parse_local_time("2026-12-01 18:00", "Europe/Berlin") == datetime(
        2026, 12, 1, 17, 0, tzinfo=UTC
    )


def test_it_converts_a_berlin_evening_in_summer_to_utc() -> None:
    assert parse_local_time("2026-07-01T18:00", "Europe/Berlin") == datetime(
        2026, 7, 1, 16, 0, tzinfo=UTC
    )


def test_it_shows_a_utc_time_on_the_persons_clock() -> None:
    moment = datetime(2026, 12, 1, 17, 0, tzinfo=UTC)
    assert format_local_time(moment, "Europe/Berlin") == "2026-12-01 18:00"
    assert format_local_time(moment.replace(second=30), "America/New_York") == (
        "2026-12-01 12:00:30"
    )


def test_it_refuses_a_time_the_clocks_skip_in_spring() -> None:
    with pytest.raises(PostInputError) as raised:
        parse_local_time("2026-03-29 02:30", "Europe/Berlin")
    (error,) = raised.value.errors
    assert error.field == "publish_at"
    assert error.message == (
        "2026-03-29 02:30 does not exist in Europe/Berlin: the clocks skip forward 1 hour "
        "that night. Pick another time, e.g. 03:30"
    )


def test_it_refuses_a_time_that_happens_twice_in_autumn_and_says_how_to_pick_one() -> None:
    with pytest.raises(PostInputError) as raised:
        parse_local_time("2026-10-25 02:30", "Europe/Berlin")
    message = raised.value.errors[0].message
    assert message.startswith("2026-10-25 02:30 happens twice in Europe/Berlin")
    assert "'2026-10-25 02:30+02:00' (the first) or '2026-10-25 02:30+01:00' (the second)" in (
        message
    )


def test_it_takes_the_offset_that_says_which_of_the_two_times_is_meant() -> None:
    first = parse_local_time("2026-10-25 02:30+02:00", "Europe/Berlin")
    second = parse_local_time("2026-10-25 02:30+01:00", "Europe/Berlin")
    assert second - first == timedelta(hours=1)
    assert first == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)


def test_it_refuses_an_offset_the_zone_does_not_use_then() -> None:
    with pytest.raises(PostInputError, match="does not match Europe/Berlin"):
        parse_local_time("2026-12-01 18:00+02:00", "Europe/Berlin")


def test_it_handles_a_half_hour_clock_change() -> None:
    with pytest.raises(PostInputError, match="skip forward 30 minutes"):
        parse_local_time("2026-10-04 02:15", "Australia/Lord_Howe")


def test_it_names_an_unknown_time_zone_and_shows_a_valid_one() -> None:
    with pytest.raises(PostInputError) as raised:
        parse_local_time("2026-12-01 18:00", "Europe/Berln")
    (error,) = raised.value.errors
    assert error.field == "time_zone"
    assert "'Europe/Berln' is not a known time zone: use an IANA name like Europe/Berlin" in (
        error.message
    )


@pytest.mark.parametrize("text", ["tomorrow", "2026-12-01", "18:00", "2026-13-01 18:00"])
def test_it_shows_the_expected_shape_for_text_that_is_not_a_time(text: str) -> None:
    with pytest.raises(PostInputError, match="write it like 2026-12-01 18:00"):
        parse_local_time(text, "Europe/Berlin")


def test_it_refuses_to_show_a_naive_time() -> None:
    with pytest.raises(ValueError, match="aware"):
        format_local_time(datetime(2026, 12, 1, 17, 0), "Europe/Berlin")


moments = st.datetimes(
    min_value=datetime(1990, 1, 1), max_value=datetime(2037, 12, 31), timezones=st.just(UTC)
).map(lambda m: m.replace(microsecond=0))


@given(moment=moments, zone=st.sampled_from(ZONES))
def test_any_moment_survives_being_shown_and_typed_back(moment: datetime, zone: str) -> None:
    assert parse_local_time(format_local_time(moment, zone), zone) == moment


walls = st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2037, 12, 31)).map(
    lambda w: w.replace(second=0, microsecond=0)
)


@given(wall=walls, zone=st.sampled_from(ZONES))
def test_a_typed_time_is_read_as_exactly_that_wall_time_or_refused(
    wall: datetime, zone: str
) -> None:
    text = wall.strftime("%Y-%m-%d %H:%M")
    try:
        moment = parse_local_time(text, zone)
    except PostInputError as refused:
        assert refused.errors[0].field == "publish_at"
        assert "does not exist" in str(refused) or "happens twice" in str(refused)
    else:
        assert format_local_time(moment, zone) == text
