"""Account services: users, connecting TikTok accounts, tokens, disconnect, privacy.

Every service takes a :class:`Context` and the acting user (or :data:`SYSTEM` for periodic
tasks and verified webhooks) and enforces ownership itself, so no adapter can forget.
"""

from .audit import record as record_audit
from .connect import (
    ConnectResult,
    ConnectStart,
    finish_connect,
    purge_expired_states,
    start_connect,
)
from .context import Context, tiktok_client_for
from .disconnect import DisconnectResult, disconnect
from .errors import (
    AccountsError,
    AuthorizationCancelled,
    AuthorizationFailed,
    ConnectError,
    InvalidInput,
    NeedsReconnect,
    NotFound,
    RefreshBusy,
    RefreshFailed,
    StateExpired,
    StateMissing,
    StateReplayed,
    StateUnknown,
    StateWrongUser,
    TikTokUnavailable,
    UsernameTaken,
)
from .keys import rotate_vault_key
from .lookup import SYSTEM, AccountView, Actor, SystemTask, get_account, list_accounts
from .privacy import (
    ErasureReport,
    erase_user,
    export_user_data,
    register_erase_step,
    register_export_section,
)
from .tokens import RefreshSummary, access_token_for, refresh_due_accounts
from .users import (
    ApiTokenView,
    NewApiToken,
    authenticate,
    change_password,
    count_users,
    create_api_token,
    create_user,
    end_all_sessions,
    get_user,
    list_api_tokens,
    revoke_api_token,
    verify_api_token,
)
from .webhooks import handle_authorization_removed

__all__ = [
    "SYSTEM",
    "AccountView",
    "AccountsError",
    "Actor",
    "ApiTokenView",
    "AuthorizationCancelled",
    "AuthorizationFailed",
    "ConnectError",
    "ConnectResult",
    "ConnectStart",
    "Context",
    "DisconnectResult",
    "ErasureReport",
    "InvalidInput",
    "NeedsReconnect",
    "NewApiToken",
    "NotFound",
    "RefreshBusy",
    "RefreshFailed",
    "RefreshSummary",
    "StateExpired",
    "StateMissing",
    "StateReplayed",
    "StateUnknown",
    "StateWrongUser",
    "SystemTask",
    "TikTokUnavailable",
    "UsernameTaken",
    "access_token_for",
    "authenticate",
    "change_password",
    "count_users",
    "create_api_token",
    "create_user",
    "disconnect",
    "end_all_sessions",
    "erase_user",
    "export_user_data",
    "finish_connect",
    "get_account",
    "get_user",
    "handle_authorization_removed",
    "list_accounts",
    "list_api_tokens",
    "purge_expired_states",
    "record_audit",
    "refresh_due_accounts",
    "register_erase_step",
    "register_export_section",
    "revoke_api_token",
    "rotate_vault_key",
    "start_connect",
    "tiktok_client_for",
    "verify_api_token",
]
