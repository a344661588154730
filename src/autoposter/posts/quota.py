"""TikTok's posting limits (§6), warnings when a schedule would break them, and pacing so the
engine never provokes a 429 or a cap error it could have foreseen.

Everything here is a pure function of lists of times. The engine keeps those times in its
tables (each account's inits, its status polls) and passes them in; nothing is remembered
between calls, so many workers on many machines can share one database.

The limits, per account:

- inits (video, inbox video and photo): 6 a minute per access token (§4.2–§4.4, §6);
- creator_info: 20 a minute; status/fetch: 30 a minute (§6);
- direct posts: a cap per creator per 24 h, "typically around 15", that varies by creator and
  is shared with every other app the creator uses (§6) — configurable here, 15 by default;
- inbox drafts (video, and photos sent with MEDIA_UPLOAD): at most 5 pending — not yet
  finished in the app, and not failed — per 24 h (§4.3, §6).

Pacing keeps a margin below TikTok's numbers (see :data:`INIT_PACE`). At run time the engine
asks :class:`InitPacer` before each init, and ``STATUS_POLL_PACE.next_slot(recent_polls, now)``
(or ``CREATOR_INFO_PACE``) before the other calls; at scheduling time :func:`schedule_warnings`
tells the person what the pacing will do.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from .compose import Delivery, format_local_time

INITS_PER_MINUTE = 6
CREATOR_INFO_PER_MINUTE = 20
STATUS_FETCHES_PER_MINUTE = 30
DEFAULT_DAILY_POST_CAP = 15
PENDING_SHARES_PER_DAY = 5
MINUTE = timedelta(minutes=1)
DAY = timedelta(hours=24)

# TikTok counts a request when it arrives; the engine stamps it when it leaves. Two seconds
# more than TikTok's minute absorb latency and clock differences between the two.
PACING_WINDOW = MINUTE + timedelta(seconds=2)
# The same allowance on the 24-h caps (a minute is nothing against a day).
DAILY_WINDOW = DAY + MINUTE


@dataclass(frozen=True)
class RollingLimit:
    """At most ``limit`` events in any span of ``window`` (a sliding window, as TikTok's).

    An event at ``t`` stops counting at ``t + window`` exactly, as in TikTok's sandbox.
    """

    limit: int
    window: timedelta

    def __post_init__(self) -> None:
        if self.limit < 1 or self.window <= timedelta(0):
            raise ValueError("a rolling limit needs limit ≥ 1 and a positive window")

    def allows(self, history: Iterable[datetime], at: datetime) -> bool:
        """Whether one more event at ``at`` keeps every window containing it within the limit.

        ``history`` may hold future events (planned ones); an event at ``at`` must not push
        those over either. Windows that were already over without it are not its fault.
        """
        times = sorted(history)
        position = bisect_right(times, at)
        times.insert(position, at)
        # Any limit+1 consecutive events closer than ``window`` mean one window holds too many;
        # only the groups that include the new event are checked.
        for first in range(max(0, position - self.limit), position + 1):
            last = first + self.limit
            if last < len(times) and times[last] - times[first] < self.window:
                return False
        return True

    def next_slot(self, history: Iterable[datetime], now: datetime) -> datetime:
        """The earliest moment ≥ ``now`` at which :meth:`allows` one more event."""
        times = sorted(history)
        # The answer is ``now`` or the moment some event leaves a window (event + window).
        candidates = [now] + [t + self.window for t in times if t + self.window > now]
        for candidate in sorted(candidates):
            if self.allows(times, candidate):
                return candidate
        raise AssertionError("unreachable: after the last event + window everything fits")

    def still_counted(self, history: Iterable[datetime], now: datetime) -> list[datetime]:
        """The events that can still matter at ``now`` or later: the rest may be deleted."""
        return sorted(t for t in history if t > now - self.window)


# §6: 6 inits a minute per token. Pace at 5 per 62 s: one init to spare for a request this
# pacer did not see (a second process that has not recorded its init yet), and the window
# margin above. An account's whole day of posts (about 15) still goes out within 3 minutes.
# One budget for all three init endpoints: TikTok counts each separately, so sharing is safe.
INIT_PACE = RollingLimit(INITS_PER_MINUTE - 1, PACING_WINDOW)
# §6: 20 creator_info queries and 30 status fetches a minute, with the same kind of margin.
CREATOR_INFO_PACE = RollingLimit(CREATOR_INFO_PER_MINUTE - 4, PACING_WINDOW)
STATUS_POLL_PACE = RollingLimit(STATUS_FETCHES_PER_MINUTE - 5, PACING_WINDOW)


@dataclass(frozen=True)
class PlannedPost:
    """One init of an account, planned or made, as the quota rules see it.

    ``at`` is when the post is scheduled or when its init was sent; ``draft_finished`` marks
    an inbox draft the creator finished (or that failed), which no longer counts as pending.
    ``label`` is how warnings name the post ("the new post" when empty).
    """

    account_key: str
    at: datetime
    mode: Delivery
    draft_finished: bool = False
    label: str = ""


@dataclass(frozen=True)
class QuotaWarning:
    """A schedule that would run into one of TikTok's limits.

    ``code`` is ``daily_post_cap``, ``pending_share_cap`` or ``init_rate``; ``fits_at`` is the
    earliest time the post would fit (when the engine would really send it); ``delay`` is how
    late the engine's spacing starts it (``init_rate`` only).
    """

    code: str
    message: str
    fits_at: datetime | None = None
    delay: timedelta | None = None


@dataclass(frozen=True)
class InitPacer:
    """When the engine may send an account's next init without a foreseeable refusal.

    ``history`` is that account's inits (times it sent them, plus any it has reserved); the
    answer respects :data:`INIT_PACE`, the daily cap for direct posts and the pending-draft
    cap for inbox drafts. The engine stores the answer, waits until then, and records the init.
    """

    pace: RollingLimit = INIT_PACE
    daily_cap: int = DEFAULT_DAILY_POST_CAP
    pending_share_cap: int = PENDING_SHARES_PER_DAY

    def next_slot(self, history: Sequence[PlannedPost], mode: Delivery, now: datetime) -> datetime:
        """The earliest moment ≥ ``now`` for one more init of ``mode`` (``now`` if free)."""
        limits = [(self.pace, [p.at for p in history]), self._cap(history, mode)]
        moment = now
        while True:
            later = max(limit.next_slot(times, moment) for limit, times in limits)
            if later == moment:
                return moment
            moment = later

    def cap_limit(self, mode: Delivery) -> RollingLimit:
        """The 24-h cap that applies to an init of ``mode``, with the pacing margin."""
        if mode is Delivery.DIRECT:
            return RollingLimit(self.daily_cap, DAILY_WINDOW)
        return RollingLimit(self.pending_share_cap, DAILY_WINDOW)

    def _cap(
        self, history: Sequence[PlannedPost], mode: Delivery
    ) -> tuple[RollingLimit, list[datetime]]:
        return self.cap_limit(mode), capped_times(history, mode)


def capped_times(history: Iterable[PlannedPost], mode: Delivery) -> list[datetime]:
    """The times that count towards the 24-h cap of ``mode``: direct posts, or the inbox
    drafts still pending."""
    if mode is Delivery.DIRECT:
        return [p.at for p in history if p.mode is Delivery.DIRECT]
    return [p.at for p in history if p.mode is Delivery.INBOX and not p.draft_finished]


def schedule_warnings(
    existing: Sequence[PlannedPost],
    new: PlannedPost,
    *,
    daily_cap: int = DEFAULT_DAILY_POST_CAP,
    zone: str = "UTC",
) -> list[QuotaWarning]:
    """What would go wrong if ``new`` joined ``existing`` (any accounts; only ``new``'s
    account counts), for the compose page and the CLI. Times in messages are in ``zone``.

    ``existing`` should hold the account's inits of the last 24 h and its scheduled posts
    (without ``new`` itself when an existing post is being rescheduled).
    """
    pacer = InitPacer(daily_cap=daily_cap)
    same = [p for p in existing if p.account_key == new.account_key]
    warnings = [_cap_warning(pacer, same, new, zone), _rate_warning(pacer.pace, same, new)]
    return [w for w in warnings if w is not None]


def _cap_warning(
    pacer: InitPacer, same: list[PlannedPost], new: PlannedPost, zone: str
) -> QuotaWarning | None:
    limit = pacer.cap_limit(new.mode)
    times = capped_times(same, new.mode)
    if new.mode is Delivery.INBOX and new.draft_finished:
        return None
    if limit.allows(times, new.at):
        return None
    fits_at = limit.next_slot(times, new.at)
    when = f"{format_local_time(fits_at, zone)} ({zone})"
    what = _name(new)
    if new.mode is Delivery.DIRECT:
        message = (
            f"{what} would make more than {limit.limit} direct posts for this account within "
            f"24 hours. TikTok allows about {limit.limit} a day per creator (posts from other "
            f"apps count too) and would refuse it, so it would wait until {when}: schedule it "
            "then or later, or send it to the inbox as a draft"
        )
        return QuotaWarning("daily_post_cap", message, fits_at=fits_at)
    message = (
        f"{what} would make more than {limit.limit} drafts waiting in the creator's TikTok "
        f"inbox within 24 hours, which TikTok refuses. It would wait until {when}, unless the "
        "creator finishes earlier drafts in the TikTok app first: schedule it later, or ask "
        "them to finish those drafts"
    )
    return QuotaWarning("pending_share_cap", message, fits_at=fits_at)


def _rate_warning(
    pace: RollingLimit, same: list[PlannedPost], new: PlannedPost
) -> QuotaWarning | None:
    before = _paced_starts(pace, same)
    after = _paced_starts(pace, [*same, new])
    delay = after[-1] - new.at
    pushed = [after[i] - before[i] for i in range(len(same)) if after[i] > before[i]]
    if delay <= timedelta(0) and not pushed:
        return None
    message = (
        f"{_name(new)} starts within a minute of other posts for this account; TikTok takes "
        f"{INITS_PER_MINUTE} a minute, so the engine spaces them out"
    )
    if delay > timedelta(0):
        message += f": it will start about {_seconds(delay)} later than scheduled"
    if pushed:
        message += (
            f"{',' if delay > timedelta(0) else ':'} {len(pushed)} other post"
            f"{'s' if len(pushed) != 1 else ''} will start up to {_seconds(max(pushed))} later"
        )
    return QuotaWarning("init_rate", message, fits_at=after[-1], delay=max(delay, timedelta(0)))


def _paced_starts(pace: RollingLimit, posts: Sequence[PlannedPost]) -> list[datetime]:
    """When each post's init would really go out if the engine paces them in time order."""
    starts: list[datetime | None] = [None] * len(posts)
    sent: list[datetime] = []
    for index in sorted(range(len(posts)), key=lambda i: posts[i].at):
        slot = pace.next_slot(sent, posts[index].at)
        sent.append(slot)
        starts[index] = slot
    return [s for s in starts if s is not None]


def _name(post: PlannedPost) -> str:
    """How a message names the post; it starts the sentence, hence the capital."""
    label = post.label or "the new post"
    return label[:1].upper() + label[1:]


def _seconds(delta: timedelta) -> str:
    seconds = math.ceil(delta.total_seconds())
    if seconds < 120:
        return f"{seconds} s"
    return f"{math.ceil(seconds / 60)} min"
