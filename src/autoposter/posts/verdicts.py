"""What the pipeline does about an error: try again later, or fail the post for good.

DESIGN's three layers of retries: the TikTok client retries transient faults inside one call;
what is still failing after that comes here and becomes :class:`RetryLater` (the task tries
again with backoff) or :class:`PostFailed` (final: TikTok's reason plus a sentence the
author can act on). The reconciler is the third layer, for workers that died.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ..accounts import AccountsError, NeedsReconnect, NotFound, RefreshBusy, RefreshFailed
from ..config import Settings
from ..tiktok import (
    InvalidPublishId,
    RateLimited,
    RequestValidationError,
    TikTokError,
    UploadError,
    UploadTaskNotFound,
    UploadUrlExpired,
    UrlOwnershipUnverified,
)
from .compose import FieldError
from .machine import Failure
from .media_store import verification_steps


@dataclass
class RetryLater(Exception):
    """Come back to the post at ``at``; ``counted`` failures use up the post's attempts."""

    at: datetime | None
    reason: str
    counted: bool = True
    note: bool = True  # whether the wait is worth a line in the post's history

    def __str__(self) -> str:
        return self.reason


@dataclass
class PostFailed(Exception):
    failure: Failure

    def __str__(self) -> str:
        return self.failure.message


DISCONNECTED = Failure(
    "account_disconnected",
    "The post's TikTok account was disconnected.",
    "The TikTok account of this post was disconnected, so it cannot be sent: connect the "
    "account again and post it again.",
)


def validation_failure(errors: list[FieldError]) -> PostFailed:
    listed = "; ".join(str(error) for error in errors)
    return PostFailed(
        Failure(
            "validation",
            listed,
            "The post no longer fits the account's current TikTok settings, so it was not "
            f"sent: {listed}. Change it and post it again.",
        )
    )


def verdict_for(exc: Exception, settings: Settings) -> RetryLater | PostFailed:
    """Classify an error raised while sending a post (see the module docstring)."""
    if isinstance(exc, AccountsError):
        return _account_verdict(exc)
    if isinstance(exc, TikTokError):
        return _tiktok_verdict(exc, settings)
    if isinstance(exc, FileNotFoundError):
        return PostFailed(
            Failure(
                "media_missing",
                str(exc),
                "The post's media file is missing from Autoposter's media directory (was the "
                "data directory moved or cleaned?), so it cannot be sent: post it again.",
            )
        )
    return RetryLater(None, f"unexpected error: {type(exc).__name__}: {exc}")


def _account_verdict(exc: AccountsError) -> RetryLater | PostFailed:
    if isinstance(exc, RefreshBusy):
        return RetryLater(None, "another worker is renewing the account's token", counted=False)
    if isinstance(exc, RefreshFailed) and exc.retryable:
        return RetryLater(None, str(exc))
    if isinstance(exc, NotFound):
        return PostFailed(DISCONNECTED)
    code = "account_needs_reconnect" if isinstance(exc, NeedsReconnect) else "account_error"
    return PostFailed(
        Failure(code, str(exc), f"{exc} This post was not sent; post it again afterwards.")
    )


def _tiktok_verdict(exc: TikTokError, settings: Settings) -> RetryLater | PostFailed:
    said = exc.message or exc.code or type(exc).__name__
    if isinstance(exc, InvalidPublishId):
        # §4.7 [OBS]: right after an init, TikTok may not know the publish_id yet.
        return RetryLater(None, "TikTok does not know the publish_id yet", counted=True)
    if exc.retryable or exc.needs_token_refresh:
        counted = not isinstance(exc, RateLimited)
        return RetryLater(None, f"{exc.code or type(exc).__name__}: {exc.advice}", counted)
    if isinstance(exc, UrlOwnershipUnverified):
        return PostFailed(Failure(exc.code, said, verification_steps(settings)))
    if isinstance(exc, UploadError):
        return PostFailed(_upload_failure(exc, said))
    if isinstance(exc, RequestValidationError):
        message = f"TikTok would refuse this post: {exc.advice} Change it and post it again."
        return PostFailed(Failure("validation", exc.advice, message))
    log_id = f" (TikTok log_id {exc.log_id})" if exc.log_id else ""
    return PostFailed(Failure(exc.code or type(exc).__name__, said, exc.advice + log_id))


def _upload_failure(exc: UploadError, said: str) -> Failure:
    """Upload refusals end the post: it is never initialised again (DESIGN)."""
    if isinstance(exc, UploadUrlExpired):
        message = (
            "The upload did not finish within the hour TikTok allows, so TikTok no longer "
            "takes its bytes and nothing was published. Post it again, from a faster "
            "connection or with a smaller file."
        )
    elif isinstance(exc, UploadTaskNotFound):
        message = (
            "TikTok no longer knows this upload (it ended on TikTok's side), so nothing was "
            "published: post it again."
        )
    else:
        message = (
            "TikTok refused the uploaded bytes, so nothing was published. Autoposter does not "
            "start a second upload on its own: post it again."
        )
    return Failure(exc.code or "upload_error", said, message)
