"""TikTok's ``authorization.removed`` webhook (§7.2): the creator's tokens are already dead.

The web adapter verifies the signature and parses the event; this marks every matching
account ``revoked`` and deletes its tokens. Deliveries are at-least-once (§7), so handling
is idempotent, and an event older than the account's current authorization (a late retry
after the creator reconnected) is ignored.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from ..store.models import REVOKED, TikTokAccount
from ..tiktok import AuthorizationRemoved
from . import audit
from .context import Context


def handle_authorization_removed(ctx: Context, event: AuthorizationRemoved) -> int:
    """Mark the event's accounts revoked and drop their tokens; returns how many changed."""
    event_time = datetime.fromtimestamp(event.create_time, UTC) if event.create_time else None
    now = ctx.now()
    changed = 0
    with ctx.db.session() as session:
        accounts = session.scalars(
            select(TikTokAccount).where(TikTokAccount.open_id == event.user_openid)
        )
        for account in accounts:
            if account.status == REVOKED and account.refresh_token_ciphertext is None:
                continue  # a repeated delivery
            if event_time is not None and event_time < account.connected_at.replace(microsecond=0):
                continue  # about an authorization the creator has since replaced
            _revoke_locally(account, event, now)
            audit.record(
                session,
                audit.ACCOUNT_REVOKED_BY_TIKTOK,
                now,
                user_id=account.user_id,
                account_id=account.id,
                reason=event.reason,
            )
            changed += 1
    return changed


def _revoke_locally(account: TikTokAccount, event: AuthorizationRemoved, now: datetime) -> None:
    account.status = REVOKED
    account.status_reason = (
        f"TikTok removed Autoposter's access ({event.reason_text}): connect the account "
        "again to keep posting, or disconnect it."
    )
    account.access_token_ciphertext = None
    account.refresh_token_ciphertext = None
    account.access_expires_at = None
    account.access_lifetime = None
    account.refresh_expires_at = None
    account.token_version += 1  # a refresh in flight must not write its tokens back
    account.updated_at = now
