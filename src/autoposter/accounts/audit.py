"""The audit log of security-relevant events: connect, disconnect, erase, key rotation …

Records hold ids, counts and outcomes only. :func:`record` refuses detail names that suggest
a secret and values shaped like TikTok tokens, so a careless caller fails in tests rather
than leaking a token into the log for years.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..store.models import AuditEvent

ACCOUNT_CONNECTED = "account.connected"
ACCOUNT_RECONNECTED = "account.reconnected"
ACCOUNT_DISCONNECTED = "account.disconnected"
ACCOUNT_REVOKED_BY_TIKTOK = "account.revoked_by_tiktok"
ACCOUNT_NEEDS_RECONNECT = "account.needs_reconnect"
USER_CREATED = "user.created"
USER_EXPORTED = "user.exported"
USER_ERASED = "user.erased"
PASSWORD_CHANGED = "user.password_changed"
SESSIONS_ENDED = "user.sessions_ended"
API_TOKEN_CREATED = "api_token.created"
API_TOKEN_REVOKED = "api_token.revoked"
KEYS_ROTATED = "keys.rotated"

_SECRET_NAMES = re.compile(r"(?i)(^|_)(token|secret|password|code|verifier|key)($|_)")
# §1.4 token shapes, and §1.2 authorization codes with their "*…!…" tail.
_SECRET_VALUES = re.compile(r"^(act|rft|clt)\.|\*[A-Za-z0-9]*!")
_ALLOWED_NAMES = frozenset({"key_id", "new_key_id", "retired_key_ids", "revoke_error"})


def record(
    session: Session,
    event: str,
    at: datetime,
    *,
    user_id: int | None = None,
    account_id: int | None = None,
    **details: Any,
) -> AuditEvent:
    """Add an audit event to ``session`` (committed with the change it describes)."""
    _refuse_secrets(details)
    entry = AuditEvent(
        created_at=at, event=event, user_id=user_id, account_id=account_id, details=details
    )
    session.add(entry)
    return entry


def events_for(session: Session, user_id: int) -> list[AuditEvent]:
    query = select(AuditEvent).where(AuditEvent.user_id == user_id).order_by(AuditEvent.id)
    return list(session.scalars(query))


def _refuse_secrets(details: dict[str, Any]) -> None:
    for name, value in details.items():
        if name not in _ALLOWED_NAMES and _SECRET_NAMES.search(name):
            raise ValueError(f"audit detail {name!r} sounds like a secret; audit records hold none")
        if isinstance(value, str) and _SECRET_VALUES.search(value):
            raise ValueError(f"audit detail {name!r} holds a token-shaped value; leave it out")
