"""Dashboard users (argon2 password hashes) and their REST API tokens (kept as SHA-256).

An API token is shown once, when it is made; afterwards only its hash exists, so a stolen
database yields no usable token. Tokens carry 256 random bits, which is why a fast hash is
enough for them, unlike passwords.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import available_timezones

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from ..store.models import ApiToken, User
from . import audit
from .context import Context
from .errors import InvalidInput, NotFound, UsernameTaken

API_TOKEN_PREFIX = "apt_"
MIN_PASSWORD_LENGTH = 8
MAX_USERNAME_LENGTH = 150
# How exactly an API token's "last used" time is kept (see verify_api_token).
LAST_USED_PRECISION = timedelta(minutes=1)

_hasher = PasswordHasher()
# Verifying against this when the username is unknown makes both failures take as long.
# Made on first use, not at import: hashing costs ~0.3 s that every CLI command would pay.
_dummy_hash: str | None = None


@dataclass(frozen=True)
class NewApiToken:
    """A token just made: ``token`` is the only time the value is available."""

    id: int
    name: str
    token: str


@dataclass(frozen=True)
class ApiTokenView:
    id: int
    name: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


def hash_api_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_user(ctx: Context, username: str, password: str) -> User:
    username = username.strip()
    if not username or len(username) > MAX_USERNAME_LENGTH:
        raise InvalidInput(f"Choose a username of 1 to {MAX_USERNAME_LENGTH} characters.")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(f"Choose a password of at least {MIN_PASSWORD_LENGTH} characters.")
    user = User(username=username, password_hash=_hasher.hash(password), created_at=ctx.now())
    try:
        with ctx.db.session() as session:
            # The first user administers the installation (issue 6); a race between two
            # first sign-ups at most makes both admins, never neither.
            user.is_admin = session.scalar(select(func.count()).select_from(User)) == 0
            session.add(user)
            session.flush()
            audit.record(session, audit.USER_CREATED, ctx.now(), user_id=user.id)
    except IntegrityError:
        raise UsernameTaken(
            f"The username {username!r} is already taken: choose another."
        ) from None
    return user


def authenticate(ctx: Context, username: str, password: str) -> User | None:
    """The user if the password is right, else None (unknown user and wrong password alike)."""
    with ctx.db.session() as session:
        user = session.scalars(select(User).where(User.username == username.strip())).first()
        if user is None:
            _verify(_dummy_password_hash(), password)
            return None
        if not _verify(user.password_hash, password):
            return None
        if _hasher.check_needs_rehash(user.password_hash):
            user.password_hash = _hasher.hash(password)
        user.last_login_at = ctx.now()
        return user


def _dummy_password_hash() -> str:
    global _dummy_hash
    if _dummy_hash is None:
        _dummy_hash = _hasher.hash("autoposter: no such user")
    return _dummy_hash


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def count_users(ctx: Context) -> int:
    with ctx.db.session() as session:
        return int(session.scalar(select(func.count()).select_from(User)) or 0)


def change_password(ctx: Context, user: User, current: str, new: str) -> User:
    """Set a new password after checking the current one; signs out every other session
    (the epoch moves on) and returns the user as now stored."""
    if authenticate(ctx, user.username, current) is None:
        raise InvalidInput("The current password is not right: type it again.")
    if len(new) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(f"Choose a password of at least {MIN_PASSWORD_LENGTH} characters.")
    with ctx.db.session() as session:
        session.execute(
            update(User)
            .where(User.id == user.id)
            .values(password_hash=_hasher.hash(new), session_epoch=User.session_epoch + 1)
        )
        audit.record(session, audit.PASSWORD_CHANGED, ctx.now(), user_id=user.id)
    return get_user(ctx, user.id)


def end_all_sessions(ctx: Context, user: User) -> User:
    """Sign out everywhere: every session cookie issued so far stops working."""
    with ctx.db.session() as session:
        session.execute(
            update(User).where(User.id == user.id).values(session_epoch=User.session_epoch + 1)
        )
        audit.record(session, audit.SESSIONS_ENDED, ctx.now(), user_id=user.id)
    return get_user(ctx, user.id)


def set_time_zone(ctx: Context, user: User, zone: str) -> User:
    """Save the IANA time zone the user types and reads times in (e.g. ``Europe/Paris``)."""
    zone = zone.strip()
    if zone not in available_timezones():
        raise InvalidInput(
            f"{zone!r} is not a time zone this server knows: pick one from the list, "
            "e.g. Europe/Paris or America/New_York."
        )
    with ctx.db.session() as session:
        session.execute(update(User).where(User.id == user.id).values(time_zone=zone))
    return get_user(ctx, user.id)


def get_user(ctx: Context, user_id: int) -> User:
    with ctx.db.session() as session:
        user = session.get(User, user_id)
        if user is None:
            raise NotFound(f"There is no user {user_id}.")
        return user


def create_api_token(ctx: Context, user: User, name: str) -> NewApiToken:
    name = name.strip()
    if not name or len(name) > 100:
        raise InvalidInput("Name the API token (1 to 100 characters), e.g. after where it is used.")
    token = API_TOKEN_PREFIX + secrets.token_urlsafe(32)
    with ctx.db.session() as session:
        row = ApiToken(
            user_id=user.id, name=name, token_hash=hash_api_token(token), created_at=ctx.now()
        )
        session.add(row)
        session.flush()
        audit.record(session, audit.API_TOKEN_CREATED, ctx.now(), user_id=user.id, id=row.id)
        return NewApiToken(row.id, name, token)


@dataclass(frozen=True)
class ApiTokenOwner:
    """Who a live API token belongs to, and when the token was last noted as used."""

    user: User
    token_id: int
    last_used_at: datetime | None

    def use_to_note(self, now: datetime) -> bool:
        """Whether this use should be written down: at most once a minute per token, as a
        write on every call would queue each API request behind the database's write lock
        (SQLite has one writer)."""
        return self.last_used_at is None or now - self.last_used_at >= LAST_USED_PRECISION


def verify_api_token(ctx: Context, token: str) -> User | None:
    """The owner of a live API token, else None; notes when the token was last used."""
    owner = api_token_owner(ctx, token)
    if owner is None:
        return None
    note_api_token_use(ctx, owner)
    return owner.user


def api_token_owner(ctx: Context, token: str) -> ApiTokenOwner | None:
    """:func:`verify_api_token` without its write: what a caller that keeps reads and
    writes apart (the web app, ``web/reads.py``) checks on every request."""
    if not token.startswith(API_TOKEN_PREFIX):
        return None
    with ctx.db.session() as session:
        # The owner with the token, in one select.
        found = session.execute(
            select(User, ApiToken.id, ApiToken.last_used_at)
            .join(ApiToken, ApiToken.user_id == User.id)
            .where(ApiToken.token_hash == hash_api_token(token), ApiToken.revoked_at.is_(None))
        ).first()
    return None if found is None else ApiTokenOwner(*found)


def note_api_token_use(ctx: Context, owner: ApiTokenOwner) -> None:
    """Write down that the owner's token was used now, unless it was within the minute."""
    now = ctx.now()
    if owner.use_to_note(now):
        with ctx.db.session() as session:
            session.execute(
                update(ApiToken).where(ApiToken.id == owner.token_id).values(last_used_at=now)
            )


def list_api_tokens(ctx: Context, user: User) -> list[ApiTokenView]:
    with ctx.db.session() as session:
        rows = session.scalars(
            select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id)
        )
        return [
            ApiTokenView(r.id, r.name, r.created_at, r.last_used_at, r.revoked_at) for r in rows
        ]


def revoke_api_token(ctx: Context, user: User, token_id: int) -> None:
    with ctx.db.session() as session:
        row = session.scalars(
            select(ApiToken).where(ApiToken.id == token_id, ApiToken.user_id == user.id)
        ).first()
        if row is None:
            raise NotFound(f"There is no API token {token_id} among yours.")
        if row.revoked_at is None:
            row.revoked_at = ctx.now()
            audit.record(session, audit.API_TOKEN_REVOKED, ctx.now(), user_id=user.id, id=row.id)
