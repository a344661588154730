"""One run of the pipeline over a post (see :mod:`.pipeline`): its state, and the TikTok
calls it makes with the account's access token.

A run's state is what it knows of the post from its own claim and writes — it holds the
post's lease, so nobody else moves the post meanwhile. The access token is read once per
run (with the claim when it is not due for a refresh, §1.6) and read again only when TikTok
refuses it.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar, cast

from sqlalchemy import Table, bindparam, select, update
from sqlalchemy.orm import Session

from ..accounts import SYSTEM, Context, access_token_for
from ..store.models import Post, PostMedia, TikTokAccount
from ..tiktok import TikTokError
from . import lease, pacing
from .timings import Timings
from .tracker import Tracker

log = logging.getLogger("autoposter.posts")

T = TypeVar("T")

FILE_UPLOAD, PULL_FROM_URL = "FILE_UPLOAD", "PULL_FROM_URL"  # the post's ``source`` (§4.1)
STOPPING = "the worker is stopping"

# Set when the worker shuts down: polls stop waiting and hand their post back at once.
stop_requested = threading.Event()


def request_stop() -> None:
    stop_requested.set()


def allow_running() -> None:
    stop_requested.clear()


@dataclass
class Run:
    """One run's state (see the module docstring; a webhook may still finish the post
    meanwhile, which every compare-and-set of the pipeline tolerates)."""

    ctx: Context
    post_id: int
    owner: str
    timings: Timings
    keeper: lease.LeaseKeeper
    tracker: Tracker | None
    attempts: int = 0
    status: str | None = None  # the post's status as this run last set it (None: unknown)
    released: bool = False  # the lease went back with one of the run's own writes
    token: str | None = None  # the account's access token, read once per run
    post: Post | None = None  # the run's copy of the row (kept up to date by updated_copy)
    media: list[PostMedia] | None = None
    init_slot: pacing.Reservation | datetime | None = None  # reserved with the claim
    poll_reserved_at: datetime | None = None  # a status poll recorded by an earlier write
    first_poll: float | None = None  # when (monotonic) that poll is planned
    received: str | None = None  # all bytes sent, not yet recorded (the history's line)
    poll_interval: float = 0.0
    poll_deadline: float = 0.0


class WaitForPoll(Exception):
    """The run's next step is a status poll at ``due`` (monotonic): the tracker waits."""

    def __init__(self, due: float) -> None:
        super().__init__(due)
        self.due = due


def call_tiktok(run: Run, account_id: int, call: Callable[[str], T]) -> T:
    """``call`` with the run's access token; if TikTok calls it invalid, retry once with a
    token read again — refreshed first, unless another worker refreshed it meanwhile."""
    used = access_token(run, account_id)
    try:
        return call(used)
    except TikTokError as exc:
        if not exc.needs_token_refresh:
            raise
        log.info("account %d: TikTok refused the access token; refreshing it once", account_id)
    run.token = None
    if access_token(run, account_id) == used:
        _distrust_token(run.ctx, account_id)
        run.token = None
    return call(access_token(run, account_id))


def access_token(run: Run, account_id: int) -> str:
    """The account's access token, read (and refreshed if due) once per run (§1.6)."""
    if run.token is None:
        run.token = access_token_for(run.ctx, SYSTEM, account_id)
    return run.token


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


def media_of(run: Run) -> list[PostMedia]:
    """The post's media rows, read once per run."""
    if run.media is None:
        with run.ctx.db.session() as session:
            run.media = media_in(session, run.post_id)
    return run.media


def media_in(session: Session, post_id: int) -> list[PostMedia]:
    rows = session.connection().execute(_MEDIA_OF, {"w_post": post_id})
    return [PostMedia(**row._mapping) for row in rows]


_MEDIA_TABLE = cast(Table, PostMedia.__table__)


_MEDIA_OF = (
    select(_MEDIA_TABLE)
    .where(_MEDIA_TABLE.c.post_id == bindparam("w_post"))
    .order_by(_MEDIA_TABLE.c.position)
)


def updated_copy(post: Post, status: str, at: datetime, values: dict[str, object]) -> Post:
    """The run's copy of the post after a transition it made (no need to read it back)."""
    for name, value in values.items():
        setattr(post, name, value)
    post.status, post.updated_at = status, at
    return post
