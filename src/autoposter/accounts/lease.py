"""The per-account lease: at most one worker refreshes (or disconnects) an account at a time.

A lease is two columns on the account row, taken with a compare-and-set UPDATE that only
one worker can win (DESIGN: per-account work is serialised by a lease in the database,
never an in-memory lock). It expires by itself, so a worker killed mid-refresh blocks the
account for ``lease_seconds`` at most.
"""

from __future__ import annotations

import time
import uuid
from datetime import timedelta

from sqlalchemy import or_, update

from ..store import changed_rows
from ..store.models import TikTokAccount
from .context import Context


def claim_lease(ctx: Context, account_id: int) -> str | None:
    """Take the account's lease; returns the owner token, or None if someone else holds it."""
    owner = uuid.uuid4().hex
    now = ctx.now()
    with ctx.db.session() as session:
        won = changed_rows(
            session,
            update(TikTokAccount)
            .where(
                TikTokAccount.id == account_id,
                or_(
                    TikTokAccount.refresh_lease_until.is_(None),
                    TikTokAccount.refresh_lease_until < now,
                ),
            )
            .values(
                refresh_lease_owner=owner,
                refresh_lease_until=now + timedelta(seconds=ctx.lease_seconds),
            ),
        )
    return owner if won == 1 else None


def release_lease(ctx: Context, account_id: int, owner: str) -> None:
    """Give the lease back, if it is still ours (it may have expired and moved on)."""
    with ctx.db.session() as session:
        session.execute(
            update(TikTokAccount)
            .where(TikTokAccount.id == account_id, TikTokAccount.refresh_lease_owner == owner)
            .values(refresh_lease_owner=None, refresh_lease_until=None)
        )


def wait_for_lease(ctx: Context, account_id: int) -> str | None:
    """Claim the lease, waiting up to ``ctx.lease_wait`` seconds for its holder to finish."""
    deadline = time.monotonic() + ctx.lease_wait
    while True:
        owner = claim_lease(ctx, account_id)
        if owner is not None or time.monotonic() >= deadline:
            return owner
        time.sleep(ctx.lease_poll)
