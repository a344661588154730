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
dispatcher hands the post to a worker again then.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TypeVar

from sqlalchemy import select, update

from ..accounts import SYSTEM, Context, access_token_for
from ..store.models import PROCESSING, QUEUED, UPLOADING, Post, PostMedia, TikTokAccount
from ..tiktok import (
    FileUpload,
    OutcomeUnknown,
    PublishStatus,
    PublishTicket,
    TikTokError,
    plan_chunks,
)
from ..vault import associated_data
from . import lease, pacing
from .compose import Delivery, PostRequest, VideoInit, build_init
from .machine import ACTIVE, Failure, fail, record, transition
from .media_store import delete_post_media, path_of, signed_url, suffix_of
from .tracking import TikTokWord, settle
from .validation import validate_for_sending
from .verdicts import DISCONNECTED, PostFailed, RetryLater, validation_failure, verdict_for
from .views import request_of

log = logging.getLogger("autoposter.posts")

T = TypeVar("T")

PACING_RECHECK = timedelta(minutes=10)

# Set when the worker shuts down: polls stop waiting and hand their post back at once.
_stopping = threading.Event()


def request_stop() -> None:
    _stopping.set()


def allow_running() -> None:
    _stopping.clear()


@dataclass(frozen=True)
class Timings:
    """How the pipeline paces itself (seconds). Tests shrink them; defaults suit TikTok."""

    lease_seconds: float = 90.0
    renew_every: float = 20.0
    retry_base: float = 15.0
    retry_max: float = 900.0
    # Status polls (§4.7): backoff from first to max, within one run for at most
    # ``poll_hold``, then again ``poll_later`` after release; and never more for one account
    # than STATUS_POLL_PACE allows (§6: 30 a minute per token, shared by all its posts).
    poll_first: float = 1.0
    poll_max: float = 10.0
    poll_hold: float = 60.0
    poll_later: float = 20.0


DEFAULT_TIMINGS = Timings()


@dataclass
class _Run:
    ctx: Context
    post_id: int
    owner: str
    timings: Timings
    keeper: lease.LeaseKeeper


def run_post(ctx: Context, post_id: int, timings: Timings = DEFAULT_TIMINGS) -> str | None:
    """Advance the post as far as it goes now; returns its status (None if not run)."""
    owner = lease.new_owner()
    if not lease.claim(ctx, post_id, owner, timings.lease_seconds):
        log.debug("post %d is not due, not active, or leased by another worker", post_id)
        return None
    keeper = lease.LeaseKeeper(ctx, post_id, owner, timings.lease_seconds, timings.renew_every)
    run = _Run(ctx, post_id, owner, timings, keeper)
    with keeper:
        try:
            _advance(run)
        except Exception as exc:
            _conclude(run, exc)
        finally:
            lease.release(ctx, post_id, owner)
    return _status(ctx, post_id)


def _advance(run: _Run) -> None:
    resumed = True  # a post found past "queued" was started by an earlier run
    while not run.keeper.lost:
        post = _load(run)
        if post is None or post.lease_owner != run.owner or post.status not in ACTIVE:
            return
        if post.status == QUEUED:
            _send(run, post)
            resumed = False
        elif post.status == UPLOADING and post.source == "FILE_UPLOAD":
            _upload(run, post, resumed)
        else:
            _track(run, post)


def _conclude(run: _Run, exc: Exception) -> None:
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


def _send(run: _Run, post: Post) -> None:
    account_id = post.account_id
    if account_id is None:
        raise PostFailed(DISCONNECTED)
    mode = Delivery(post.mode)
    access_token_for(run.ctx, SYSTEM, account_id)  # a usable token first, or fail early
    reservation = pacing.reserve_init(run.ctx, account_id, post.id, mode)
    if isinstance(reservation, datetime):
        # Look again after at most PACING_RECHECK: drafts the creator finishes meanwhile free
        # pending-share slots before the pacer's worst case.
        later = min(reservation, run.ctx.now() + PACING_RECHECK)
        raise RetryLater(later, "waiting for TikTok's posting limits (§6)", counted=False)
    try:
        media = _media(run, post.id)
        request = request_of(run.ctx.settings, post, media)
        creator = _call(run, account_id, run.ctx.tiktok.creator_info) if request.is_direct else None
        errors = validate_for_sending(request, creator)
        if errors:
            raise validation_failure(errors)
        ticket = _init(run, account_id, post, request, media)
    except OutcomeUnknown as exc:
        raise _unknown_init(run, post, exc) from exc
    except BaseException:
        pacing.drop_reservation(run.ctx, reservation)
        raise
    pacing.confirm_init(run.ctx, reservation, ticket.publish_id)
    _commit_init(run, post, ticket)


def _init(
    run: _Run, account_id: int, post: Post, request: PostRequest, media: list[PostMedia]
) -> PublishTicket:
    client = run.ctx.tiktok
    init = build_init(request)
    if isinstance(init, VideoInit):
        source = FileUpload(plan_chunks(media[0].size_bytes))
        info = init.post_info
        if info is None:
            return _call(run, account_id, lambda token: client.init_inbox_video(token, source))
        return _call(run, account_id, lambda token: client.init_direct_video(token, info, source))
    now = run.ctx.now()
    urls = [signed_url(run.ctx, m.id, suffix_of(m.stored_path), now) for m in media]
    return _call(
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


def _unknown_init(run: _Run, post: Post, exc: OutcomeUnknown) -> RetryLater | PostFailed:
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


def _commit_init(run: _Run, post: Post, ticket: PublishTicket) -> None:
    """Store the publish_id (and the upload URL, encrypted) before any byte is sent."""
    ctx = run.ctx
    values: dict[str, object] = {
        "publish_id": ticket.publish_id,
        "source": "FILE_UPLOAD" if ticket.upload_url else "PULL_FROM_URL",
        "next_attempt_at": None,
    }
    if ticket.upload_url:
        aad = associated_data("posts", post.id, "upload_url")
        values["upload_url_ciphertext"] = ctx.keyring.encrypt(ticket.upload_url, aad)
    detail = f"TikTok accepted the init (publish_id {ticket.publish_id})."
    with ctx.db.session() as session:
        moved = transition(
            session,
            post.id,
            QUEUED,
            UPLOADING,
            ctx.now(),
            detail=detail,
            owner=run.owner,
            values=values,
        )
    if not moved:
        _orphaned_init(run, post, ticket)


def _orphaned_init(run: _Run, post: Post, ticket: PublishTicket) -> None:
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
        _call(run, post.account_id, lambda token: run.ctx.tiktok.cancel(token, publish_id))
    except Exception as exc:  # already downloaded, or TikTok unreachable: nothing more to do
        log.error("post %d: cancelling orphaned publish %s failed: %s", post.id, publish_id, exc)


# --- uploading: the bytes (FILE_UPLOAD) ----------------------------------------------------


def _upload(run: _Run, post: Post, resumed: bool) -> None:
    ctx = run.ctx
    assert post.account_id is not None and post.publish_id is not None
    publish_id = post.publish_id
    if resumed:
        # An earlier run may have sent every byte already, or TikTok may have ended it.
        status = _poll(run, post.account_id, publish_id, deadline=None)
        if status.status != "PROCESSING_UPLOAD":
            settle(ctx, post.id, TikTokWord.of_status(status))
            return
    assert post.upload_url_ciphertext is not None
    url = ctx.keyring.decrypt(
        post.upload_url_ciphertext, associated_data("posts", post.id, "upload_url")
    )
    (media,) = _media(run, post.id)
    path = path_of(ctx.settings, media.stored_path)
    result = ctx.tiktok.upload_file(url, path, plan_chunks(media.size_bytes), media.content_type)
    detail = f"TikTok received all {result.bytes_total:,} bytes."
    with ctx.db.session() as session:
        moved = transition(
            session, post.id, UPLOADING, PROCESSING, ctx.now(), detail=detail, owner=run.owner
        )
    if moved:
        delete_post_media(ctx, post.id)  # TikTok has them (DESIGN)


# --- uploading (PULL_FROM_URL) and processing: TikTok's status -----------------------------


def _track(run: _Run, post: Post) -> None:
    """Poll status/fetch with backoff until the post moves on; then return (§4.7)."""
    ctx, timings = run.ctx, run.timings
    assert post.account_id is not None and post.publish_id is not None
    publish_id = post.publish_id
    deadline = time.monotonic() + timings.poll_hold
    interval = timings.poll_first
    while True:
        status = _poll(run, post.account_id, publish_id, deadline)
        if settle(ctx, post.id, TikTokWord.of_status(status)) != post.status or run.keeper.lost:
            return
        _give_up_if_stuck(run, post, status.status)
        if time.monotonic() + interval > deadline:
            later = ctx.now() + timedelta(seconds=timings.poll_later)
            raise RetryLater(later, "TikTok is still processing", counted=False, note=False)
        if _stopping.wait(interval):
            raise RetryLater(ctx.now(), "the worker is stopping", counted=False, note=False)
        interval = min(interval * 2, timings.poll_max)


def _poll(run: _Run, account_id: int, publish_id: str, deadline: float | None) -> PublishStatus:
    """status/fetch as soon as the account's poll pace allows (§6: 30 a minute per token,
    shared by all its posts); if that is past ``deadline``, hand the post back until then."""
    ctx = run.ctx
    while (slot := pacing.reserve_poll(ctx, account_id)) is not None:
        wait = (slot - ctx.now()).total_seconds()
        if deadline is None or time.monotonic() + wait > deadline:
            reason = "waiting for TikTok's limit on status checks (§6)"
            raise RetryLater(slot, reason, counted=False, note=False)
        if _stopping.wait(wait):
            raise RetryLater(ctx.now(), "the worker is stopping", counted=False, note=False)
    return _call(run, account_id, lambda token: ctx.tiktok.fetch_status(token, publish_id))


def _give_up_if_stuck(run: _Run, post: Post, tiktok_status: str) -> None:
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


# --- Helpers ------------------------------------------------------------------------------


def _call(run: _Run, account_id: int, call: Callable[[str], T]) -> T:
    """``call`` with a fresh access token; if TikTok calls it invalid, refresh once, retry."""
    token = access_token_for(run.ctx, SYSTEM, account_id)
    try:
        return call(token)
    except TikTokError as exc:
        if not exc.needs_token_refresh:
            raise
        log.info("account %d: TikTok refused the access token; refreshing it once", account_id)
    _distrust_token(run.ctx, account_id)
    return call(access_token_for(run.ctx, SYSTEM, account_id))


def _distrust_token(ctx: Context, account_id: int) -> None:
    """TikTok refused a token we thought valid (revoked early, clocks apart): mark it
    expired so the next access_token_for refreshes it under the account's lease."""
    now = ctx.now()
    with ctx.db.session() as session:
        session.execute(
            update(TikTokAccount)
            .where(TikTokAccount.id == account_id, TikTokAccount.access_expires_at > now)
            .values(access_expires_at=now)
        )


def _load(run: _Run) -> Post | None:
    with run.ctx.db.session() as session:
        return session.get(Post, run.post_id)


def _media(run: _Run, post_id: int) -> list[PostMedia]:
    with run.ctx.db.session() as session:
        return list(
            session.scalars(
                select(PostMedia).where(PostMedia.post_id == post_id).order_by(PostMedia.position)
            )
        )


def _status(ctx: Context, post_id: int) -> str | None:
    with ctx.db.session() as session:
        return session.scalar(select(Post.status).where(Post.id == post_id))


def _retry(run: _Run, retry: RetryLater) -> None:
    """Hand the post back until ``retry.at`` (or a backoff), or fail it once out of tries."""
    ctx, timings = run.ctx, run.timings
    with ctx.db.session() as session:
        attempts = session.scalar(select(Post.attempts).where(Post.id == run.post_id)) or 0
    if retry.counted and attempts + 1 >= ctx.settings.post_max_attempts:
        _fail(run, _gave_up(attempts + 1, retry.reason))
        return
    at = retry.at
    if at is None:
        # Exponential backoff with jitter, so many posts failing together spread out.
        delay = min(timings.retry_max, timings.retry_base * 2**attempts)
        at = ctx.now() + timedelta(seconds=delay * random.uniform(0.5, 1.0))
    if retry.note:
        detail = f"{retry.reason}; next try at {at.isoformat(timespec='seconds')}."
        with ctx.db.session() as session:
            status = session.scalar(select(Post.status).where(Post.id == run.post_id))
            if status in ACTIVE:
                record(session, run.post_id, status, status, ctx.now(), detail)
    log.info("post %d: %s; next try at %s", run.post_id, retry.reason, at.isoformat())
    lease.release(ctx, run.post_id, run.owner, retry_at=at, count_attempt=retry.counted)


def _gave_up(attempts: int, reason: str) -> Failure:
    return Failure(
        "gave_up",
        reason,
        f"Sending kept failing for a temporary reason ({reason}) and was given up after "
        f"{attempts} attempts. Check that TikTok is reachable, then post it again.",
    )


def _fail(run: _Run, failure: Failure) -> None:
    ctx = run.ctx
    with ctx.db.session() as session:
        post = session.get(Post, run.post_id)
        if post is None or post.status not in ACTIVE:
            return
        if post.mode == "inbox" and post.publish_id:
            pacing.finish_draft(session, post.publish_id)  # no longer pending (§6)
        moved = fail(session, post.id, post.status, ctx.now(), failure, owner=run.owner)
    if moved:
        log.info("post %d failed: %s", run.post_id, failure.message)
        delete_post_media(ctx, run.post_id)
