"""Every model, imported here so ``Base.metadata`` is complete for Alembic and the tests.

``ENCRYPTED_FIELDS`` lists the vault-encrypted columns per model: the field name (part of
the ciphertext's associated data) whose column is ``<field>_ciphertext``. Key rotation walks
it, so a model that adds an encrypted column adds it here.
"""

from __future__ import annotations

from ..base import Base
from .accounts import (
    ACCOUNT_STATUSES,
    CONNECTED,
    NEEDS_RECONNECT,
    REVOKED,
    ApiToken,
    AuditEvent,
    OAuthState,
    SignInFailure,
    TikTokAccount,
    User,
)
from .media import MediaUpload
from .posts import (
    CANCELLED,
    DRAFT,
    EXPIRED,
    FAILED,
    IN_INBOX,
    POST_STATUSES,
    POST_WHEN,
    PROCESSING,
    PUBLISHED,
    QUEUED,
    SCHEDULED,
    UPLOADING,
    AccountInit,
    AccountPoll,
    Post,
    PostMedia,
    PostStatusEvent,
)
from .workers import Worker

ENCRYPTED_FIELDS: dict[type[Base], tuple[str, ...]] = {
    TikTokAccount: ("access_token", "refresh_token"),
    OAuthState: ("code_verifier",),
    Post: ("upload_url",),
}

__all__ = [
    "ACCOUNT_STATUSES",
    "CANCELLED",
    "CONNECTED",
    "DRAFT",
    "ENCRYPTED_FIELDS",
    "EXPIRED",
    "FAILED",
    "IN_INBOX",
    "NEEDS_RECONNECT",
    "POST_STATUSES",
    "POST_WHEN",
    "PROCESSING",
    "PUBLISHED",
    "QUEUED",
    "REVOKED",
    "SCHEDULED",
    "UPLOADING",
    "AccountInit",
    "AccountPoll",
    "ApiToken",
    "AuditEvent",
    "Base",
    "MediaUpload",
    "OAuthState",
    "Post",
    "PostMedia",
    "PostStatusEvent",
    "SignInFailure",
    "TikTokAccount",
    "User",
    "Worker",
]
