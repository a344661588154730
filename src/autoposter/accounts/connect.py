"""Connecting a TikTok account through Login Kit (§1.1–§1.4): state, PKCE, callback, storing.

The OAuth state is a single-use random value bound to the user who started the connect; only
its SHA-256 is stored (with the PKCE verifier encrypted, for desktop apps, §1.3), so the
database alone cannot finish anybody's connect. Every bad callback raises a
:class:`~autoposter.accounts.errors.ConnectError` and stores nothing.

After the code exchange the tokens are stored *before* the profile is fetched: TikTok may
have replaced the account's previous authorization already, so the new refresh token must
never be lost to a failing profile call.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update

from ..store import changed_rows
from ..store.models import CONNECTED, OAuthState, TikTokAccount, User
from ..tiktok import (
    USER_FIELDS_BASIC,
    InvalidGrant,
    OutcomeUnknown,
    Pkce,
    TikTokError,
    TokenSet,
)
from ..vault import associated_data
from . import audit
from .context import Context
from .errors import (
    AuthorizationCancelled,
    AuthorizationFailed,
    StateExpired,
    StateMissing,
    StateReplayed,
    StateUnknown,
    StateWrongUser,
    TikTokUnavailable,
)
from .lookup import AccountView
from .tokens import token_values

log = logging.getLogger("autoposter.accounts")

STATE_TABLE = "oauth_states"
PROFILE_SCOPE = "user.info.profile"  # §2: username needs it since the Feb-2024 migration


@dataclass(frozen=True)
class ConnectStart:
    """Where to send the person's browser. ``state`` is also in the URL; adapters may keep it
    in a cookie too, but the server-side record is what is checked."""

    authorize_url: str
    state: str
    expires_at: datetime


@dataclass(frozen=True)
class ConnectResult:
    account: AccountView
    reconnected: bool
    # Scopes asked for but not granted (§1.1: people may untick toggleable scopes).
    missing_scopes: tuple[str, ...]
    profile_fetched: bool


@dataclass(frozen=True)
class _Claim:
    scopes: tuple[str, ...]
    redirect_uri: str
    code_verifier: str | None


def hash_state(state: str) -> str:
    return hashlib.sha256(state.encode("utf-8")).hexdigest()


def start_connect(ctx: Context, user: User) -> ConnectStart:
    """Record a new OAuth state and build TikTok's authorize URL (§1.1) for ``user``."""
    state = secrets.token_urlsafe(32)
    pkce = Pkce.create("hex") if ctx.settings.tiktok_desktop_app else None
    scopes = ctx.settings.scopes
    now = ctx.now()
    expires_at = now + timedelta(seconds=ctx.settings.oauth_state_ttl)
    with ctx.db.session() as session:
        row = OAuthState(
            state_hash=hash_state(state),
            user_id=user.id,
            scopes=",".join(scopes),
            redirect_uri=ctx.settings.callback_uri,
            created_at=now,
            expires_at=expires_at,
        )
        session.add(row)
        session.flush()
        if pkce is not None:
            row.code_verifier_ciphertext = ctx.keyring.encrypt(
                pkce.verifier, associated_data(STATE_TABLE, row.id, "code_verifier")
            )
    url = ctx.tiktok.authorize_url(scopes, state, redirect_uri=ctx.settings.callback_uri, pkce=pkce)
    return ConnectStart(url, state, expires_at)


def finish_connect(ctx: Context, user: User, params: Mapping[str, str]) -> ConnectResult:
    """Handle TikTok's redirect (§1.2): check the state, exchange the code, store the account.

    ``params`` are the callback's query parameters, URL-decoded.
    """
    claim = _claim_state(ctx, user, params.get("state", ""))
    code = _code_from(params)
    tokens = _exchange(ctx, claim, code)
    account_id, reconnected = _store_tokens(ctx, user, tokens)
    profile_fetched = _update_profile(ctx, account_id, tokens)
    with ctx.db.session() as session:
        account = session.get(TikTokAccount, account_id)
        assert account is not None
        view = AccountView.of(account)
    missing = tuple(s for s in claim.scopes if s not in tokens.scopes)
    return ConnectResult(view, reconnected, missing, profile_fetched)


def purge_expired_states(ctx: Context) -> int:
    """The periodic task: forget OAuth states past their lifetime; returns how many."""
    with ctx.db.session() as session:
        return changed_rows(session, delete(OAuthState).where(OAuthState.expires_at < ctx.now()))


# --- The callback, step by step -----------------------------------------------------------


def _claim_state(ctx: Context, user: User, state: str) -> _Claim:
    """Check the state and consume it (single use), or raise the matching ConnectError."""
    if not state:
        raise StateMissing()
    now = ctx.now()
    with ctx.db.session() as session:
        row = session.scalars(
            select(OAuthState).where(OAuthState.state_hash == hash_state(state))
        ).first()
        if row is None:
            raise StateUnknown()
        if row.user_id != user.id:
            raise StateWrongUser()
        if row.used_at is not None:
            raise StateReplayed()
        if row.expires_at <= now:
            raise StateExpired()
        consumed = changed_rows(
            session,
            update(OAuthState)
            .where(OAuthState.id == row.id, OAuthState.used_at.is_(None))
            .values(used_at=now),
        )
        if consumed != 1:
            raise StateReplayed()  # the same callback arrived twice at once
        verifier = None
        if row.code_verifier_ciphertext:
            aad = associated_data(STATE_TABLE, row.id, "code_verifier")
            verifier = ctx.keyring.decrypt(row.code_verifier_ciphertext, aad)
        scopes = tuple(s for s in row.scopes.split(",") if s)
        return _Claim(scopes, row.redirect_uri, verifier)


def _code_from(params: Mapping[str, str]) -> str:
    """The authorization code, or the error TikTok redirected with (§1.2, §1.9)."""
    error = params.get("error", "")
    if error == "access_denied":
        raise AuthorizationCancelled()
    if error:
        description = params.get("error_description", "")
        raise AuthorizationFailed(
            f"TikTok did not authorize the connection ({error}"
            + (f": {description}" if description else "")
            + "). Nothing was connected: start connecting again."
        )
    code = params.get("code", "")
    if not code:
        raise AuthorizationFailed(
            "TikTok's answer carries no authorization code. Nothing was connected: start "
            "connecting again."
        )
    return code


def _exchange(ctx: Context, claim: _Claim, code: str) -> TokenSet:
    try:
        tokens = ctx.tiktok.exchange_code(
            code, redirect_uri=claim.redirect_uri, code_verifier=claim.code_verifier
        )
    except InvalidGrant as exc:
        raise AuthorizationFailed(
            "TikTok refused the authorization code (it expired or was already used). "
            "Nothing was connected: start connecting again."
        ) from exc
    except TikTokError as exc:
        if isinstance(exc, OutcomeUnknown) or exc.retryable:
            raise TikTokUnavailable(
                "TikTok could not be reached to finish connecting. Nothing was connected: "
                "start connecting again in a minute."
            ) from exc
        raise AuthorizationFailed(
            f"TikTok refused to finish connecting: {exc.advice} Nothing was connected."
        ) from exc
    if not tokens.open_id:
        raise AuthorizationFailed(
            "TikTok's token answer names no account (no open_id). Nothing was connected: "
            "start connecting again."
        )
    return tokens


def _store_tokens(ctx: Context, user: User, tokens: TokenSet) -> tuple[int, bool]:
    """Create or update the (user, open_id) account with the new tokens, in one commit."""
    now = ctx.now()
    with ctx.db.session() as session:
        account = session.scalars(
            select(TikTokAccount).where(
                TikTokAccount.user_id == user.id, TikTokAccount.open_id == tokens.open_id
            )
        ).first()
        reconnected = account is not None
        if account is None:
            account = TikTokAccount(user_id=user.id, open_id=tokens.open_id, token_version=0)
            account.connected_at = account.updated_at = now
            session.add(account)
            session.flush()
        values = token_values(ctx, account.id, tokens, now=now, version=account.token_version)
        for name, value in values.items():
            setattr(account, name, value)
        account.status = CONNECTED
        account.status_reason = None
        account.connected_at = now  # when the current authorization was granted
        event = audit.ACCOUNT_RECONNECTED if reconnected else audit.ACCOUNT_CONNECTED
        audit.record(
            session, event, now, user_id=user.id, account_id=account.id, scopes=account.scopes
        )
        return account.id, reconnected


def _update_profile(ctx: Context, account_id: int, tokens: TokenSet) -> bool:
    """Fetch /v2/user/info/ (§3.1) and store the profile; a failure keeps the old one."""
    fields = list(USER_FIELDS_BASIC)
    if PROFILE_SCOPE in tokens.scopes:
        fields.append("username")
    try:
        info = ctx.tiktok.user_info(tokens, fields)
    except TikTokError as exc:
        log.warning("could not fetch the profile of account %d: %s", account_id, exc.code)
        return False
    with ctx.db.session() as session:
        account = session.get(TikTokAccount, account_id)
        if account is None:
            return False
        account.union_id = info.union_id or account.union_id
        account.nickname = info.display_name or account.nickname
        account.avatar_url = info.avatar_url or account.avatar_url
        account.username = info.username or account.username
        account.updated_at = ctx.now()
    return True
