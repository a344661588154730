"""Disconnecting an account: revoke at TikTok (§1.7), then delete it here for good.

The account's lease is taken first, so no refresh can rotate the tokens between the revoke
and the delete (a refresh racing the revoke would leave TikTok holding a live grant). A
failed revoke does not stop the deletion: it is recorded in the audit log instead, and the
creator can still remove the app in TikTok's settings.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import delete

from ..store.models import TikTokAccount
from ..tiktok import TikTokError
from ..vault import VaultError
from . import audit
from .context import Context
from .lease import release_lease, wait_for_lease
from .lookup import Actor, owned_account
from .tokens import decrypt_token

log = logging.getLogger("autoposter.accounts")


@dataclass(frozen=True)
class DisconnectResult:
    account_id: int
    # False with no error: there was nothing left to revoke (TikTok had revoked it already).
    revoked_at_tiktok: bool
    # Why revoking failed, in words; None when it worked or was not needed.
    revoke_error: str | None


def disconnect(ctx: Context, actor: Actor, account_id: int) -> DisconnectResult:
    """Revoke the account's authorization at TikTok and delete its row (tokens, profile)."""
    with ctx.db.session() as session:
        owned_account(session, actor, account_id)  # NotFound before anything happens
    owner = wait_for_lease(ctx, account_id)
    try:
        with ctx.db.session() as session:
            account = owned_account(session, actor, account_id)
            user_id, ciphertext = account.user_id, account.access_token_ciphertext
        revoked, error = _revoke(ctx, account_id, ciphertext)
        with ctx.db.session() as session:
            session.execute(delete(TikTokAccount).where(TikTokAccount.id == account_id))
            audit.record(
                session,
                audit.ACCOUNT_DISCONNECTED,
                ctx.now(),
                user_id=user_id,
                account_id=account_id,
                revoked_at_tiktok=revoked,
                revoke_error=error,
            )
    finally:
        if owner is not None:
            release_lease(ctx, account_id, owner)
    return DisconnectResult(account_id, revoked, error)


def _revoke(ctx: Context, account_id: int, ciphertext: str | None) -> tuple[bool, str | None]:
    """§1.7 with the access token; returns (revoked, why not)."""
    if ciphertext is None:
        return False, None  # TikTok already revoked it (authorization.removed): nothing to do
    try:
        access_token = decrypt_token(ctx, account_id, "access_token", ciphertext)
        ctx.tiktok.revoke(access_token)
    except VaultError as exc:
        log.warning("account %d: stored token unreadable, not revoked: %s", account_id, exc)
        return False, "the stored token could not be decrypted"
    except TikTokError as exc:
        log.warning("account %d: revoking at TikTok failed: %s", account_id, exc.code)
        return False, f"TikTok refused or could not be reached ({exc.code or 'no answer'})"
    return True, None
