"""The lease that makes one worker at a time responsible for a post being sent (DESIGN).

Two columns on the post row, taken with a compare-and-set UPDATE that only one worker, in
any process on any machine, can win. The holder renews it while it uploads or polls
(:class:`LeaseKeeper`, one renewing thread per process); if the holder dies the lease runs
out and the reconciler hands the post to another worker. Releasing may set
``next_attempt_at``: the post is then left alone until that time (a retry with backoff, a
wait for TikTok's limits, the next status poll).
"""

from __future__ import annotations

import heapq
import itertools
import logging
import os
import socket
import threading
import time
import uuid
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import Table, Update, bindparam, or_, update
from sqlalchemy.orm import Session

from ..accounts import Context
from ..store.models import Post
from .machine import ACTIVE

log = logging.getLogger("autoposter.posts")

_HOST = socket.gethostname()[:24]

# The lease columns of a post nobody holds: merged into the UPDATE that ends a run, so the
# lease goes back in the same statement (see the pipeline's final transitions).
RELEASED: dict[str, object] = {"lease_owner": None, "lease_until": None}


def new_owner() -> str:
    """A lease owner name that says where the worker runs (host, process) and is unique."""
    return f"{_HOST}:{os.getpid()}:{uuid.uuid4().hex[:16]}"


def claim(ctx: Context, post_id: int, owner: str, seconds: float) -> Post | None:
    """Take the post's lease if it is active, unleased (or its lease ran out) and due;
    returns the post as the claim left it (one statement: UPDATE … RETURNING), or None."""
    with ctx.db.session() as session:
        return claim_in(session, post_id, owner, seconds, ctx.now())


def claim_in(
    session: Session, post_id: int, owner: str, seconds: float, now: datetime
) -> Post | None:
    """:func:`claim` inside the caller's transaction (which may go on to other writes)."""
    params = {"w_id": post_id, "w_now": now, "v_owner": owner}
    params["v_until"] = now + timedelta(seconds=seconds)
    row = session.connection().execute(_CLAIM, params).first()
    return Post(**row._mapping) if row is not None else None


# Built once, with bind parameters: every run of every post starts with it.
_POSTS = cast(Table, Post.__table__)
_CLAIM = (
    update(_POSTS)
    .where(
        _POSTS.c.id == bindparam("w_id"),
        _POSTS.c.status.in_(ACTIVE),
        or_(
            _POSTS.c.lease_owner.is_(None),
            _POSTS.c.lease_until.is_(None),
            _POSTS.c.lease_until < bindparam("w_now"),
        ),
        or_(_POSTS.c.next_attempt_at.is_(None), _POSTS.c.next_attempt_at <= bindparam("w_now")),
    )
    .values(lease_owner=bindparam("v_owner"), lease_until=bindparam("v_until"))
    .returning(*_POSTS.c)
)


def renew(ctx: Context, post_id: int, owner: str, seconds: float) -> bool:
    """Extend our lease; False if it is no longer ours (it ran out and moved on)."""
    return owner in renew_many(ctx, [owner], seconds)


def renew_many(ctx: Context, owners: list[str], seconds: float) -> set[str]:
    """Extend these leases (owner names are unique per run) in one UPDATE; returns the
    owners whose lease was still theirs."""
    until = ctx.now() + timedelta(seconds=seconds)
    with ctx.db.session() as session:
        rows = session.connection().execute(
            update(_POSTS)
            .where(_POSTS.c.lease_owner.in_(owners))
            .values(lease_until=until)
            .returning(_POSTS.c.lease_owner)
        )
        return {owner for (owner,) in rows}


def release(
    ctx: Context,
    post_id: int,
    owner: str,
    *,
    retry_at: datetime | None = None,
    count_attempt: bool = False,
) -> None:
    """Give the lease back, if still ours; ``retry_at`` is when the post wants a worker again."""
    with ctx.db.session() as session:
        release_in(session, post_id, owner, retry_at=retry_at, count_attempt=count_attempt)


def release_in(
    session: Session,
    post_id: int,
    owner: str,
    *,
    retry_at: datetime | None = None,
    count_attempt: bool = False,
) -> bool:
    """:func:`release` inside the caller's transaction; whether the lease was still ours."""
    params = {"w_id": post_id, "w_owner": owner, "v_retry": retry_at}
    return session.connection().execute(_RELEASE[count_attempt], params).rowcount == 1


def _release_statement(count_attempt: bool) -> Update:
    values: dict[str, Any] = {**RELEASED, "next_attempt_at": bindparam("v_retry")}
    if count_attempt:
        values["attempts"] = _POSTS.c.attempts + 1
    return (
        update(_POSTS)
        .where(_POSTS.c.id == bindparam("w_id"), _POSTS.c.lease_owner == bindparam("w_owner"))
        .values(values)
    )


_RELEASE = {count: _release_statement(count) for count in (False, True)}


class LeaseKeeper:
    """Keeps a lease renewed every ``every`` seconds while work goes on.

    One thread per process (:class:`_Renewer`) renews every kept lease as it comes due, many
    in one UPDATE: a worker may hold thousands of posts waiting for TikTok's word, and a
    thread for each would not scale.
    """

    def __init__(
        self, ctx: Context, post_id: int, owner: str, seconds: float, every: float
    ) -> None:
        self.ctx, self.post_id, self.owner = ctx, post_id, owner
        self.seconds, self.every = seconds, every
        self.stopped = False
        self._lost = threading.Event()

    @property
    def lost(self) -> bool:
        """True once a renewal found the lease taken over: stop working on the post."""
        return self._lost.is_set()

    def start(self) -> None:
        _renewer.keep(self)

    def stop(self) -> None:
        self.stopped = True  # the renewer forgets it when it next comes due

    def mark_lost(self) -> None:
        log.warning("post %d: lease lost to another worker", self.post_id)
        self._lost.set()

    def __enter__(self) -> LeaseKeeper:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


RENEW_BATCH = 500


class _Renewer:
    """The leases this process keeps, each renewed when its time comes, by one thread."""

    def __init__(self) -> None:
        self._due: list[tuple[float, int, LeaseKeeper]] = []
        self._seq = itertools.count()
        self._changed = threading.Condition()
        self._pid = 0  # the process whose thread renews (a forked child starts its own)

    def keep(self, keeper: LeaseKeeper) -> None:
        with self._changed:
            if self._pid != os.getpid():
                self._due, self._pid = [], os.getpid()
                threading.Thread(target=self._run, name="lease-renewer", daemon=True).start()
            self._push(keeper)

    def _push(self, keeper: LeaseKeeper) -> None:
        heapq.heappush(self._due, (time.monotonic() + keeper.every, next(self._seq), keeper))
        self._changed.notify()

    def _run(self) -> None:
        while True:
            kept = self._renew(self._take_due())
            with self._changed:
                for keeper in kept:
                    self._push(keeper)

    def _take_due(self) -> list[LeaseKeeper]:
        with self._changed:
            while True:
                now = time.monotonic()
                due = []
                while self._due and self._due[0][0] <= now:
                    keeper = heapq.heappop(self._due)[2]
                    if not keeper.stopped:
                        due.append(keeper)
                if due:
                    return due
                self._changed.wait(self._due[0][0] - now if self._due else None)

    def _renew(self, due: list[LeaseKeeper]) -> list[LeaseKeeper]:
        """Renew ``due`` (grouped by database and lease length); returns those still ours,
        and those a database hiccup left unknown (the lease is ours until it runs out)."""
        groups: dict[tuple[int, float], list[LeaseKeeper]] = {}
        for keeper in due:
            groups.setdefault((id(keeper.ctx), keeper.seconds), []).append(keeper)
        kept: list[LeaseKeeper] = []
        for group in groups.values():
            for start in range(0, len(group), RENEW_BATCH):
                batch = group[start : start + RENEW_BATCH]
                try:
                    ours = renew_many(batch[0].ctx, [k.owner for k in batch], batch[0].seconds)
                except Exception:
                    log.exception("renewing %d lease(s) failed", len(batch))
                    kept += batch
                    continue
                for keeper in batch:
                    if keeper.owner in ours:
                        kept.append(keeper)
                    elif not keeper.stopped:
                        keeper.mark_lost()
        return kept


_renewer = _Renewer()
