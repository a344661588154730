"""The periodic side of the engine: hand due posts to workers, rescue stalled ones, clean up.

The database is the source of truth; the queue only delivers "work on post N now" (DESIGN).

- :func:`dispatch_due` claims scheduled posts whose time has come with a compare-and-set
  ``scheduled → queued`` and enqueues them. Every worker runs it about once a second; the
  compare-and-set lets only one of them claim each post.
- :func:`reconcile` re-enqueues active posts that nobody holds: their lease ran out (a
  worker died, or huey lost the task on SIGKILL) or their retry time came. Each is first
  given a short delivery lease, again by compare-and-set, so it is enqueued once per round.
- :func:`clean_up` expires unconfirmed drafts, deletes media nobody needs any more, and
  forgets old pacing history (inits, status polls) and OAuth states.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import and_, or_, select, update

from ..accounts import Context, purge_expired_states
from ..store import changed_rows
from ..store.models import DRAFT, EXPIRED, QUEUED, SCHEDULED, Post, PostMedia
from .machine import ACTIVE, FINAL, transition
from .media_store import delete_post_media
from .pacing import forget_old_inits, forget_old_polls

log = logging.getLogger("autoposter.posts")

Enqueue = Callable[[int], None]

BATCH = 100
# How long an enqueued post may wait in the queue before the reconciler enqueues it again.
DELIVERY_GRACE = timedelta(minutes=2)


def dispatch_due(ctx: Context, enqueue: Enqueue, *, limit: int = BATCH) -> list[int]:
    """Claim due scheduled posts (scheduled → queued) and enqueue each; returns their ids."""
    now = ctx.now()
    with ctx.db.session() as session:
        due = list(
            session.scalars(
                select(Post.id)
                .where(Post.status == SCHEDULED, Post.publish_at <= now)
                .order_by(Post.publish_at, Post.id)
                .limit(limit)
            )
        )
    claimed = []
    for post_id in due:
        with ctx.db.session() as session:
            won = transition(
                session,
                post_id,
                SCHEDULED,
                QUEUED,
                now,
                detail="Due: handed to a worker.",
                values={"lease_owner": None, "lease_until": now + DELIVERY_GRACE},
            )
        if won:
            claimed.append(post_id)
            enqueue(post_id)
    return claimed


def reconcile(ctx: Context, enqueue: Enqueue, *, limit: int = BATCH) -> list[int]:
    """Enqueue active posts no live worker holds and that are due; returns their ids."""
    now = ctx.now()
    unheld = and_(
        Post.status.in_(ACTIVE),
        or_(Post.lease_until.is_(None), Post.lease_until < now),
        or_(Post.next_attempt_at.is_(None), Post.next_attempt_at <= now),
    )
    with ctx.db.session() as session:
        candidates = list(
            session.scalars(select(Post.id).where(unheld).order_by(Post.id).limit(limit))
        )
    rescued = []
    for post_id in candidates:
        with ctx.db.session() as session:
            won = changed_rows(
                session,
                update(Post)
                .where(Post.id == post_id, unheld)
                .values(lease_owner=None, lease_until=now + DELIVERY_GRACE),
            )
        if won == 1:
            rescued.append(post_id)
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
    return report


def expire_unconfirmed(ctx: Context) -> int:
    """Drafts not confirmed in time → expired (their media go in the same clean-up)."""
    now = ctx.now()
    with ctx.db.session() as session:
        stale = list(
            session.scalars(select(Post.id).where(Post.status == DRAFT, Post.confirm_by <= now))
        )
    expired = 0
    for post_id in stale:
        with ctx.db.session() as session:
            expired += transition(
                session,
                post_id,
                DRAFT,
                EXPIRED,
                now,
                detail="Not confirmed within the confirmation time; nothing was sent.",
            )
        delete_post_media(ctx, post_id)
    return expired
