"""An account's access token, refreshed ahead of expiry under the per-account lease (§1.5, §1.6).

- When: ``token_refresh_margin`` seconds before the access token expires, where expiry comes
  from TikTok's ``expires_in`` (24 h or 2 h, §1.6: never assumed). The margin is capped at
  half the token's lifetime, so short-lived tokens are not refreshed on every use.
- Who: only the worker holding the account's lease; the others wait for it and read the
  tokens it stored.
- How: the new access token and the rotated refresh token (§1.5: the old one stops working)
  are written by one UPDATE, guarded by ``token_version`` so a worker whose view is stale
  can never overwrite newer tokens.
- Failures: a transient failure (network, 5xx, 429) is retried with backoff; if it persists
  and the current access token is still valid, that token is used and the refresh is left
  for later. Only a definite ``invalid_grant`` marks the account ``needs_reconnect``.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import Table, bindparam, select, update
from sqlalchemy.orm import Session

from ..store import changed_rows
from ..store.models import CONNECTED, NEEDS_RECONNECT, TikTokAccount
from ..tiktok import InvalidGrant, OutcomeUnknown, TikTokError, TokenSet
from ..vault import associated_data
from . import audit
from .context import Context
from .errors import NeedsReconnect, NotFound, RefreshBusy, RefreshFailed
from .lease import claim_lease, release_lease
from .lookup import SYSTEM, Actor, owned_account

log = logging.getLogger("autoposter.accounts")

TABLE = "tiktok_accounts"


@dataclass(frozen=True)
class TokenSnapshot:
    """What a refresh decision needs, read in one go (the row may change right after)."""

    id: int
    user_id: int
    status: str
    status_reason: str | None
    access_ciphertext: str | None
    refresh_ciphertext: str | None
    access_expires_at: datetime | None
    access_lifetime: int | None
    token_version: int


@dataclass
class RefreshSummary:
    """What one run of :func:`refresh_due_accounts` did. ``failed`` counts accounts still due
    afterwards (TikTok failing, or another worker mid-refresh); they are tried next run."""

    refreshed: int = 0
    needs_reconnect: int = 0
    failed: int = 0
    busy: int = 0


def access_token_for(ctx: Context, actor: Actor, account_id: int, *, wait: bool = True) -> str:
    """A valid access token for the account, refreshing it first when it is due.

    Raises NotFound (not the actor's), NeedsReconnect, RefreshFailed (transient, and the
    current token has expired) or RefreshBusy (another worker holds the lease too long, or
    at once when ``wait`` is False).
    """
    deadline = time.monotonic() + ctx.lease_wait
    while True:
        snapshot = _snapshot(ctx, actor, account_id)
        _require_usable(snapshot)
        if not refresh_due(ctx, snapshot):
            return _access_token(ctx, snapshot)
        owner = claim_lease(ctx, account_id)
        if owner is not None:
            token = _refresh_holding_lease(ctx, account_id, owner)
            if token is not None:
                return token
            continue  # the row changed under us: look again
        if not wait or time.monotonic() >= deadline:
            if _still_valid(ctx, snapshot):
                return _access_token(ctx, snapshot)
            raise RefreshBusy()
        time.sleep(ctx.lease_poll)


def refresh_due(ctx: Context, snapshot: TokenSnapshot) -> bool:
    if snapshot.access_expires_at is None:
        return True
    margin = float(ctx.settings.token_refresh_margin)
    if snapshot.access_lifetime:
        margin = min(margin, snapshot.access_lifetime / 2)
    return ctx.now() >= snapshot.access_expires_at - timedelta(seconds=margin)


def refresh_due_accounts(ctx: Context) -> RefreshSummary:
    """The periodic task: refresh every connected account whose token is due, skipping
    accounts another worker is already refreshing."""
    horizon = ctx.now() + timedelta(seconds=ctx.settings.token_refresh_margin)
    with ctx.db.session() as session:
        ids = list(
            session.scalars(
                select(TikTokAccount.id).where(
                    TikTokAccount.status == CONNECTED,
                    TikTokAccount.refresh_token_ciphertext.is_not(None),
                    TikTokAccount.access_expires_at <= horizon,
                )
            )
        )
    summary = RefreshSummary()
    for account_id in ids:
        try:
            access_token_for(ctx, SYSTEM, account_id, wait=False)
            # A still-valid token comes back even when the refresh failed: check it moved.
            if refresh_due(ctx, _snapshot(ctx, SYSTEM, account_id)):
                summary.failed += 1
            else:
                summary.refreshed += 1
        except NotFound:
            continue  # disconnected meanwhile
        except NeedsReconnect:
            summary.needs_reconnect += 1
        except RefreshBusy:
            summary.busy += 1
        except RefreshFailed:
            summary.failed += 1
    return summary


def token_values(
    ctx: Context, account_id: int, tokens: TokenSet, *, now: datetime, version: int
) -> dict[str, Any]:
    """The columns of a fresh token set for one account row, encrypted for that row (§1.4).

    Expiry times come from TikTok's ``expires_in``/``refresh_expires_in`` (§1.6).
    """
    return {
        "access_token_ciphertext": ctx.keyring.encrypt(
            tokens.access_token, associated_data(TABLE, account_id, "access_token")
        ),
        "refresh_token_ciphertext": ctx.keyring.encrypt(
            tokens.refresh_token, associated_data(TABLE, account_id, "refresh_token")
        ),
        "access_expires_at": now + timedelta(seconds=tokens.expires_in),
        "access_lifetime": tokens.expires_in,
        "refresh_expires_at": now + timedelta(seconds=tokens.refresh_expires_in),
        "scopes": ",".join(tokens.scopes),
        "token_version": version + 1,
        "updated_at": now,
    }


def decrypt_token(ctx: Context, account_id: int, field: str, ciphertext: str) -> str:
    return ctx.keyring.decrypt(ciphertext, associated_data(TABLE, account_id, field))


# --- Inside the lease ---------------------------------------------------------------------


def _refresh_holding_lease(ctx: Context, account_id: int, owner: str) -> str | None:
    """Refresh while holding the lease; None means "the row changed, look again"."""
    try:
        snapshot = _snapshot(ctx, SYSTEM, account_id)
        if not refresh_due(ctx, snapshot):
            return _access_token(ctx, snapshot)  # someone refreshed just before we claimed
        _require_usable(snapshot)
        assert snapshot.refresh_ciphertext is not None
        refresh_token = decrypt_token(ctx, account_id, "refresh_token", snapshot.refresh_ciphertext)
        try:
            tokens = _refresh_with_retries(ctx, refresh_token)
        except InvalidGrant as exc:
            if _mark_needs_reconnect(ctx, snapshot, exc):
                raise NeedsReconnect(_reconnect_message(exc)) from exc
            return None
        except TikTokError as exc:
            return _after_failed_refresh(ctx, snapshot, exc)
        return _commit(ctx, snapshot, tokens)
    finally:
        release_lease(ctx, account_id, owner)


def _refresh_with_retries(ctx: Context, refresh_token: str) -> TokenSet:
    """§1.5 refresh; transient failures are retried with exponential backoff.

    After an answer was lost (OutcomeUnknown) TikTok may already have rotated the token; the
    retry then gets invalid_grant, which is definite: that refresh token is gone.
    """
    for attempt in range(ctx.refresh_attempts):
        try:
            return ctx.tiktok.refresh(refresh_token)
        except InvalidGrant:
            raise
        except TikTokError as exc:
            transient = isinstance(exc, OutcomeUnknown) or exc.retryable
            if not transient or attempt == ctx.refresh_attempts - 1:
                raise
            log.info("token refresh failed (%s); retrying", exc.code)
            ctx.sleep(ctx.refresh_backoff * 2**attempt)
    raise AssertionError("unreachable: the loop returns or raises")


def _commit(ctx: Context, snapshot: TokenSnapshot, tokens: TokenSet) -> str:
    """Store both new tokens in one UPDATE, only if nobody stored newer ones meanwhile."""
    values = token_values(ctx, snapshot.id, tokens, now=ctx.now(), version=snapshot.token_version)
    with ctx.db.session() as session:
        stored = _update_unless_changed(session, snapshot, values)
    if stored != 1:
        # Disconnected, reconnected or revoked while we refreshed: our tokens are not wanted.
        log.warning("account %d changed during its token refresh; new tokens dropped", snapshot.id)
    return tokens.access_token


def _mark_needs_reconnect(ctx: Context, snapshot: TokenSnapshot, exc: TikTokError) -> bool:
    """Flag the account, unless its tokens changed since we read them (then the refusal was
    about a refresh token that is no longer ours to worry about)."""
    now = ctx.now()
    values = {
        "status": NEEDS_RECONNECT,
        "status_reason": _reconnect_message(exc),
        "updated_at": now,
    }
    with ctx.db.session() as session:
        marked = _update_unless_changed(session, snapshot, values)
        if marked:
            audit.record(
                session,
                audit.ACCOUNT_NEEDS_RECONNECT,
                now,
                user_id=snapshot.user_id,
                account_id=snapshot.id,
                tiktok_error=exc.code,
            )
    return marked == 1


def _update_unless_changed(
    session: Session, snapshot: TokenSnapshot, values: dict[str, Any]
) -> int:
    """Write ``values`` to the account only while its tokens are the ones in ``snapshot``
    (compare-and-set on ``token_version``); how many rows changed, 0 or 1."""
    return changed_rows(
        session,
        update(TikTokAccount)
        .where(
            TikTokAccount.id == snapshot.id,
            TikTokAccount.token_version == snapshot.token_version,
        )
        .values(values),
    )


def _after_failed_refresh(ctx: Context, snapshot: TokenSnapshot, exc: TikTokError) -> str:
    """Use the current token while it lasts; otherwise say whether waiting will help."""
    if _still_valid(ctx, snapshot):
        log.warning(
            "token refresh of account %d failed (%s); using the current token, which is "
            "still valid, and refreshing later",
            snapshot.id,
            exc.code,
        )
        return _access_token(ctx, snapshot)
    if isinstance(exc, OutcomeUnknown) or exc.retryable:
        raise RefreshFailed(
            "TikTok's token refresh failed for a temporary reason "
            f"({exc.code or type(exc).__name__}) and the current token has expired: it will "
            "be retried; try again in a few minutes."
        ) from exc
    error = RefreshFailed(f"TikTok refused the token refresh ({exc.code}): {exc.advice}")
    error.retryable = False  # e.g. invalid_client: the app's settings need fixing
    raise error from exc


def _reconnect_message(exc: TikTokError) -> str:
    return (
        "TikTok refused to renew this account's authorization (it was revoked, expired or "
        f"replaced; TikTok said {exc.code}): connect the account again."
    )


# --- Reading ------------------------------------------------------------------------------


def _snapshot(ctx: Context, actor: Actor, account_id: int) -> TokenSnapshot:
    with ctx.db.session() as session:
        account = owned_account(session, actor, account_id)
        return TokenSnapshot(
            id=account.id,
            user_id=account.user_id,
            status=account.status,
            status_reason=account.status_reason,
            access_ciphertext=account.access_token_ciphertext,
            refresh_ciphertext=account.refresh_token_ciphertext,
            access_expires_at=account.access_expires_at,
            access_lifetime=account.access_lifetime,
            token_version=account.token_version,
        )


def _require_usable(snapshot: TokenSnapshot) -> None:
    if snapshot.status != CONNECTED or not snapshot.refresh_ciphertext:
        raise NeedsReconnect(snapshot.status_reason or None)


def _still_valid(ctx: Context, snapshot: TokenSnapshot) -> bool:
    expires = snapshot.access_expires_at
    return (
        snapshot.status == CONNECTED
        and snapshot.access_ciphertext is not None
        and expires is not None
        and ctx.now() < expires
    )


def _access_token(ctx: Context, snapshot: TokenSnapshot) -> str:
    _require_usable(snapshot)
    assert snapshot.access_ciphertext is not None
    return decrypt_token(ctx, snapshot.id, "access_token", snapshot.access_ciphertext)


# --- Reading inside a caller's transaction (the publishing engine's claim) -----------------


def snapshot_in(session: Session, account_id: int) -> TokenSnapshot | None:
    """The account's token columns, read in the caller's transaction (the system's view:
    no ownership check); None if the account is gone."""
    row = session.connection().execute(_SNAPSHOT, {"w_id": account_id}).first()
    return TokenSnapshot(**row._mapping) if row is not None else None


def ready_access_token(ctx: Context, snapshot: TokenSnapshot) -> str | None:
    """The snapshot's access token if it is usable and not yet due for a refresh, else None:
    then :func:`access_token_for` is the one to ask (it refreshes under the lease)."""
    if snapshot.status != CONNECTED or not snapshot.refresh_ciphertext:
        return None
    if snapshot.access_ciphertext is None or refresh_due(ctx, snapshot):
        return None
    return _access_token(ctx, snapshot)


_ACCOUNTS = cast(Table, TikTokAccount.__table__)
_SNAPSHOT = select(
    _ACCOUNTS.c.id,
    _ACCOUNTS.c.user_id,
    _ACCOUNTS.c.status,
    _ACCOUNTS.c.status_reason,
    _ACCOUNTS.c.access_token_ciphertext.label("access_ciphertext"),
    _ACCOUNTS.c.refresh_token_ciphertext.label("refresh_ciphertext"),
    _ACCOUNTS.c.access_expires_at,
    _ACCOUNTS.c.access_lifetime,
    _ACCOUNTS.c.token_version,
).where(_ACCOUNTS.c.id == bindparam("w_id"))
