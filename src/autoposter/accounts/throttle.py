"""Sign-in throttling, shared by every dashboard process through the database (issue 6).

Passwords are argon2-hashed, so each guess is slow already; the window caps how many guesses
one username can take (5 in 5 minutes) and how many one address can spread over many
usernames (20). While either window is full, even the right password is refused: otherwise a
guesser would learn the password from the one attempt that gets through. A successful sign-in
forgets the username's failures, not the address's.

Failures are rows in ``sign_in_failures``, so several web processes (or machines) enforce one
limit and a restart forgets nothing. A row names a keyed hash of the username or address, so
the table tells nobody who tried what from where; the retention task deletes rows once they
are older than the window.
"""

from __future__ import annotations

import hashlib
import hmac
import math
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, select

from ..store import changed_rows
from ..store.models import SignInFailure
from .context import Context

WINDOW = timedelta(minutes=5)
PER_USERNAME = 5
PER_ADDRESS = 20
_KEY_PURPOSE = "sign-in throttle subjects"


@dataclass(frozen=True)
class Blocked:
    """Why an attempt is refused, and how many seconds until the next may be made."""

    reason: str
    retry_after: float

    @property
    def retry_after_seconds(self) -> int:
        return max(1, math.ceil(self.retry_after))


def check_sign_in(ctx: Context, username: str, address: str) -> Blocked | None:
    """None when an attempt may be made now, else what blocks it."""
    now = ctx.now()
    with ctx.db.session() as session:
        for subject, limit, reason in (
            (_subject(ctx, _user_key(username)), PER_USERNAME, "this username"),
            (_subject(ctx, _address_key(address)), PER_ADDRESS, "your network address"),
        ):
            newest = list(
                session.scalars(
                    select(SignInFailure.failed_at)
                    .where(SignInFailure.subject == subject, SignInFailure.failed_at > now - WINDOW)
                    .order_by(SignInFailure.failed_at.desc())
                    .limit(limit)
                )
            )
            if len(newest) >= limit:
                # The block lifts when the oldest of the last ``limit`` failures leaves the window.
                return Blocked(reason, (newest[-1] + WINDOW - now).total_seconds())
    return None


def record_failed_sign_in(ctx: Context, username: str, address: str) -> None:
    now = ctx.now()
    with ctx.db.session() as session:
        for key in (_user_key(username), _address_key(address)):
            session.add(SignInFailure(subject=_subject(ctx, key), failed_at=now))


def forget_failed_sign_ins(ctx: Context, username: str) -> None:
    """After a successful sign-in: the username starts afresh (its address does not)."""
    subject = _subject(ctx, _user_key(username))
    with ctx.db.session() as session:
        session.execute(delete(SignInFailure).where(SignInFailure.subject == subject))


def forget_old_sign_in_failures(ctx: Context) -> int:
    """Retention: failures older than the window count for nothing any more."""
    with ctx.db.session() as session:
        return changed_rows(
            session, delete(SignInFailure).where(SignInFailure.failed_at <= ctx.now() - WINDOW)
        )


def _user_key(username: str) -> str:
    # Case and surrounding spaces must not buy extra guesses at the same login.
    return "user:" + username.strip().casefold()


def _address_key(address: str) -> str:
    return "addr:" + address


def _subject(ctx: Context, key: str) -> str:
    # Keyed, because a plain hash of a username or an IPv4 address is quickly reversed.
    # (A key rotation restarts the counts; the window is five minutes.)
    _, secret = ctx.keyring.derived_key(_KEY_PURPOSE)
    return hmac.new(secret, key.encode("utf-8"), hashlib.sha256).hexdigest()
