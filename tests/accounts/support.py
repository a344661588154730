"""Helpers the account tests share: a movable clock, a Context on a sandbox, the connect flow."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from autoposter.accounts import ConnectResult, Context, finish_connect, start_connect
from autoposter.config import Settings
from autoposter.sandbox import RunningSandbox
from autoposter.sandbox.state import Grant
from autoposter.store import Database
from autoposter.store.models import TikTokAccount, User
from tests.sandbox.support import callback_query
from tests.tiktok.support import client_for, consent


class TestClock:
    """Real time plus an offset the test moves forward (the services' clock)."""

    __test__ = False  # not a test class, despite the name

    def __init__(self) -> None:
        self.offset = timedelta(0)

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def advance(self, seconds: float) -> None:
        self.offset += timedelta(seconds=seconds)


def context_for(
    sandbox: RunningSandbox, database_url: str, data_dir: Path, clock: TestClock, **settings: Any
) -> Context:
    """A Context whose TikTok app is the sandbox's, retrying fast, with no real sleeping."""
    values: dict[str, Any] = {
        "data_dir": data_dir,
        "database_url": database_url,
        "sandbox_url": sandbox.url,
        "redirect_uri": sandbox.world.config.redirect_uris[0],
        **settings,
    }
    config = Settings(**values)
    return Context(
        config,
        Database(database_url),
        clock=clock,
        sleep=lambda seconds: None,
        lease_wait=5.0,
        lease_poll=0.01,
        tiktok_client=client_for(sandbox, clock=clock),
    )


def connect_account(
    ctx: Context,
    sandbox: RunningSandbox,
    user: User,
    *,
    creator: str = "public",
    grant: tuple[str, ...] | None = None,
) -> ConnectResult:
    """The whole connect flow: start, the sandbox's consent form, the callback."""
    start = start_connect(ctx, user)
    response = consent(sandbox, start.authorize_url, creator=creator, grant=grant)
    return finish_connect(ctx, user, callback_query(response))


def sandbox_grant(sandbox: RunningSandbox, creator: str = "public") -> Grant:
    found = sandbox.world.creator_by_key(creator)
    assert found is not None
    return sandbox.world.grants[found.open_id]


def account_row(ctx: Context, account_id: int) -> TikTokAccount | None:
    with ctx.db.session() as session:
        return session.get(TikTokAccount, account_id)


def count_accounts(ctx: Context) -> int:
    with ctx.db.session() as session:
        return session.scalar(select(func.count()).select_from(TikTokAccount)) or 0
