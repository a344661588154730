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

from sqlalchemy import delete, select, update
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
    rows = session.scalars(
        select(AccountInit)
        .where(AccountInit.account_id == account_id, AccountInit.at > now - DAILY_WINDOW)
        .order_by(AccountInit.at)
    )
    return [
        PlannedPost(str(account_id), row.at, Delivery(row.mode), draft_finished=row.draft_finished)
        for row in rows
    ]


def reserve_init(
    ctx: Context, account_id: int, post_id: int, mode: Delivery
) -> Reservation | datetime:
    """Record an init of ``mode`` for now, or say when it may go (a later datetime)."""
    now = ctx.now()
    with ctx.db.session() as session:
        _lock_account(session, account_id)
        slot = pacer_for(ctx).next_slot(init_history(session, account_id, now), mode, now)
        if slot > now:
            return slot
        row = AccountInit(
            account_id=account_id, post_id=post_id, at=now, mode=mode.value, draft_finished=False
        )
        session.add(row)
        session.flush()
        return Reservation(row.id)


def reserve_poll(ctx: Context, account_id: int) -> datetime | None:
    """Record a status poll for now (None: go ahead), or say when one may go."""
    now = ctx.now()
    with ctx.db.session() as session:
        _lock_account(session, account_id)
        recent = session.scalars(
            select(AccountPoll.at).where(
                AccountPoll.account_id == account_id,
                AccountPoll.at > now - STATUS_POLL_PACE.window,
            )
        )
        slot = STATUS_POLL_PACE.next_slot(list(recent), now)
        if slot > now:
            return slot
        session.add(AccountPoll(account_id=account_id, at=now))
        return None


def _lock_account(session: Session, account_id: int) -> None:
    """Lock the account's row until commit, so a read after it sees every committed
    reservation (a row lock on PostgreSQL, the write lock on SQLite)."""
    session.execute(
        update(TikTokAccount).where(TikTokAccount.id == account_id).values(id=TikTokAccount.id)
    )


def confirm_init(ctx: Context, reservation: Reservation, publish_id: str) -> None:
    with ctx.db.session() as session:
        session.execute(
            update(AccountInit)
            .where(AccountInit.id == reservation.id)
            .values(publish_id=publish_id)
        )


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
