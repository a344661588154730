"""Who may touch which account, and the read-only view of one that adapters show.

Every service takes an :data:`Actor`: a :class:`~autoposter.store.models.User` sees only
their own accounts (another user's id is :class:`NotFound`, indistinguishable from a missing
one), and a :class:`SystemTask` (the worker's periodic jobs, webhooks) sees all of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal, TypeVar

from sqlalchemy import Select, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from ..store.models import CONNECTED, TikTokAccount, User
from .context import Context
from .errors import NotFound


@dataclass(frozen=True)
class SystemTask:
    """An actor that is no person: a periodic task or a verified TikTok webhook."""

    name: str


SYSTEM = SystemTask("system")
Actor = User | SystemTask

_Query = TypeVar("_Query", bound="Select[*tuple[Any, ...]]")


def visible_to(query: _Query, actor: Actor, owner: InstrumentedAttribute[int]) -> _Query:
    """``query`` narrowed to the rows ``actor`` may see, ``owner`` being the column that
    holds their user's id: a user sees their own rows, a :class:`SystemTask` every row."""
    if isinstance(actor, SystemTask):
        return query
    return query.where(owner == actor.id)


@dataclass(frozen=True)
class AccountView:
    """A connected TikTok account as the dashboard, API and CLI show it: never its tokens."""

    id: int
    user_id: int
    open_id: str
    union_id: str | None
    username: str | None
    nickname: str | None
    avatar_url: str | None
    scopes: tuple[str, ...]
    status: str
    status_reason: str | None
    connected_at: datetime
    updated_at: datetime
    access_expires_at: datetime | None
    refresh_expires_at: datetime | None

    @property
    def label(self) -> str:
        """How to name the account to its owner: "@username", else the nickname."""
        return account_label(self.id, self.username, self.nickname)

    @classmethod
    def of(cls, account: TikTokAccount) -> AccountView:
        return cls(
            id=account.id,
            user_id=account.user_id,
            open_id=account.open_id,
            union_id=account.union_id,
            username=account.username,
            nickname=account.nickname,
            avatar_url=account.avatar_url,
            scopes=account.scope_list,
            status=account.status,
            status_reason=account.status_reason,
            connected_at=account.connected_at,
            updated_at=account.updated_at,
            access_expires_at=account.access_expires_at,
            refresh_expires_at=account.refresh_expires_at,
        )


# A creator whose authorization ends within this long is asked to reconnect ahead of time
# (§1.6: the refresh token lives 365 or 180 days and refreshing does not extend it).
RECONNECT_AHEAD = timedelta(days=14)

TokenHealth = Literal["ok", "refresh_soon", "needs_reconnect"]


def token_health(account: AccountView, now: datetime) -> TokenHealth:
    """How the account's authorization stands, in the words the API, CLI and dashboard use:
    ``needs_reconnect`` — it cannot post until its creator connects it again;
    ``refresh_soon`` — the authorization runs out within :data:`RECONNECT_AHEAD`, so the
    creator should reconnect before then; ``ok`` otherwise. (Access tokens expiring is no
    news: they are refreshed ahead of time, §1.5.)"""
    ends = account.refresh_expires_at
    if account.status != CONNECTED or (ends is not None and ends <= now):
        return "needs_reconnect"
    if ends is not None and ends - now <= RECONNECT_AHEAD:
        return "refresh_soon"
    return "ok"


def accounts_of(actor: Actor) -> Select[TikTokAccount]:
    """A query over the accounts ``actor`` may see."""
    return visible_to(select(TikTokAccount), actor, TikTokAccount.user_id)


def owned_account(session: Session, actor: Actor, account_id: int) -> TikTokAccount:
    account = session.scalars(accounts_of(actor).where(TikTokAccount.id == account_id)).first()
    if account is None:
        raise NotFound(f"There is no TikTok account {account_id} among yours.")
    return account


def list_accounts(ctx: Context, actor: Actor) -> list[AccountView]:
    with ctx.db.session() as session:
        accounts = session.scalars(accounts_of(actor).order_by(TikTokAccount.id))
        return [AccountView.of(a) for a in accounts]


def account_usernames(ctx: Context, actor: Actor) -> dict[int, str | None]:
    """Each of the actor's accounts' TikTok username by id: the cheap lookup lists need."""
    query = select(TikTokAccount.id, TikTokAccount.username)
    query = visible_to(query, actor, TikTokAccount.user_id)
    with ctx.db.session() as session:
        return {row.id: row.username for row in session.execute(query)}


def account_labels(ctx: Context, actor: Actor) -> dict[int, str]:
    """Each of the actor's accounts' :attr:`AccountView.label` by id, in id order: what a
    post list needs (its account filter, each row's account) without building views."""
    query = select(TikTokAccount.id, TikTokAccount.username, TikTokAccount.nickname)
    query = visible_to(query, actor, TikTokAccount.user_id)
    # A read on a plain connection: an ORM session's unit of work costs twice the query.
    with ctx.db.engine.connect() as connection:
        rows = connection.execute(query.order_by(TikTokAccount.id)).all()
    return {row.id: account_label(row.id, row.username, row.nickname) for row in rows}


def account_label(account_id: int, username: str | None, nickname: str | None) -> str:
    if username:
        return "@" + username
    return nickname or f"TikTok account {account_id}"


def get_account(ctx: Context, actor: Actor, account_id: int) -> AccountView:
    with ctx.db.session() as session:
        return AccountView.of(owned_account(session, actor, account_id))
