"""Typed errors: one exception per TikTok error-code family (§1.9, §3.5, §4.*, §5).

Every error carries TikTok's ``code``, ``message`` and ``log_id`` (quote it to TikTok
support), the HTTP status, and what the caller should do about it:

- ``retryable``: the same call may succeed later (after backoff).
- ``needs_token_refresh``: refresh the access token once, then retry.
- ``needs_user``: only the creator can fix it (re-consent, make the account private, wait
  for the daily cap, …); ``advice`` says what to tell them.
- ``final``: retrying the same request will not help.

Messages never include request bodies or headers, and pass through :func:`redact`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .redaction import redact


class TikTokError(Exception):
    """Base class. Unknown error codes become this class itself, with ``final = True``."""

    retryable: bool = False
    needs_token_refresh: bool = False
    needs_user: bool = False
    final: bool = True
    advice: str = "TikTok refused the request; see TikTok's message below."

    def __init__(
        self,
        message: str = "",
        *,
        code: str = "",
        log_id: str | None = None,
        http_status: int | None = None,
        advice: str | None = None,
    ) -> None:
        self.code = code
        self.message = redact(message)
        self.log_id = log_id
        self.http_status = http_status
        if advice is not None:
            self.advice = advice
        super().__init__(self._render())

    def _render(self) -> str:
        parts = [self.advice]
        if self.code or self.message:
            said = f"{self.code}: {self.message}" if self.message else self.code
            parts.append(f"TikTok said {said!r}.")
        context = []
        if self.log_id:
            context.append(f"log_id {self.log_id}")
        if self.http_status is not None:
            context.append(f"HTTP {self.http_status}")
        if context:
            parts.append(f"[{', '.join(context)}]")
        return redact(" ".join(parts))

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(code={self.code!r}, log_id={self.log_id!r}, "
            f"http_status={self.http_status!r}, message={self.message!r})"
        )


# What the caller does, shared across families: mixed in before the family's base class.


class _RetryLater:
    """The same call may succeed later, after backoff."""

    retryable = True
    final = False


class _CreatorMustAct:
    """Only the creator can fix it; ``advice`` says what to tell them."""

    needs_user = True


# --- Authorization of data calls (§3.5) ---------------------------------------------------


class AuthError(TikTokError):
    """The access token or its scopes do not allow this call."""


class AccessTokenInvalid(AuthError):
    needs_token_refresh = True
    final = False
    advice = "The access token is invalid or expired: refresh it once and retry the call."


class ScopeNotAuthorized(_CreatorMustAct, AuthError):
    advice = (
        "The creator did not grant the scope this call needs: ask them to connect the "
        "account again and keep that permission ticked."
    )


class ScopePermissionMissed(_CreatorMustAct, AuthError):
    advice = (
        "Some requested fields need a scope the creator did not grant: request fewer "
        "fields, or ask the creator to reconnect granting the extra scope."
    )


# --- Request content ----------------------------------------------------------------------


class InvalidParams(TikTokError):
    """``invalid_params`` (what TikTok sends) and ``invalid_param`` (its docs' spelling, §5)."""

    advice = "TikTok rejected a request field; fix the request as TikTok's message says."


class InvalidFileUpload(InvalidParams):
    advice = "The uploaded file does not meet TikTok's media rules (§4.10); use another file."


class RequestValidationError(TikTokError, ValueError):
    """Refused on our side before anything was sent (title too long, too many photos …)."""

    advice = "The request was not sent because it breaks one of TikTok's rules."

    def __init__(self, message: str) -> None:
        super().__init__(message, code="client_validation", advice=message)

    def _render(self) -> str:
        return redact(self.advice)


# --- Throttling, caps and account state (§6) ----------------------------------------------


class RateLimited(_RetryLater, TikTokError):
    advice = "TikTok's rate limit was hit: wait a minute and retry."


class PostingCapReached(_CreatorMustAct, TikTokError):
    """``spam_risk_too_many_posts``, ``spam_risk_too_many_pending_share``,
    ``reached_active_user_cap``: the creator (or the app) must wait."""

    final = False
    advice = "A TikTok posting cap was reached: try again later."


class PostingBanned(_CreatorMustAct, TikTokError):
    advice = (
        "TikTok has banned this account from posting through apps; the creator must resolve "
        "it with TikTok. Do not retry."
    )


class UnauditedClientPublicAccount(_CreatorMustAct, TikTokError):
    advice = (
        "This app is not audited by TikTok yet, so it can only post to private accounts: "
        "ask the creator to switch the TikTok account to private (or get the app audited)."
    )


class PrivacyLevelMismatch(TikTokError):
    advice = (
        "The privacy level is not one the creator offers: query creator_info again and "
        "let the creator choose from its privacy_level_options."
    )


class UrlOwnershipUnverified(TikTokError):
    advice = (
        "The media URL is not on a domain or URL prefix verified for this app: verify it "
        "in the TikTok developer portal or upload the file instead."
    )


class AppVersionCheckFailed(_CreatorMustAct, TikTokError):
    advice = (
        "The creator's TikTok app is too old for drafts of photo posts: ask them to update "
        "TikTok (31.8 or later) and retry."
    )


# --- publish_id errors (§4.7, §4.8) -------------------------------------------------------


class PublishIdError(TikTokError):
    """The publish_id given to status/fetch or cancel is not usable."""


class InvalidPublishId(PublishIdError):
    advice = (
        "TikTok does not know this publish_id. Right after an init TikTok may not have "
        "caught up yet (§4.7): retry status in a few seconds; otherwise check the id."
    )


class PublishIdNotAuthorized(PublishIdError):
    advice = "This publish_id belongs to another creator's token: use the token that created it."


class PublishNotCancellable(PublishIdError):
    advice = "The publish can no longer be cancelled (it already finished or is processing)."


# --- Server side and transport -------------------------------------------------------------


class ServerError(_RetryLater, TikTokError):
    advice = "TikTok had an internal error: retry later with backoff."


class NetworkError(_RetryLater, TikTokError):
    """No answer could be obtained (connection refused, reset, timed out) after retries."""

    advice = "TikTok could not be reached: check the network and retry later."


class UnexpectedResponse(TikTokError):
    advice = "TikTok answered in an unexpected shape; the call's outcome is not usable."


class OutcomeUnknown(TikTokError):
    """The request may have taken effect but its answer was lost (reset, timeout, 5xx).

    Raised instead of re-sending a call that is not safe to repeat: an init (a second one
    could publish twice), a token refresh (the old refresh token may already be rotated out,
    §1.5), a code exchange (codes are single use) or a cancel. ``operation`` names the call.
    """

    final = False

    def __init__(
        self,
        operation: str,
        advice: str,
        *,
        cause: str,
        log_id: str | None = None,
        http_status: int | None = None,
    ) -> None:
        self.operation = operation
        super().__init__(
            cause, code="outcome_unknown", log_id=log_id, http_status=http_status, advice=advice
        )


# --- OAuth (§1.9): flat {"error", "error_description", "log_id"} -------------------------


class OAuthError(TikTokError):
    advice = "TikTok's OAuth endpoint refused the request."


class AccessDenied(_CreatorMustAct, OAuthError):
    advice = "The creator declined to authorize the app; they can connect again when ready."


class InvalidClient(OAuthError):
    advice = "TikTok does not accept the client key/secret: check the app's credentials."


class InvalidGrant(_CreatorMustAct, OAuthError):
    advice = (
        "The authorization code or refresh token is invalid, expired, revoked or already "
        "used: the creator must connect the account again."
    )


class InvalidOAuthRequest(OAuthError):
    advice = "TikTok says the OAuth request is malformed (e.g. redirect_uri mismatch)."


class InvalidScope(OAuthError):
    advice = "A requested scope is unknown or not approved for this app in the developer portal."


class UnauthorizedClient(OAuthError):
    advice = "This app is not allowed to use this grant; check its products in the portal."


class UnsupportedGrantType(OAuthError):
    advice = "TikTok does not support this grant_type."


class UnsupportedResponseType(OAuthError):
    advice = "TikTok only supports response_type=code."


class OAuthServerError(_RetryLater, OAuthError):
    advice = "TikTok's OAuth service failed or is unavailable: retry later."


# --- Uploads (§4.5) -----------------------------------------------------------------------


class UploadError(TikTokError):
    """A chunk PUT to the upload_url failed."""


class UploadUrlExpired(UploadError):
    advice = (
        "The upload URL has expired (TikTok allows 1 hour) or was refused (403). Nothing "
        "more can be uploaded to it; the caller decides whether to init a new post."
    )


class UploadTaskNotFound(UploadError):
    advice = "TikTok has no upload task for this URL (404); the caller decides whether to re-init."


class UploadRejected(UploadError):
    advice = "TikTok rejected the chunk (malformed headers or a Content-Length mismatch)."


class UploadOutOfSync(UploadError):
    advice = (
        "TikTok's upload progress does not fall on a chunk boundary of this plan, so the "
        "upload cannot resume; the caller decides whether to re-init."
    )


class UploadInterrupted(_RetryLater, UploadError):
    advice = (
        "The upload kept failing with server errors or dropped connections; calling "
        "upload_file again with the same URL resumes where TikTok stopped."
    )


# --- Webhooks (§7.3) ----------------------------------------------------------------------


class WebhookError(TikTokError):
    advice = "The webhook delivery was refused."


class InvalidWebhookSignature(WebhookError):
    advice = "The TikTok-Signature header is missing, malformed, stale or does not match."


class WebhookReplayed(InvalidWebhookSignature):
    advice = "This webhook delivery (same t and s) was already accepted: a replay."


class InvalidWebhookPayload(WebhookError):
    advice = "The webhook body is not a TikTok event (bad JSON or missing fields)."


_V2_CODES: dict[str, type[TikTokError]] = {
    "access_token_invalid": AccessTokenInvalid,
    "scope_not_authorized": ScopeNotAuthorized,
    "scope_permission_missed": ScopePermissionMissed,
    "invalid_params": InvalidParams,
    "invalid_param": InvalidParams,
    "invalid_file_upload": InvalidFileUpload,
    "rate_limit_exceeded": RateLimited,
    "spam_risk_too_many_posts": PostingCapReached,
    "spam_risk_too_many_pending_share": PostingCapReached,
    "reached_active_user_cap": PostingCapReached,
    "spam_risk_user_banned_from_posting": PostingBanned,
    "unaudited_client_can_only_post_to_private_accounts": UnauditedClientPublicAccount,
    "privacy_level_option_mismatch": PrivacyLevelMismatch,
    "url_ownership_unverified": UrlOwnershipUnverified,
    "invalid_publish_id": InvalidPublishId,
    "token_not_authorized_for_specified_publish_id": PublishIdNotAuthorized,
    "publish_not_cancellable": PublishNotCancellable,
    "app_version_check_failed": AppVersionCheckFailed,
    "internal_error": ServerError,
}

# The posting caps share a class but not the advice (§6).
_CODE_ADVICE: dict[str, str] = {
    "spam_risk_too_many_posts": (
        "The creator reached TikTok's daily limit of posts through apps: try again in 24 hours "
        "or post in the TikTok app."
    ),
    "spam_risk_too_many_pending_share": (
        "The creator has too many drafts waiting in the TikTok inbox (at most 5 per 24 hours): "
        "ask them to finish or delete some in the TikTok app, then retry."
    ),
    "reached_active_user_cap": (
        "This app reached TikTok's daily cap of creators posting through it: try again later."
    ),
}

_OAUTH_CODES: dict[str, type[OAuthError]] = {
    "access_denied": AccessDenied,
    "invalid_client": InvalidClient,
    "invalid_grant": InvalidGrant,
    "invalid_request": InvalidOAuthRequest,
    "invalid_scope": InvalidScope,
    "unauthorized_client": UnauthorizedClient,
    "unsupported_grant_type": UnsupportedGrantType,
    "unsupported_response_type": UnsupportedResponseType,
    "server_error": OAuthServerError,
    "temporarily_unavailable": OAuthServerError,
}


def error_for_code(
    code: str, message: str = "", *, log_id: str | None = None, http_status: int | None = None
) -> TikTokError:
    """The exception for a v2 envelope ``error`` (§0.2), whatever the HTTP status."""
    cls = _V2_CODES.get(code, TikTokError)
    # §4.7 [OBS]: a publish_id status/fetch has not caught up with arrives as invalid_params.
    if cls is InvalidParams and message.strip() == "invalid_publish_id":
        cls = InvalidPublishId
    if cls is TikTokError and http_status is not None and http_status >= 500:
        cls = ServerError
    return cls(
        message, code=code, log_id=log_id, http_status=http_status, advice=_CODE_ADVICE.get(code)
    )


def error_from_envelope(
    error: dict[str, Any], http_status: int, header_log_id: str | None = None
) -> TikTokError:
    """Read ``code``, ``message`` and ``log_id`` from an error struct."""
    return error_for_code(
        str(error.get("code") or "unknown_error"),
        str(error.get("message") or ""),
        log_id=_log_id(error, header_log_id),
        http_status=http_status,
    )


def error_from_oauth(
    body: dict[str, Any], http_status: int, header_log_id: str | None = None
) -> OAuthError:
    """The exception for a flat OAuth error body (§1.9), whatever the HTTP status."""
    code = str(body.get("error") or "unknown_error")
    cls = _OAUTH_CODES.get(code, OAuthError)
    if cls is OAuthError and http_status >= 500:
        cls = OAuthServerError
    return cls(
        str(body.get("error_description") or ""),
        code=code,
        log_id=_log_id(body, header_log_id),
        http_status=http_status,
    )


def _log_id(body: dict[str, Any], header_log_id: str | None) -> str | None:
    """``log_id`` (or ``logid``, else the ``x-tt-logid`` header, §0.2) of an error body."""
    log_id = body.get("log_id") or body.get("logid") or header_log_id
    return str(log_id) if log_id else None


@dataclass(frozen=True)
class FailReason:
    """A status FAILED ``fail_reason`` (§4.9) in words, and whether retrying can help."""

    code: str
    explanation: str
    retryable: bool


_FAIL_REASONS: dict[str, tuple[str, bool]] = {
    "file_format_check_failed": ("TikTok does not accept this file format.", False),
    "duration_check_failed": ("The video is too long or too short for this creator.", False),
    "frame_rate_check_failed": ("The video's frame rate must be between 23 and 60 fps.", False),
    "picture_size_check_failed": (
        "The picture size is outside TikTok's limits (video 360–4096 px, photos up to 1080p).",
        False,
    ),
    "internal": ("TikTok failed internally while processing; posting again may work.", True),
    "video_pull_failed": (
        "TikTok could not download the video from its URL (error or 1-hour timeout); retry "
        "once the URL is reachable.",
        True,
    ),
    "photo_pull_failed": (
        "TikTok could not download a photo from its URL; retry once the URLs are reachable.",
        True,
    ),
    "publish_cancelled": ("The publish was cancelled by the app.", False),
    "auth_removed": ("The creator removed the app's access while the post was processing.", False),
    "spam_risk_too_many_posts": (
        "The creator reached the daily limit of posts through apps; post in the TikTok app "
        "or wait 24 hours.",
        False,
    ),
    "spam_risk_user_banned_from_posting": (
        "The creator is banned from posting through apps.",
        False,
    ),
    "spam_risk_text": ("TikTok judged the caption risky or spammy; change it.", False),
    "spam_risk": ("TikTok judged the request risky.", False),
}


def describe_fail_reason(code: str) -> FailReason:
    """Human text and retryability for a ``fail_reason``; unknown reasons are not retryable."""
    if code in _FAIL_REASONS:
        text, retryable = _FAIL_REASONS[code]
        return FailReason(code, text, retryable)
    return FailReason(code, f"TikTok reported the failure {code!r}.", False)
