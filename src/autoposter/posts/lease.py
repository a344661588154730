"""The lease that makes one worker at a time responsible for a post being sent (DESIGN).

Two columns on the post row, taken with a compare-and-set UPDATE that only one worker, in
any process on any machine, can win. The holder renews it while it uploads or polls
(:class:`LeaseKeeper`); if the holder dies the lease runs out and the reconciler hands the
post to another worker. Releasing may set ``next_attempt_at``: the post is then left alone
until that time (a retry with backoff, a wait for TikTok's limits, the next status poll).
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from datetime import datetime, timedelta

from sqlalchemy import or_, update

from ..accounts import Context
from ..store import changed_rows
from ..store.models import Post
from .machine import ACTIVE

log = logging.getLogger("autoposter.posts")


def new_owner() -> str:
    """A lease owner name that says where the worker runs (host, process) and is unique."""
    host = socket.gethostname()[:24]
    return f"{host}:{os.getpid()}:{uuid.uuid4().hex[:16]}"


def claim(ctx: Context, post_id: int, owner: str, seconds: float) -> bool:
    """Take the post's lease if it is active, unleased (or its lease ran out) and due."""
    now = ctx.now()
    with ctx.db.session() as session:
        won = changed_rows(
            session,
            update(Post)
            .where(
                Post.id == post_id,
                Post.status.in_(ACTIVE),
                or_(Post.lease_owner.is_(None), Post.lease_until.is_(None), Post.lease_until < now),
                or_(Post.next_attempt_at.is_(None), Post.next_attempt_at <= now),
            )
            .values(lease_owner=owner, lease_until=now + timedelta(seconds=seconds)),
        )
    return won == 1


def renew(ctx: Context, post_id: int, owner: str, seconds: float) -> bool:
    """Extend our lease; False if it is no longer ours (it ran out and moved on)."""
    now = ctx.now()
    with ctx.db.session() as session:
        renewed = changed_rows(
            session,
            update(Post)
            .where(Post.id == post_id, Post.lease_owner == owner)
            .values(lease_until=now + timedelta(seconds=seconds)),
        )
    return renewed == 1


def release(
    ctx: Context,
    post_id: int,
    owner: str,
    *,
    retry_at: datetime | None = None,
    count_attempt: bool = False,
) -> None:
    """Give the lease back, if still ours; ``retry_at`` is when the post wants a worker again."""
    values: dict[str, object] = {
        "lease_owner": None,
        "lease_until": None,
        "next_attempt_at": retry_at,
    }
    if count_attempt:
        values["attempts"] = Post.attempts + 1
    with ctx.db.session() as session:
        session.execute(
            update(Post).where(Post.id == post_id, Post.lease_owner == owner).values(values)
        )


class LeaseKeeper:
    """Renews a lease every ``every`` seconds in a background thread while work goes on."""

    def __init__(
        self, ctx: Context, post_id: int, owner: str, seconds: float, every: float
    ) -> None:
        self._ctx, self._post_id, self._owner = ctx, post_id, owner
        self._seconds, self._every = seconds, every
        self._stop = threading.Event()
        self._lost = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"lease-post-{post_id}", daemon=True)

    @property
    def lost(self) -> bool:
        """True once a renewal found the lease taken over: stop working on the post."""
        return self._lost.is_set()

    def __enter__(self) -> LeaseKeeper:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def _run(self) -> None:
        while not self._stop.wait(self._every):
            try:
                if not renew(self._ctx, self._post_id, self._owner, self._seconds):
                    log.warning("post %d: lease lost to another worker", self._post_id)
                    self._lost.set()
                    return
            except Exception:  # a database hiccup: the lease is still ours until it runs out
                log.exception("post %d: renewing the lease failed", self._post_id)
