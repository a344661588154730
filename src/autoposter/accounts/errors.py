"""What can go wrong with accounts, each with a message a person can act on.

Adapters show ``str(error)``; ``retryable`` says whether the same action may work later.
"""

from __future__ import annotations


class AccountsError(Exception):
    """Base class. The message is written for the person who triggered the action."""

    retryable = False
    default_message = "The account action failed."

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or self.default_message)


class NotFound(AccountsError):
    """Unknown id, or one that belongs to another user: the two look the same on purpose."""

    default_message = "There is no such TikTok account among yours."


class InvalidInput(AccountsError):
    default_message = "The value given is not acceptable."


class UsernameTaken(AccountsError):
    default_message = "That username is already taken: choose another."


# --- Connecting (§1.1, §1.2) -------------------------------------------------------------


class ConnectError(AccountsError):
    """Connecting did not finish; nothing was stored. Starting again is always safe."""

    default_message = "Connecting the TikTok account failed: start connecting again."


class StateMissing(ConnectError):
    default_message = (
        "TikTok's answer carries no state, so it cannot be matched to a connect you started "
        "here. Nothing was connected: start connecting again from Autoposter."
    )


class StateUnknown(ConnectError):
    default_message = (
        "This TikTok answer does not match any connect started here (the link is wrong, or "
        "it was cleaned up long ago). Nothing was connected: start connecting again."
    )


class StateWrongUser(ConnectError):
    default_message = (
        "This connect was started by another Autoposter user, so it cannot finish in your "
        "session. Nothing was connected: start connecting again while logged in as yourself."
    )


class StateExpired(ConnectError):
    default_message = (
        "This connect took too long and expired. Nothing was connected: start connecting "
        "again and finish on TikTok within 10 minutes."
    )


class StateReplayed(ConnectError):
    default_message = (
        "This TikTok answer was already used (a reload or the back button). Nothing more was "
        "connected: open your accounts to see the result, or start connecting again."
    )


class AuthorizationCancelled(ConnectError):
    default_message = (
        "You cancelled on TikTok, so no account was connected. Start connecting again when "
        "you are ready."
    )


class AuthorizationFailed(ConnectError):
    default_message = "TikTok did not authorize the connection: start connecting again."


class TikTokUnavailable(AccountsError):
    retryable = True
    default_message = "TikTok could not be reached: try again in a minute."


# --- Using an account's tokens (§1.5) ----------------------------------------------------


class NeedsReconnect(AccountsError):
    """The account cannot act for its creator until they connect it again."""

    default_message = (
        "TikTok no longer accepts this account's authorization: connect the account again."
    )


class RefreshFailed(AccountsError):
    """A token refresh failed for a reason that may pass (TikTok down, network)."""

    retryable = True
    default_message = (
        "TikTok's token refresh failed for a temporary reason: it will be retried; try again "
        "in a few minutes."
    )


class RefreshBusy(AccountsError):
    retryable = True
    default_message = (
        "Another worker is refreshing this account's tokens and has not finished yet: try "
        "again shortly."
    )
