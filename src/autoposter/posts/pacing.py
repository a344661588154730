"""Run-time pacing of inits and status polls over the account's history in the database (§6).

Before each init the pipeline *reserves* a slot: under a lock on the account's row it reads
the account's inits of the last day, asks :class:`~autoposter.posts.quota.InitPacer` when the
next init may go, and — if that is now — records the init before sending it. The lock makes
the read-decide-record step one at a time per account across processes and machines (a
no-op UPDATE of the account row: a row lock on PostgreSQL, the write lock on SQLite), so two
workers can never both take the last free slot. A reservation is dropped again when the init
certainly did not reach TikTok, and kept when it may have (its answer was lost).

Status polls are paced the same way with ``STATUS_POLL_PACE``: TikTok allows 30 a minute per
token, shared by every post of the account, however many workers poll for them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import cast

from sqlalchemy import Connection, Table, bindparam, delete, insert, select, update
from sqlalchemy.orm import Session

from ..accounts import Context
from ..store import changed_rows
from ..store.models import AccountInit, AccountPoll, TikTokAccount
from .compose import Delivery
from .quota import DAILY_WINDOW, STATUS_POLL_PACE, InitPacer, PlannedPost


@dataclass(frozen=True)
class Reservation:
    id: int


def pacer_for(ctx: Context) -> InitPacer:
    return InitPacer(daily_cap=ctx.settings.daily_post_cap)


def init_history(session: Session, account_id: int, now: datetime) -> list[PlannedPost]:
    """The account's inits that still count at ``now`` (the longest window is a day)."""
    params = {"w_account": account_id, "w_since": now - DAILY_WINDOW}
    rows = session.connection().execute(_INIT_HISTORY, params)
    return [
        PlannedPost(str(account_id), at, Delivery(mode), draft_finished=finished)
        for at, mode, finished in rows
    ]


# The statements every send and status poll runs, built once with bind parameters.
_INITS = cast(Table, AccountInit.__table__)
_POLLS = cast(Table, AccountPoll.__table__)
_ACCOUNTS = cast(Table, TikTokAccount.__table__)
_INIT_HISTORY = (
    select(_INITS.c.at, _INITS.c.mode, _INITS.c.draft_finished)
    .where(_INITS.c.account_id == bindparam("w_account"), _INITS.c.at > bindparam("w_since"))
    .order_by(_INITS.c.at)
)
_RECORD_INIT = insert(_INITS).returning(_INITS.c.id)
_CONFIRM_INIT = (
    update(_INITS).where(_INITS.c.id == bindparam("w_id")).values(publish_id=bindparam("v_id"))
)
_RECENT_POLLS = select(_POLLS.c.at).where(
    _POLLS.c.account_id == bindparam("w_account"), _POLLS.c.at > bindparam("w_since")
)
_RECORD_POLL = insert(_POLLS)
_LOCK_ACCOUNT = (
    update(_ACCOUNTS).where(_ACCOUNTS.c.id == bindparam("w_account")).values(id=_ACCOUNTS.c.id)
)


def reserve_init(
    ctx: Context, account_id: int, post_id: int, mode: Delivery
) -> Reservation | datetime:
    """Record an init of ``mode`` for now, or say when it may go (a later datetime)."""
    with ctx.db.session() as session:
        return reserve_init_in(session, pacer_for(ctx), account_id, post_id, mode, ctx.now())


def reserve_init_in(
    session: Session,
    pacer: InitPacer,
    account_id: int,
    post_id: int,
    mode: Delivery,
    now: datetime,
) -> Reservation | datetime:
    """:func:`reserve_init` inside the caller's transaction (the pipeline's claim)."""
    _lock_account(session, account_id)
    slot = pacer.next_slot(init_history(session, account_id, now), mode, now)
    if slot > now:
        return slot
    row = {
        "account_id": account_id,
        "post_id": post_id,
        "at": now,
        "mode": mode.value,
        "draft_finished": False,
    }
    return Reservation(session.connection().execute(_RECORD_INIT, row).scalar_one())


def reserve_poll(ctx: Context, account_id: int) -> datetime | None:
    """Record a status poll for now (None: go ahead), or say when one may go."""
    with ctx.db.session() as session:
        return reserve_poll_in(session, account_id, ctx.now())


def reserve_poll_in(session: Session, account_id: int, at: datetime) -> datetime | None:
    """:func:`reserve_poll` for a poll at ``at`` (now, or planned a moment ahead), inside
    the caller's transaction: the pipeline records a poll in the same commit as the write
    before it (its claim, or the init's), so a poll costs no transaction of its own. The
    account stays locked until that commit."""
    _lock_account(session, account_id)
    connection = session.connection()
    params = {"w_account": account_id, "w_since": at - STATUS_POLL_PACE.window}
    recent = connection.execute(_RECENT_POLLS, params).scalars()
    slot = STATUS_POLL_PACE.next_slot(list(recent), at)
    if slot > at:
        return slot
    connection.execute(_RECORD_POLL, {"account_id": account_id, "at": at})
    return None


def _lock_account(session: Session, account_id: int) -> None:
    """Lock the account's row until commit, so a read after it sees every committed
    reservation (a row lock on PostgreSQL, the write lock on SQLite). On SQLite a
    transaction that has written already holds the database's only write lock."""
    connection = session.connection()
    if connection.dialect.name == "sqlite" and _sqlite_writing(connection):
        return
    connection.execute(_LOCK_ACCOUNT, {"w_account": account_id})


def _sqlite_writing(connection: Connection) -> bool:
    """Whether this SQLite connection's transaction has begun writing (pysqlite begins a
    transaction only before the first write)."""
    return bool(connection.connection.dbapi_connection.in_transaction)  # type: ignore[union-attr]


def confirm_init(session: Session, reservation: Reservation, publish_id: str) -> None:
    """Tie the reservation to TikTok's publish_id (in the transaction that stores it)."""
    session.connection().execute(_CONFIRM_INIT, {"w_id": reservation.id, "v_id": publish_id})


def drop_reservation(ctx: Context, reservation: Reservation) -> None:
    """The init certainly did not reach TikTok: it must not count against the account."""
    with ctx.db.session() as session:
        session.execute(delete(AccountInit).where(AccountInit.id == reservation.id))


def finish_draft(session: Session, publish_id: str) -> None:
    """An inbox draft was finished by the creator, or failed: it is no longer pending (§6)."""
    session.execute(
        update(AccountInit).where(AccountInit.publish_id == publish_id).values(draft_finished=True)
    )


def forget_old_inits(ctx: Context) -> int:
    """Delete inits no pacing window can count any more (retention)."""
    with ctx.db.session() as session:
        return changed_rows(
            session, delete(AccountInit).where(AccountInit.at <= ctx.now() - DAILY_WINDOW)
        )


def forget_old_polls(ctx: Context) -> int:
    """Delete status polls the pacing window no longer counts (retention)."""
    with ctx.db.session() as session:
        return changed_rows(
            session,
            delete(AccountPoll).where(AccountPoll.at <= ctx.now() - STATUS_POLL_PACE.window),
        )
