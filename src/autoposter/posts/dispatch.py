"""The periodic side of the engine: hand due posts to workers, rescue stalled ones, clean up.

The database is the source of truth; the queue only delivers "work on post N now" (DESIGN).

- :func:`dispatch_due` claims the posts whose time has come and enqueues them: scheduled
  posts whose publish time came (``scheduled → queued``), and active posts a worker handed
  back until a next attempt that has come (a retry, the next status poll). Every worker runs
  it about once a second, and again at once while it finds full batches; each claim is one
  compare-and-set ``UPDATE … WHERE id IN (…) AND <still due> RETURNING id``, so of several
  dispatchers exactly one wins each post.
- :func:`reconcile` re-enqueues active posts whose lease ran out: a worker died, or huey
  lost the task on SIGKILL. The same kind of claim gives each a short delivery lease, so it
  is enqueued once per round.
- :func:`clean_up` expires unconfirmed drafts, deletes media nobody needs any more, and
  forgets old pacing history (inits, status polls), OAuth states, failed sign-ins past their
  window and long-gone workers.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, or_, select, update
from sqlalchemy.orm import Session

from ..accounts import Context, purge_expired_states
from ..accounts.throttle import forget_old_sign_in_failures
from ..store.models import DRAFT, EXPIRED, QUEUED, SCHEDULED, Post, PostMedia
from .machine import ACTIVE, FINAL, transition_many
from .media_store import delete_post_media
from .pacing import forget_old_inits, forget_old_polls
from .timings import DEFAULT_TIMINGS
from .workers import forget_gone_workers

log = logging.getLogger("autoposter.posts")

Enqueue = Callable[[int], None]

BATCH = DEFAULT_TIMINGS.dispatch_batch
# How long an enqueued post may wait in the queue before the reconciler enqueues it again.
DELIVERY_GRACE = timedelta(seconds=DEFAULT_TIMINGS.delivery_grace)


def dispatch_due(
    ctx: Context, enqueue: Enqueue, *, limit: int = BATCH, grace: timedelta = DELIVERY_GRACE
) -> list[int]:
    """Claim the posts whose time has come (at most ``limit`` of each kind, see the module
    docstring) and enqueue each; returns their ids. A full batch of either kind means more
    may be due: call again."""
    now = ctx.now()
    delivery = {"lease_owner": None, "lease_until": now + grace}
    with ctx.db.session() as session:
        resumed = _claim(session, _handed_back(now), limit, delivery, order=Post.next_attempt_at)
        scheduled = list(
            session.scalars(
                select(Post.id)
                .where(Post.status == SCHEDULED, Post.publish_at <= now)
                .order_by(Post.publish_at, Post.id)
                .limit(limit)
            )
        )
        started = transition_many(
            session,
            scheduled,
            SCHEDULED,
            QUEUED,
            now,
            detail="Due: handed to a worker.",
            values=delivery,
        )
    claimed = resumed + started
    for post_id in claimed:
        enqueue(post_id)
    return claimed


def _handed_back(now: datetime) -> ColumnElement[bool]:
    """Active posts a worker released (no lease at all) whose next attempt has come."""
    return and_(
        Post.status.in_(ACTIVE),
        Post.lease_owner.is_(None),
        Post.lease_until.is_(None),
        or_(Post.next_attempt_at.is_(None), Post.next_attempt_at <= now),
    )


def _claim(
    session: Session,
    condition: ColumnElement[bool],
    limit: int,
    values: dict[str, Any],
    *,
    order: Any = Post.id,
) -> list[int]:
    """Compare-and-set ``values`` onto up to ``limit`` posts meeting ``condition``; the ids
    this call changed (a post another dispatcher changed first no longer meets it)."""
    candidates = list(
        session.scalars(select(Post.id).where(condition).order_by(order, Post.id).limit(limit))
    )
    if not candidates:
        return []
    return list(
        session.scalars(
            update(Post)
            .where(Post.id.in_(candidates), condition)
            .values(values)
            .returning(Post.id),
            execution_options={"synchronize_session": False},
        )
    )


def reconcile(
    ctx: Context, enqueue: Enqueue, *, limit: int = BATCH, grace: timedelta = DELIVERY_GRACE
) -> list[int]:
    """Enqueue active posts no live worker holds and that are due; returns their ids."""
    now = ctx.now()
    unheld = and_(
        Post.status.in_(ACTIVE),
        or_(Post.lease_until.is_(None), Post.lease_until < now),
        or_(Post.next_attempt_at.is_(None), Post.next_attempt_at <= now),
    )
    with ctx.db.session() as session:
        rescued = _claim(session, unheld, limit, {"lease_owner": None, "lease_until": now + grace})
    for post_id in rescued:
        enqueue(post_id)
    if rescued:
        log.info("re-enqueued %d post(s) no worker held: %s", len(rescued), rescued)
    return rescued


@dataclass
class CleanUp:
    expired_drafts: int = 0
    media_deleted: int = 0
    inits_forgotten: int = 0
    polls_forgotten: int = 0
    oauth_states_purged: int = 0
    sign_in_failures_forgotten: int = 0
    workers_forgotten: int = 0


def clean_up(ctx: Context) -> CleanUp:
    """The retention task (see the module docstring)."""
    report = CleanUp()
    report.expired_drafts = expire_unconfirmed(ctx)
    with ctx.db.session() as session:
        leftovers = list(
            session.scalars(
                select(PostMedia.post_id)
                .join(Post, Post.id == PostMedia.post_id)
                .where(PostMedia.deleted_at.is_(None), Post.status.in_(FINAL))
                .distinct()
            )
        )
    for post_id in leftovers:
        report.media_deleted += delete_post_media(ctx, post_id)
    report.inits_forgotten = forget_old_inits(ctx)
    report.polls_forgotten = forget_old_polls(ctx)
    report.oauth_states_purged = purge_expired_states(ctx)
    report.sign_in_failures_forgotten = forget_old_sign_in_failures(ctx)
    report.workers_forgotten = forget_gone_workers(ctx)
    return report


def expire_unconfirmed(ctx: Context) -> int:
    """Drafts not confirmed in time → expired (their media go in the same clean-up)."""
    now = ctx.now()
    with ctx.db.session() as session:
        stale = list(
            session.scalars(select(Post.id).where(Post.status == DRAFT, Post.confirm_by <= now))
        )
        expired = transition_many(
            session,
            stale,
            DRAFT,
            EXPIRED,
            now,
            detail="Not confirmed within the confirmation time; nothing was sent.",
        )
    for post_id in expired:
        delete_post_media(ctx, post_id)
    return len(expired)
