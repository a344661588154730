"""Waiting for TikTok's word on a sent post: status polls with backoff (§4.7), paced per
account (§6), until TikTok ends it — unless a webhook brings the word first.

The first poll is reserved with the init's own commit for ``poll_first`` later, so it costs
no transaction of its own; when TikTok is done by then (small videos usually are), the
post's whole end — TikTok has the bytes, published, media deleted, lease given back — is one
transaction. Each wait is spent in the worker's :class:`~.tracker.Tracker` when the run has
one, else in the run's thread.
"""

from __future__ import annotations

import time
from datetime import timedelta

from sqlalchemy.orm import Session

from ..store.models import PROCESSING, UPLOADING, Post
from ..tiktok import PublishStatus
from . import pacing
from .machine import FINAL, Failure, transition
from .media_store import remove_stored
from .run import STOPPING, Run, WaitForPoll, call_tiktok, stop_requested, updated_copy
from .tracking import ENDINGS, TikTokWord, forget_media, settle
from .verdicts import PostFailed, RetryLater

# A status poll is recorded by the write before it (§6 pacing); it must then go out within
# this long, so the recorded time stays within the pacing window's two seconds of margin.
RESERVED_POLL_SLACK = timedelta(seconds=1)


def plan_first_poll(run: Run, session: Session, account_id: int) -> None:
    """Reserve the first status poll for ``poll_first`` from now, in the caller's write
    (the clock is read once it holds the lock, so the plan is not late from the start)."""
    delay = run.timings.poll_first
    at = run.ctx.now() + timedelta(seconds=delay)
    if pacing.reserve_poll_in(session, account_id, at) is None:
        run.poll_reserved_at = at
        run.first_poll = time.monotonic() + delay


def _uploaded(run: Run, post: Post) -> None:
    """uploading → processing, and the media marked deleted (TikTok has them, DESIGN), in
    one transaction: TikTok is still processing after the first poll."""
    ctx = run.ctx
    now = ctx.now()
    with ctx.db.session() as session:
        moved = transition(
            session, post.id, UPLOADING, PROCESSING, now, detail=run.received or "", owner=run.owner
        )
        gone = forget_media(session, post.id, now) if moved else []
    remove_stored(ctx.settings, gone)
    run.received = None
    if moved:
        run.status = updated_copy(post, PROCESSING, now, {}).status
    else:
        run.status = None
        raise RetryLater(now, "the post is no longer this worker's", counted=False, note=False)


def track(run: Run, post: Post) -> None:
    """Poll status/fetch with backoff until the post moves on; then return (§4.7).

    Each wait is spent in the tracker when the run has one (:class:`WaitForPoll`, after
    which this is called again), else in this thread; a run keeps polling for at most
    ``poll_hold``, then hands the post back until ``poll_later``.
    """
    assert post.account_id is not None and post.publish_id is not None
    if run.keeper.lost:  # taken over while it waited for this poll
        return
    if not run.poll_deadline:
        run.poll_deadline = time.monotonic() + run.timings.poll_hold
        run.poll_interval = run.timings.poll_first
    if run.first_poll is not None:
        due, run.first_poll = run.first_poll, None
        _wait_until(run, due)
    while True:
        word = TikTokWord.of_status(poll(run, post.account_id, post.publish_id))
        if run.received and word.status not in ENDINGS:
            _uploaded(run, post)  # TikTok has the bytes: record it, delete the media
        elif apply_word(run, word) != post.status or run.keeper.lost:
            return
        _give_up_if_stuck(run, post, word.status)
        due = time.monotonic() + run.poll_interval
        if due > run.poll_deadline:
            later = run.ctx.now() + timedelta(seconds=run.timings.poll_later)
            raise RetryLater(later, "TikTok is still processing", counted=False, note=False)
        run.poll_interval = min(run.poll_interval * 2, run.timings.poll_max)
        _wait_until(run, due)


def _wait_until(run: Run, due: float) -> None:
    """Wait until ``due`` (monotonic): in the tracker if there is one, else here."""
    if due <= time.monotonic():
        return
    if run.tracker is not None:
        raise WaitForPoll(due)
    if stop_requested.wait(due - time.monotonic()):
        raise RetryLater(run.ctx.now(), STOPPING, counted=False, note=False)


def poll(run: Run, account_id: int, publish_id: str) -> PublishStatus:
    """status/fetch as soon as the account's poll pace allows (§6: 30 a minute per token,
    shared by all its posts), waiting for it within the run's ``poll_hold``, otherwise
    handing the post back until then. A poll an earlier write reserved goes at once."""
    ctx = run.ctx
    while not _fresh_poll(run) and (slot := pacing.reserve_poll(ctx, account_id)) is not None:
        wait = (slot - ctx.now()).total_seconds()
        due = time.monotonic() + wait
        if not run.poll_deadline or due > run.poll_deadline:
            reason = "waiting for TikTok's limit on status checks (§6)"
            raise RetryLater(slot, reason, counted=False, note=False)
        _wait_until(run, due)
    return call_tiktok(run, account_id, lambda token: ctx.tiktok.fetch_status(token, publish_id))


def _fresh_poll(run: Run) -> bool:
    """Whether the poll an earlier write reserved may be sent now (taking the reservation):
    it must go out within RESERVED_POLL_SLACK of the time it was recorded for, well inside
    the pacing window's margin (§6), or it is reserved again."""
    reserved, run.poll_reserved_at = run.poll_reserved_at, None
    return reserved is not None and abs(run.ctx.now() - reserved) <= RESERVED_POLL_SLACK


def apply_word(run: Run, word: TikTokWord) -> str | None:
    """Apply TikTok's word; a post it ends takes our lease with it (no release needed)."""
    status = settle(
        run.ctx, run.post_id, word, owner=run.owner, received=run.received, post=run.post
    )
    run.received = None
    run.status = status
    if status in FINAL:
        run.released = True
    return status


def _give_up_if_stuck(run: Run, post: Post, tiktok_status: str) -> None:
    """§4.0 gives no processing limit, so the engine keeps its own: ``processing_timeout``
    after TikTok had the media (when the post entered ``processing``)."""
    limit = run.ctx.settings.processing_timeout
    if post.status != PROCESSING or run.ctx.now() - post.updated_at <= timedelta(seconds=limit):
        return
    hours = f"{limit // 3600} hours" if limit % 3600 == 0 else f"{limit // 60} minutes"
    raise PostFailed(
        Failure(
            "processing_timeout",
            f"TikTok still reported {tiktok_status} {hours} after it had the media.",
            f"TikTok has not finished processing this post within {hours}, so Autoposter "
            "stopped waiting. It may still appear: check the creator's TikTok profile before "
            "posting it again.",
        )
    )
