"""Send one post to TikTok, exactly once: the worker's task calls :func:`run_post` with an id.

For a ``queued`` post: a fresh token → creator_info and the send-time checks (§8 1) → a paced
init slot (§6) → the init → the ``publish_id`` (and the encrypted upload URL) committed
*before the first byte* → the streamed, chunked upload (§4.5) → status polls with backoff
until TikTok's final word (§4.7), unless a webhook brings it first → published, in the
inbox, or failed with TikTok's reason and a sentence to act on.

After an accepted init the post is never initialised again: a later run resumes the upload
from TikTok's progress or goes on polling. The run holds the post's lease (renewed in the
background) and returns early if the post vanished, is not due, or is someone else's.
Temporary failures release the lease with a ``next_attempt_at`` (exponential backoff); the
dispatcher hands the post to a worker again then. While TikTok processes a sent post, a
worker process's run waits in its :class:`~.tracker.Tracker`, not in a worker thread
(:mod:`.polling`).

A run writes as little as exactly-once allows (SQLite has one writer at a time): a typical
post takes three transactions. The claim, with the init's reservation (§6), then reading
the token and media; the ``publish_id`` before the first byte, with the reservation's
``publish_id`` and the first status poll's reservation; TikTok's final word, with the
media's deletion and the lease given back.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import select

from ..accounts import Context
from ..accounts.tokens import ready_access_token, snapshot_in
from ..store.models import FAILED, PROCESSING, QUEUED, UPLOADING, Post, PostMedia
from ..tiktok import (
    FileUpload,
    OutcomeUnknown,
    PublishTicket,
    plan_chunks,
)
from ..vault import associated_data
from . import lease, pacing
from .compose import Delivery, PostRequest, VideoInit, build_init
from .machine import ACTIVE, Failure, fail, record, transition
from .media_store import path_of, remove_stored, signed_url, suffix_of
from .polling import apply_word, plan_first_poll, poll, track
from .run import (
    FILE_UPLOAD,
    PULL_FROM_URL,
    STOPPING,
    Run,
    WaitForPoll,
    access_token,
    allow_running,
    call_tiktok,
    media_in,
    media_of,
    request_stop,
    updated_copy,
)
from .timings import DEFAULT_TIMINGS, Timings
from .tracker import Tracker
from .tracking import TikTokWord, forget_media
from .validation import validate_for_sending
from .verdicts import DISCONNECTED, PostFailed, RetryLater, validation_failure, verdict_for
from .views import request_of

__all__ = ["DEFAULT_TIMINGS", "Timings", "allow_running", "request_stop", "run_post"]

log = logging.getLogger("autoposter.posts")

PACING_RECHECK = timedelta(minutes=10)


# --- A run: claim, work, conclude ----------------------------------------------------------


def run_post(
    ctx: Context,
    post_id: int,
    timings: Timings | None = None,
    *,
    tracker: Tracker | None = None,
) -> str | None:
    """Advance the post as far as it goes now; returns its status (None if not run).

    With a ``tracker`` (a worker process's), a run that has to wait for TikTok's next
    status hands itself over and returns at once; the tracker carries it on when the poll
    is due. Without one, the run waits in the caller's thread.
    """
    timings = timings or Timings.from_settings(ctx.settings)
    owner = lease.new_owner()
    keeper = lease.LeaseKeeper(ctx, post_id, owner, timings.lease_seconds, timings.renew_every)
    run = Run(ctx, post_id, owner, timings, keeper, tracker)
    post = _claim(run)
    if post is None:
        log.debug("post %d is not due, not active, or leased by another worker", post_id)
        return None
    keeper.start()
    return _work(run, post, _advance)


def _work(run: Run, post: Post, step: Callable[[Run, Post], None]) -> str | None:
    """``step``, then conclude the run — unless it now waits in the tracker, which then
    owns the lease and calls this again with :func:`track` when the poll is due."""
    waiting = False
    try:
        step(run, post)
    except WaitForPoll as wait:
        waiting = _wait_in_tracker(run, post, wait.due)
        if not waiting:
            _retry(run, RetryLater(run.ctx.now(), STOPPING, counted=False, note=False))
    except Exception as exc:
        _conclude(run, exc)
    finally:
        if not waiting:
            _end_run(run)
    return run.status if run.status is not None else _status(run.ctx, run.post_id)


def _end_run(run: Run) -> None:
    if not run.released:
        lease.release(run.ctx, run.post_id, run.owner)
        run.released = True
    run.keeper.stop()


def _wait_in_tracker(run: Run, post: Post, due: float) -> bool:
    """Hand the run to the tracker until ``due``; False if the tracker has stopped."""
    assert run.tracker is not None

    def give_back() -> None:  # the worker stops: another takes the post from here
        _retry(run, RetryLater(run.ctx.now(), STOPPING, counted=False, note=False))
        _end_run(run)

    return run.tracker.wait(due, lambda: _work(run, post, track), give_back)


def _claim(run: Run) -> Post | None:
    """Take the lease and, in the same transaction, reserve what the run sends first: the
    init of a queued post, or the status poll of a post waiting on TikTok (§6). Once that
    is committed, the same session reads what the run needs: the token and the media."""
    ctx, now = run.ctx, run.ctx.now()
    with ctx.db.session() as session:
        post = lease.claim_in(session, run.post_id, run.owner, run.timings.lease_seconds, now)
        if post is None or post.account_id is None:
            return post
        run.post, run.attempts, run.status = post, post.attempts, post.status
        if post.status == QUEUED:
            pacer = pacing.pacer_for(ctx)
            mode = Delivery(post.mode)
            run.init_slot = pacing.reserve_init_in(
                session, pacer, post.account_id, post.id, mode, now
            )
        elif _tracked(post) and pacing.reserve_poll_in(session, post.account_id, now) is None:
            run.poll_reserved_at = now
        session.commit()  # the reads below need no lock
        snapshot = snapshot_in(session, post.account_id)
        if post.status in (QUEUED, UPLOADING):
            run.media = media_in(session, post.id)
    run.token = ready_access_token(ctx, snapshot) if snapshot is not None else None
    return post


def _tracked(post: Post) -> bool:
    """Whether the post waits on TikTok's status (rather than on our init or our bytes)."""
    return post.status == PROCESSING or (post.status == UPLOADING and post.source != FILE_UPLOAD)


def _advance(run: Run, post: Post) -> None:
    resumed = True  # a post found past "queued" was started by an earlier run
    current: Post | None = post
    while current is not None and not run.keeper.lost:
        run.status = current.status
        if current.status == QUEUED:
            current = _send(run, current)
            resumed = False
        elif current.status == UPLOADING and current.source == FILE_UPLOAD and not run.received:
            current = _upload(run, current, resumed)
        else:
            track(run, current)
            return


def _conclude(run: Run, exc: Exception) -> None:
    """Retry later or fail, as the error calls for (see :mod:`.verdicts`)."""
    if isinstance(exc, RetryLater | PostFailed):
        verdict: RetryLater | PostFailed = exc
    else:
        verdict = verdict_for(exc, run.ctx.settings)
        if isinstance(verdict, RetryLater) and verdict.reason.startswith("unexpected"):
            log.error("post %d: unexpected error while sending", run.post_id, exc_info=exc)
    if isinstance(verdict, RetryLater):
        _retry(run, verdict)
    else:
        _fail(run, verdict.failure)


# --- queued → uploading: the init ---------------------------------------------------------


def _send(run: Run, post: Post) -> Post | None:
    """The init; returns the post as it now is (uploading), or None if no longer ours."""
    account_id = post.account_id
    if account_id is None:
        raise PostFailed(DISCONNECTED)
    reservation = run.init_slot
    if reservation is None:
        reservation = pacing.reserve_init(run.ctx, account_id, post.id, Delivery(post.mode))
    if isinstance(reservation, datetime):
        # Look again after at most PACING_RECHECK: drafts the creator finishes meanwhile free
        # pending-share slots before the pacer's worst case.
        later = min(reservation, run.ctx.now() + PACING_RECHECK)
        raise RetryLater(later, "waiting for TikTok's posting limits (§6)", counted=False)
    try:
        access_token(run, account_id)  # a usable token first, or fail early
        media = media_of(run)
        request = request_of(run.ctx.settings, post, media)
        creator = (
            call_tiktok(run, account_id, run.ctx.tiktok.creator_info) if request.is_direct else None
        )
        errors = validate_for_sending(request, creator)
        if errors:
            raise validation_failure(errors)
        ticket = _init(run, account_id, post, request, media)
    except OutcomeUnknown as exc:
        raise _unknown_init(run, post, exc) from exc
    except BaseException:
        pacing.drop_reservation(run.ctx, reservation)
        raise
    return _commit_init(run, post, ticket, reservation)


def _init(
    run: Run, account_id: int, post: Post, request: PostRequest, media: list[PostMedia]
) -> PublishTicket:
    client = run.ctx.tiktok
    init = build_init(request)
    if isinstance(init, VideoInit):
        source = FileUpload(plan_chunks(media[0].size_bytes))
        info = init.post_info
        if info is None:
            return call_tiktok(
                run, account_id, lambda token: client.init_inbox_video(token, source)
            )
        return call_tiktok(
            run, account_id, lambda token: client.init_direct_video(token, info, source)
        )
    now = run.ctx.now()
    urls = [signed_url(run.ctx, m.id, suffix_of(m.stored_path), now) for m in media]
    return call_tiktok(
        run,
        account_id,
        lambda token: client.init_photos(
            token,
            urls,
            init.post_info,
            mode=init.mode,
            photo_cover_index=init.photo_cover_index,
            is_aigc=init.is_aigc,
        ),
    )


def _unknown_init(run: Run, post: Post, exc: OutcomeUnknown) -> RetryLater | PostFailed:
    """The init's answer was lost: TikTok may or may not have accepted it (§5)."""
    if post.kind == "video":
        # FILE_UPLOAD: TikTok publishes nothing until it has every byte, and only we can send
        # them, to the upload URL in the lost answer. An init we never heard back from can
        # therefore never publish anything, so initialising again is safe (the reservation
        # stays: it may have counted against the account's limits).
        return RetryLater(None, "the init's answer was lost; a new init is safe for uploads")
    # PULL_FROM_URL (photos): TikTok fetches the photos itself, so a lost init may still be
    # published; a second one could post the photos twice.
    return PostFailed(
        Failure(
            "outcome_unknown",
            exc.message or str(exc),
            "TikTok may have accepted this photo post, but its answer was lost, so Autoposter "
            "cannot tell whether it will appear. Check the creator's TikTok profile (and "
            "inbox) before posting it again: sending it again could post the photos twice.",
        )
    )


def _commit_init(
    run: Run, post: Post, ticket: PublishTicket, reservation: pacing.Reservation
) -> Post | None:
    """Store the publish_id (and the upload URL, encrypted) before any byte is sent: this
    commit is what makes a later run resume or poll instead of initialising again. The
    same transaction reserves the first status poll (§6), ``poll_first`` from now."""
    ctx = run.ctx
    assert post.account_id is not None
    values: dict[str, object] = {
        "publish_id": ticket.publish_id,
        "source": FILE_UPLOAD if ticket.upload_url else PULL_FROM_URL,
        "next_attempt_at": None,
    }
    if ticket.upload_url:
        aad = associated_data("posts", post.id, "upload_url")
        values["upload_url_ciphertext"] = ctx.keyring.encrypt(ticket.upload_url, aad)
    detail = f"TikTok accepted the init (publish_id {ticket.publish_id})."
    now = ctx.now()
    with ctx.db.session() as session:
        pacing.confirm_init(session, reservation, ticket.publish_id)
        moved = transition(
            session, post.id, QUEUED, UPLOADING, now, detail=detail, owner=run.owner, values=values
        )
        if moved:
            plan_first_poll(run, session, post.account_id)
    if not moved:
        run.status = None
        _orphaned_init(run, post, ticket)
        return None
    return updated_copy(post, UPLOADING, now, values)


def _orphaned_init(run: Run, post: Post, ticket: PublishTicket) -> None:
    """Our lease ran out mid-init and the post was cancelled or taken over meanwhile.

    An upload init without our bytes publishes nothing; a photo init makes TikTok fetch the
    photos itself, so ask TikTok to cancel that download (§4.8, best effort).
    """
    publish_id = ticket.publish_id
    log.error(
        "post %d: TikTok accepted init %s, but the post is no longer ours", post.id, publish_id
    )
    if ticket.upload_url or post.account_id is None:
        return
    try:
        call_tiktok(run, post.account_id, lambda token: run.ctx.tiktok.cancel(token, publish_id))
    except Exception as exc:  # already downloaded, or TikTok unreachable: nothing more to do
        log.error("post %d: cancelling orphaned publish %s failed: %s", post.id, publish_id, exc)


# --- uploading: the bytes (FILE_UPLOAD) ----------------------------------------------------


def _upload(run: Run, post: Post, resumed: bool) -> Post | None:
    """Send the bytes. Nothing is written yet: the first status poll follows in a moment,
    and usually ends the post in a single transaction (see :func:`track`)."""
    ctx = run.ctx
    assert post.account_id is not None and post.publish_id is not None
    if resumed:
        # An earlier run may have sent every byte already, or TikTok may have ended it.
        status = poll(run, post.account_id, post.publish_id)
        if status.status != "PROCESSING_UPLOAD":
            apply_word(run, TikTokWord.of_status(status))
            return None
    assert post.upload_url_ciphertext is not None
    url = ctx.keyring.decrypt(
        post.upload_url_ciphertext, associated_data("posts", post.id, "upload_url")
    )
    (media,) = media_of(run)
    path = path_of(ctx.settings, media.stored_path)
    result = ctx.tiktok.upload_file(url, path, plan_chunks(media.size_bytes), media.content_type)
    run.received = f"TikTok received all {result.bytes_total:,} bytes."
    return post


# --- Ending a run: retry later, or fail ----------------------------------------------------


def _status(ctx: Context, post_id: int) -> str | None:
    with ctx.db.session() as session:
        return session.scalar(select(Post.status).where(Post.id == post_id))


def _retry(run: Run, retry: RetryLater) -> None:
    """Hand the post back until ``retry.at`` (or a backoff), or fail it once out of tries.
    ``run.attempts`` is current: only the lease holder counts attempts."""
    ctx, timings, attempts = run.ctx, run.timings, run.attempts
    if retry.counted and attempts + 1 >= ctx.settings.post_max_attempts:
        _fail(run, _gave_up(attempts + 1, retry.reason))
        return
    at = retry.at
    if at is None:
        # Exponential backoff with jitter, so many posts failing together spread out.
        delay = min(timings.retry_max, timings.retry_base * 2**attempts)
        at = ctx.now() + timedelta(seconds=delay * random.uniform(0.5, 1.0))
    with ctx.db.session() as session:
        if retry.note:
            detail = f"{retry.reason}; next try at {at.isoformat(timespec='seconds')}."
            status = session.scalar(select(Post.status).where(Post.id == run.post_id))
            if status in ACTIVE:
                record(session, run.post_id, status, status, ctx.now(), detail)
        lease.release_in(session, run.post_id, run.owner, retry_at=at, count_attempt=retry.counted)
    run.released = True
    # Waits that are routine (the next status poll) stay out of the log as out of the history.
    level = logging.INFO if retry.note else logging.DEBUG
    log.log(level, "post %d: %s; next try at %s", run.post_id, retry.reason, at.isoformat())


def _gave_up(attempts: int, reason: str) -> Failure:
    return Failure(
        "gave_up",
        reason,
        f"Sending kept failing for a temporary reason ({reason}) and was given up after "
        f"{attempts} attempts. Check that TikTok is reachable, then post it again.",
    )


def _fail(run: Run, failure: Failure) -> None:
    """Fail the post (if still ours), give the lease and the media up, in one transaction."""
    ctx = run.ctx
    now = ctx.now()
    gone: list[str] = []
    with ctx.db.session() as session:
        post = session.get(Post, run.post_id)
        if post is None or post.status not in ACTIVE:
            run.status = post.status if post is not None else None
            return
        if post.mode == "inbox" and post.publish_id:
            pacing.finish_draft(session, post.publish_id)  # no longer pending (§6)
        moved = fail(
            session, post.id, post.status, now, failure, owner=run.owner, values=lease.RELEASED
        )
        if moved:
            gone = forget_media(session, post.id, now)
    remove_stored(ctx.settings, gone)
    if moved:
        run.status, run.released = FAILED, True
        log.info("post %d failed: %s", run.post_id, failure.message)
