"""A rolling limit finds the earliest moment that keeps every window within its limit."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from autoposter.posts.quota import (
    INIT_PACE,
    INITS_PER_MINUTE,
    MINUTE,
    STATUS_FETCHES_PER_MINUTE,
    STATUS_POLL_PACE,
    RollingLimit,
)

T0 = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
THREE_A_MINUTE = RollingLimit(3, MINUTE)


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def most_in_any_window(times: list[datetime], window: timedelta) -> int:
    """Brute force: the fullest half-open window [t, t + window) starting at any event."""
    return max((sum(1 for u in times if t <= u < t + window) for t in times), default=0)


def test_it_allows_events_until_the_limit_then_waits_for_the_oldest_to_leave() -> None:
    history = [at(0), at(10), at(20)]
    assert THREE_A_MINUTE.next_slot(history[:2], at(25)) == at(25)
    assert THREE_A_MINUTE.next_slot(history, at(25)) == at(60)


def test_an_event_stops_counting_exactly_one_window_later() -> None:
    assert THREE_A_MINUTE.allows([at(0), at(0), at(0)], at(60))
    assert not THREE_A_MINUTE.allows([at(0), at(0), at(0)], at(59.999))


def test_it_does_not_push_planned_events_over_the_limit() -> None:
    planned = [at(30), at(31), at(32)]
    assert not THREE_A_MINUTE.allows(planned, at(0))
    assert THREE_A_MINUTE.next_slot(planned, at(0)) == at(90)  # 30 leaves the window


def test_it_fits_an_event_into_a_gap_before_planned_ones() -> None:
    planned = [at(120), at(121)]
    assert THREE_A_MINUTE.next_slot(planned, at(0)) == at(0)


def test_it_keeps_only_the_events_that_still_count() -> None:
    history = [at(0), at(30), at(61)]
    assert THREE_A_MINUTE.still_counted(history, at(90)) == [at(61)]


def test_it_refuses_a_meaningless_limit() -> None:
    with pytest.raises(ValueError, match="limit ≥ 1"):
        RollingLimit(0, MINUTE)


def test_the_init_pace_keeps_below_tiktoks_six_a_minute() -> None:
    assert INIT_PACE.limit < INITS_PER_MINUTE and INIT_PACE.window > MINUTE
    assert STATUS_POLL_PACE.limit < STATUS_FETCHES_PER_MINUTE


wanted_offsets = st.lists(st.floats(min_value=0, max_value=600), min_size=1, max_size=40)


@given(offsets=wanted_offsets, limit=st.integers(1, 6), window=st.integers(1, 120))
def test_paced_events_never_exceed_the_limit_in_any_window(
    offsets: list[float], limit: int, window: int
) -> None:
    pace = RollingLimit(limit, timedelta(seconds=window))
    sent: list[datetime] = []
    for wanted in sorted(at(o) for o in offsets):
        slot = pace.next_slot(sent, wanted)
        assert slot >= wanted
        # The earliest: a moment sooner would break the limit (or be before it was wanted).
        sooner = slot - timedelta(microseconds=1)
        assert slot == wanted or not pace.allows(sent, sooner)
        sent.append(slot)
    assert most_in_any_window(sent, pace.window) <= limit


@given(
    offsets=wanted_offsets,
    delays=st.lists(st.floats(min_value=0, max_value=2), min_size=40, max_size=40),
)
def test_paced_inits_stay_within_tiktoks_limit_despite_two_seconds_of_latency(
    offsets: list[float], delays: list[float]
) -> None:
    sent: list[datetime] = []
    for wanted in sorted(at(o) for o in offsets):
        sent.append(INIT_PACE.next_slot(sent, wanted))
    # TikTok counts arrivals: each init may take up to 2 s longer than another to get there.
    arrivals = [t + timedelta(seconds=d) for t, d in zip(sent, delays, strict=False)]
    assert most_in_any_window(arrivals, MINUTE) <= INITS_PER_MINUTE
