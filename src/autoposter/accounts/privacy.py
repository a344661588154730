"""A user's data rights: export everything as one JSON document, or erase everything.

Export holds no token, hash or ciphertext. Erase revokes each TikTok account at TikTok (a
failure is counted, never blocking), deletes the user's rows — their posts go with them by
ON DELETE CASCADE — and leaves one audit record: that the erasure happened.

Other rooms plug in here without this module knowing them: the publishing issue registers
an export section for posts and an erase step that deletes media files.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from ..store.models import ApiToken, AuditEvent, TikTokAccount, User
from . import audit
from .context import Context
from .disconnect import disconnect
from .lookup import AccountView
from .users import get_user

EXPORT_FORMAT = "autoposter-export"
EXPORT_VERSION = 1

ExportSection = Callable[[Session, int], list[dict[str, Any]]]
EraseStep = Callable[[Context, int], None]

_export_sections: dict[str, ExportSection] = {}
_erase_steps: list[EraseStep] = []


def register_export_section(name: str, section: ExportSection) -> None:
    """Add ``name`` to every export: ``section(session, user_id)`` returns its records."""
    _export_sections[name] = section


def register_erase_step(step: EraseStep) -> None:
    """Run ``step(ctx, user_id)`` during every erasure, before the user row is deleted."""
    if step not in _erase_steps:
        _erase_steps.append(step)


@dataclass(frozen=True)
class ErasureReport:
    user_id: int
    accounts_deleted: int
    revocation_failures: int


def export_user_data(ctx: Context, user: User) -> dict[str, Any]:
    """All of ``user``'s data as a JSON-ready document (no tokens, no hashes)."""
    now = ctx.now()
    with ctx.db.session() as session:
        me = session.get(User, user.id)
        assert me is not None
        document: dict[str, Any] = {
            "format": EXPORT_FORMAT,
            "version": EXPORT_VERSION,
            "exported_at": _iso(now),
            "user": {
                "id": me.id,
                "username": me.username,
                "created_at": _iso(me.created_at),
                "last_login_at": _iso(me.last_login_at),
            },
            "tiktok_accounts": _accounts(session, user.id),
            "api_tokens": _api_tokens(session, user.id),
            "audit_events": _audit_events(session, user.id),
        }
        for name, section in _export_sections.items():
            document[name] = section(session, user.id)
        audit.record(session, audit.USER_EXPORTED, now, user_id=user.id)
    return document


def erase_user(ctx: Context, user: User) -> ErasureReport:
    """Delete ``user`` and everything that is theirs, revoking their TikTok accounts first."""
    get_user(ctx, user.id)  # NotFound if already erased
    with ctx.db.session() as session:
        account_ids = list(
            session.scalars(select(TikTokAccount.id).where(TikTokAccount.user_id == user.id))
        )
    failures = 0
    for account_id in account_ids:
        if disconnect(ctx, user, account_id).revoke_error is not None:
            failures += 1
    for step in _erase_steps:
        step(ctx, user.id)
    with ctx.db.session() as session:
        session.execute(delete(AuditEvent).where(AuditEvent.user_id == user.id))
        session.execute(delete(User).where(User.id == user.id))
        audit.record(
            session,
            audit.USER_ERASED,
            ctx.now(),
            user_id=user.id,
            accounts_deleted=len(account_ids),
            revocation_failures=failures,
        )
    return ErasureReport(user.id, len(account_ids), failures)


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def _accounts(session: Session, user_id: int) -> list[dict[str, Any]]:
    query = select(TikTokAccount).where(TikTokAccount.user_id == user_id)
    records = []
    for account in session.scalars(query.order_by(TikTokAccount.id)):
        view = AccountView.of(account)
        records.append(
            {
                "id": view.id,
                "open_id": view.open_id,
                "union_id": view.union_id,
                "username": view.username,
                "nickname": view.nickname,
                "avatar_url": view.avatar_url,
                "scopes": list(view.scopes),
                "status": view.status,
                "status_reason": view.status_reason,
                "connected_at": _iso(view.connected_at),
                "access_expires_at": _iso(view.access_expires_at),
                "refresh_expires_at": _iso(view.refresh_expires_at),
            }
        )
    return records


def _api_tokens(session: Session, user_id: int) -> list[dict[str, Any]]:
    query = select(ApiToken).where(ApiToken.user_id == user_id).order_by(ApiToken.id)
    return [
        {
            "id": t.id,
            "name": t.name,
            "created_at": _iso(t.created_at),
            "last_used_at": _iso(t.last_used_at),
            "revoked_at": _iso(t.revoked_at),
        }
        for t in session.scalars(query)
    ]


def _audit_events(session: Session, user_id: int) -> list[dict[str, Any]]:
    return [
        {
            "at": _iso(e.created_at),
            "event": e.event,
            "account_id": e.account_id,
            "details": e.details,
        }
        for e in audit.events_for(session, user_id)
    ]
