"""Warnings at scheduling time: a post that would pass a daily cap, the pending-draft cap, or
arrive in a burst the engine will have to spread out."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from autoposter.posts.compose import Delivery
from autoposter.posts.quota import DAILY_WINDOW, INIT_PACE, PlannedPost, schedule_warnings

T0 = datetime(2026, 12, 1, 17, 0, tzinfo=UTC)
DIRECT, INBOX = Delivery.DIRECT, Delivery.INBOX


def post(
    minutes: float, mode: Delivery = DIRECT, account: str = "acct", **kw: object
) -> PlannedPost:
    return PlannedPost(account, T0 + timedelta(minutes=minutes), mode, **kw)  # type: ignore[arg-type]


def hourly(count: int, mode: Delivery = DIRECT, account: str = "acct") -> list[PlannedPost]:
    return [post(60 * i, mode, account) for i in range(count)]


def test_a_post_spread_out_from_the_others_gets_no_warning() -> None:
    assert schedule_warnings(hourly(10), post(60 * 10 + 30)) == []


def test_the_16th_direct_post_within_24_hours_is_warned_with_when_it_fits() -> None:
    (warning,) = schedule_warnings(hourly(15), post(60 * 15), zone="Europe/Berlin")
    assert warning.code == "daily_post_cap"
    assert warning.fits_at == T0 + DAILY_WINDOW
    assert warning.message == (
        "The new post would make more than 15 direct posts for this account within 24 hours. "
        "TikTok allows about 15 a day per creator (posts from other apps count too) and would "
        "refuse it, so it would wait until 2026-12-02 18:01 (Europe/Berlin): schedule it then "
        "or later, or send it to the inbox as a draft"
    )


def test_a_post_slotted_in_before_others_is_warned_when_it_would_push_a_later_one_over() -> None:
    later = [post(60 * i + 30) for i in range(15)]
    (warning,) = schedule_warnings(later, post(0, label="the morning post"))
    assert warning.code == "daily_post_cap"
    assert warning.message.startswith("The morning post would make more than 15")


def test_the_daily_cap_can_be_set_for_a_creator() -> None:
    assert schedule_warnings(hourly(3), post(200), daily_cap=3)[0].code == "daily_post_cap"
    assert schedule_warnings(hourly(3), post(200), daily_cap=4) == []


def test_other_accounts_posts_do_not_count() -> None:
    assert schedule_warnings(hourly(15, account="other"), post(60 * 15)) == []


def test_drafts_do_not_count_towards_the_daily_post_cap() -> None:
    assert schedule_warnings(hourly(15, INBOX), post(60 * 15)) == []


def test_a_sixth_pending_draft_is_warned() -> None:
    (warning,) = schedule_warnings(hourly(5, INBOX), post(60 * 5, INBOX))
    assert warning.code == "pending_share_cap"
    assert "more than 5 drafts waiting in the creator's TikTok inbox" in warning.message
    assert "unless the creator finishes earlier drafts in the TikTok app first" in warning.message


def test_drafts_the_creator_finished_no_longer_count() -> None:
    drafts = [post(60 * i, INBOX, draft_finished=i == 0) for i in range(5)]
    assert schedule_warnings(drafts, post(60 * 5, INBOX)) == []


def test_a_burst_says_how_late_the_engine_will_start_the_post() -> None:
    (warning,) = schedule_warnings([post(0) for _ in range(5)], post(0.5))
    assert warning.code == "init_rate"
    assert warning.delay == INIT_PACE.window - timedelta(seconds=30)
    assert warning.fits_at == T0 + INIT_PACE.window
    assert warning.message == (
        "The new post starts within a minute of other posts for this account; TikTok takes 6 "
        "a minute, so the engine spaces them out: it will start about 32 s later than scheduled"
    )


def test_a_post_that_goes_first_in_a_burst_says_whom_it_delays() -> None:
    (warning,) = schedule_warnings([post(1) for _ in range(5)], post(0.5))
    assert warning.code == "init_rate" and warning.delay == timedelta(0)
    assert warning.message.endswith(": 1 other post will start up to 32 s later")
