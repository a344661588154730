"""Who uses Autoposter, which TikTok accounts they connected, and what happened to them.

Disconnected accounts: disconnecting *deletes* the ``tiktok_accounts`` row (tokens, open_id
and profile all go at once, the strongest form of "hard delete"). Tables that point at an
account (the posts of the publishing issue) must use ``ForeignKey("tiktok_accounts.id",
ondelete="SET NULL")`` and show a NULL account as "disconnected account"; they must not keep
a copy of the username or nickname. An account TikTok revoked (the ``authorization.removed``
webhook) keeps its row with status ``revoked`` and no tokens, so its owner sees what happened
and can reconnect or disconnect it.

Secrets never sit here in plaintext: tokens and PKCE verifiers are vault ciphertexts
(``*_ciphertext``, associated data ``"<table>:<id>:<field>"``), OAuth states and API tokens
are stored as SHA-256 hashes, passwords as argon2 hashes.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column

from ..base import Base, UTCDateTime

CONNECTED = "connected"
NEEDS_RECONNECT = "needs_reconnect"
REVOKED = "revoked"
ACCOUNT_STATUSES = (CONNECTED, NEEDS_RECONNECT, REVOKED)


class User(Base):
    """A dashboard login. Erasing a user deletes this row and everything hanging off it."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(150), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The IANA zone the person types and reads times in (DESIGN: stored in UTC, shown local).
    time_zone: Mapped[str] = mapped_column(String(64), default="UTC", server_default="UTC")
    # The first user to sign up administers the installation (issue 6).
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # Bumped by "sign out everywhere": session cookies of an older epoch stop working.
    session_epoch: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class TikTokAccount(Base):
    """A TikTok account one user connected (see the module docstring for disconnects).

    ``token_version`` grows with every stored token set: a refresh commits only if it is
    unchanged since the refresh began, so a slow worker never overwrites newer tokens.
    ``refresh_lease_*`` is the per-account lease that lets one worker refresh at a time.
    """

    __tablename__ = "tiktok_accounts"
    __table_args__ = (
        UniqueConstraint("user_id", "open_id"),
        CheckConstraint("status IN ('connected', 'needs_reconnect', 'revoked')", name="status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    open_id: Mapped[str] = mapped_column(String(128), index=True)
    union_id: Mapped[str | None] = mapped_column(String(128))
    username: Mapped[str | None] = mapped_column(String(255))
    nickname: Mapped[str | None] = mapped_column(String(255))
    avatar_url: Mapped[str | None] = mapped_column(Text)
    scopes: Mapped[str] = mapped_column(Text, default="")
    access_token_ciphertext: Mapped[str | None] = mapped_column(Text)
    refresh_token_ciphertext: Mapped[str | None] = mapped_column(Text)
    access_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    access_lifetime: Mapped[int | None] = mapped_column(Integer)
    refresh_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    token_version: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(32), default=CONNECTED)
    status_reason: Mapped[str | None] = mapped_column(Text)
    connected_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    refresh_lease_owner: Mapped[str | None] = mapped_column(String(64))
    refresh_lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime())

    @property
    def scope_list(self) -> tuple[str, ...]:
        return tuple(s for s in self.scopes.split(",") if s)


class OAuthState(Base):
    """One started connect: single use, bound to its user, purged once expired."""

    __tablename__ = "oauth_states"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    state_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_verifier_ciphertext: Mapped[str | None] = mapped_column(Text)
    scopes: Mapped[str] = mapped_column(Text)
    redirect_uri: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class ApiToken(Base):
    """A token for the REST API; only its SHA-256 is kept, the value is shown once."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class AuditEvent(Base):
    """A security-relevant event. Holds ids and outcomes only: no secret, no profile data.

    ``user_id``/``account_id`` are plain numbers, not foreign keys, so the record of an
    erasure outlives the user it describes.
    """

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    event: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[int | None] = mapped_column(Integer, index=True)
    account_id: Mapped[int | None] = mapped_column(Integer)
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class SignInFailure(Base):
    """One failed dashboard sign-in, counted against a username and against an address.

    ``subject`` is a keyed hash of ``user:<username>`` or ``addr:<address>`` (see
    ``accounts/throttle.py``): the table tells nobody who tried which login from where.
    """

    __tablename__ = "sign_in_failures"
    __table_args__ = (Index("ix_sign_in_failures_subject_failed_at", "subject", "failed_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    subject: Mapped[str] = mapped_column(String(64))
    failed_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
