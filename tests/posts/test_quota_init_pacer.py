"""The run-time pacer: when an account's next init may go out without a foreseeable refusal."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from autoposter.posts.compose import Delivery
from autoposter.posts.quota import DAILY_WINDOW, INIT_PACE, InitPacer, PlannedPost

T0 = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
DIRECT, INBOX = Delivery.DIRECT, Delivery.INBOX


def sent(hours: float, mode: Delivery = DIRECT, finished: bool = False) -> PlannedPost:
    return PlannedPost("acct", T0 + timedelta(hours=hours), mode, draft_finished=finished)


def test_an_account_with_no_recent_inits_may_send_now() -> None:
    assert InitPacer().next_slot([], DIRECT, T0) == T0


def test_a_burst_is_spread_to_five_inits_per_62_seconds() -> None:
    pacer = InitPacer()
    history: list[PlannedPost] = []
    for _ in range(11):
        slot = pacer.next_slot(history, DIRECT, T0)
        history.append(PlannedPost("acct", slot, DIRECT))
    starts = [p.at - T0 for p in history]
    assert starts == [timedelta(0)] * 5 + [INIT_PACE.window] * 5 + [2 * INIT_PACE.window]


def test_the_16th_direct_post_in_a_day_waits_until_the_first_leaves_the_window() -> None:
    history = [sent(hours) for hours in range(15)]
    now = T0 + timedelta(hours=15)
    assert InitPacer().next_slot(history, DIRECT, now) == T0 + DAILY_WINDOW


def test_a_smaller_daily_cap_for_a_creator_holds_posts_sooner() -> None:
    history = [sent(0), sent(1), sent(2)]
    assert InitPacer(daily_cap=3).next_slot(history, DIRECT, T0 + timedelta(hours=3)) == (
        T0 + DAILY_WINDOW
    )


def test_drafts_do_not_count_towards_the_direct_post_cap() -> None:
    history = [sent(hours, INBOX) for hours in range(15)]
    now = T0 + timedelta(hours=15)
    assert InitPacer().next_slot(history, DIRECT, now) == now


def test_a_sixth_pending_draft_waits_but_finished_drafts_do_not_count() -> None:
    now = T0 + timedelta(hours=5)
    pending = [sent(hours, INBOX) for hours in range(5)]
    assert InitPacer().next_slot(pending, INBOX, now) == T0 + DAILY_WINDOW
    one_finished = [sent(0, INBOX, finished=True), *pending[1:]]
    assert InitPacer().next_slot(one_finished, INBOX, now) == now


def test_direct_posts_do_not_count_as_pending_drafts() -> None:
    history = [sent(hours) for hours in range(5)]
    now = T0 + timedelta(hours=5)
    assert InitPacer().next_slot(history, INBOX, now) == now


def test_the_rate_and_the_cap_hold_together() -> None:
    # 9 direct posts over the day and 5 inits in the last seconds: the 15th direct post fits
    # the daily cap but must wait for the per-minute pace.
    now = T0 + timedelta(hours=20)
    day = [sent(hours) for hours in range(9)]
    burst = [PlannedPost("acct", now - timedelta(seconds=s), DIRECT) for s in range(4, -1, -1)]
    slot = InitPacer().next_slot([*day, *burst], DIRECT, now)
    assert slot == burst[0].at + INIT_PACE.window
