"""Every TikTok error code maps to one typed exception that says what to do (§1.9, §3.5, §5)."""

from __future__ import annotations

import pytest

from autoposter.tiktok import (
    AccessDenied,
    AccessTokenInvalid,
    AppVersionCheckFailed,
    InvalidClient,
    InvalidFileUpload,
    InvalidGrant,
    InvalidOAuthRequest,
    InvalidParams,
    InvalidPublishId,
    InvalidScope,
    OAuthError,
    OAuthServerError,
    PostingBanned,
    PostingCapReached,
    PrivacyLevelMismatch,
    PublishIdNotAuthorized,
    PublishNotCancellable,
    RateLimited,
    ScopeNotAuthorized,
    ScopePermissionMissed,
    ServerError,
    TikTokError,
    UnauditedClientPublicAccount,
    UnauthorizedClient,
    UnsupportedGrantType,
    UnsupportedResponseType,
    UrlOwnershipUnverified,
    describe_fail_reason,
    error_for_code,
)
from autoposter.tiktok.errors import error_from_envelope, error_from_oauth

V2_CODES = [
    ("access_token_invalid", 401, AccessTokenInvalid),
    ("scope_not_authorized", 401, ScopeNotAuthorized),
    ("scope_permission_missed", 400, ScopePermissionMissed),
    ("invalid_params", 400, InvalidParams),
    ("invalid_param", 400, InvalidParams),
    ("invalid_file_upload", 400, InvalidFileUpload),
    ("rate_limit_exceeded", 429, RateLimited),
    ("spam_risk_too_many_posts", 403, PostingCapReached),
    ("spam_risk_too_many_pending_share", 403, PostingCapReached),
    ("reached_active_user_cap", 403, PostingCapReached),
    ("spam_risk_user_banned_from_posting", 403, PostingBanned),
    ("unaudited_client_can_only_post_to_private_accounts", 403, UnauditedClientPublicAccount),
    ("privacy_level_option_mismatch", 403, PrivacyLevelMismatch),
    ("url_ownership_unverified", 403, UrlOwnershipUnverified),
    ("invalid_publish_id", 400, InvalidPublishId),
    ("token_not_authorized_for_specified_publish_id", 400, PublishIdNotAuthorized),
    ("publish_not_cancellable", 400, PublishNotCancellable),
    ("app_version_check_failed", 400, AppVersionCheckFailed),
    ("internal_error", 500, ServerError),
]


@pytest.mark.parametrize(("code", "status", "cls"), V2_CODES)
def test_each_v2_code_maps_to_its_family(code: str, status: int, cls: type) -> None:
    error = error_for_code(
        code, "detail", log_id="20240101000000ABCDEF0123456789ABCDEF", http_status=status
    )
    assert type(error) is cls
    assert error.code == code
    assert error.log_id == "20240101000000ABCDEF0123456789ABCDEF"
    assert error.http_status == status
    assert "20240101000000ABCDEF0123456789ABCDEF" in str(error)


@pytest.mark.parametrize(("code", "status", "cls"), V2_CODES)
def test_each_v2_code_maps_the_same_on_http_200(code: str, status: int, cls: type) -> None:
    assert type(error_for_code(code, "", http_status=200)) is cls


def test_it_reads_the_log_id_from_logid_too() -> None:
    error = error_from_envelope({"code": "invalid_params", "message": "m", "logid": "L1"}, 400)
    assert error.log_id == "L1"


def test_classification_says_who_can_fix_it() -> None:
    assert error_for_code("access_token_invalid").needs_token_refresh
    assert not error_for_code("access_token_invalid").final
    assert error_for_code("scope_not_authorized").needs_user
    assert error_for_code("unaudited_client_can_only_post_to_private_accounts").needs_user
    assert error_for_code("spam_risk_too_many_posts").needs_user
    assert error_for_code("spam_risk_too_many_pending_share").needs_user
    assert error_for_code("spam_risk_user_banned_from_posting").final
    assert error_for_code("rate_limit_exceeded").retryable
    assert error_for_code("internal_error").retryable
    assert error_for_code("invalid_params").final
    assert not error_for_code("invalid_params").retryable


def test_each_posting_cap_has_its_own_advice() -> None:
    posts = str(error_for_code("spam_risk_too_many_posts"))
    drafts = str(error_for_code("spam_risk_too_many_pending_share"))
    users = str(error_for_code("reached_active_user_cap"))
    assert "24 hours" in posts
    assert "drafts" in drafts
    assert "cap of creators" in users


def test_the_unaudited_error_tells_the_creator_to_make_the_account_private() -> None:
    error = error_for_code("unaudited_client_can_only_post_to_private_accounts")
    assert "private" in str(error)


def test_an_unknown_code_is_the_base_class_and_final() -> None:
    error = error_for_code("brand_new_code", "something", http_status=400)
    assert type(error) is TikTokError
    assert error.final and not error.retryable
    assert "brand_new_code" in str(error)


def test_an_unknown_code_on_a_5xx_is_a_retryable_server_error() -> None:
    assert type(error_for_code("weird", http_status=503)) is ServerError


def test_invalid_params_saying_invalid_publish_id_is_a_publish_id_error() -> None:
    # §4.7 [OBS]: status/fetch right after init sometimes answers this way.
    assert type(error_for_code("invalid_params", "invalid_publish_id")) is InvalidPublishId


@pytest.mark.parametrize(
    ("code", "cls"),
    [
        ("access_denied", AccessDenied),
        ("invalid_client", InvalidClient),
        ("invalid_grant", InvalidGrant),
        ("invalid_request", InvalidOAuthRequest),
        ("invalid_scope", InvalidScope),
        ("unauthorized_client", UnauthorizedClient),
        ("unsupported_grant_type", UnsupportedGrantType),
        ("unsupported_response_type", UnsupportedResponseType),
        ("server_error", OAuthServerError),
        ("temporarily_unavailable", OAuthServerError),
    ],
)
def test_each_oauth_error_maps_to_its_class(code: str, cls: type) -> None:
    error = error_from_oauth({"error": code, "error_description": "d", "log_id": "L"}, 200)
    assert type(error) is cls
    assert isinstance(error, OAuthError)
    assert (error.code, error.message, error.log_id, error.http_status) == (code, "d", "L", 200)


def test_invalid_grant_means_the_creator_must_reconnect() -> None:
    error = error_from_oauth({"error": "invalid_grant"}, 400)
    assert error.needs_user and "connect the account again" in str(error)


def test_messages_never_carry_tokens_even_if_tiktok_echoes_them() -> None:
    error = error_for_code(
        "access_token_invalid", "token act.abc123DEF456!1234 is bad", http_status=401
    )
    assert "act.abc123DEF456" not in str(error)
    assert "act.abc123DEF456" not in repr(error)


@pytest.mark.parametrize("reason", ["internal", "video_pull_failed", "photo_pull_failed"])
def test_retryable_fail_reasons(reason: str) -> None:
    assert describe_fail_reason(reason).retryable


@pytest.mark.parametrize(
    "reason",
    [
        "file_format_check_failed",
        "duration_check_failed",
        "frame_rate_check_failed",
        "picture_size_check_failed",
        "publish_cancelled",
        "auth_removed",
        "spam_risk_too_many_posts",
        "spam_risk_user_banned_from_posting",
        "spam_risk_text",
        "spam_risk",
        "something_new",
    ],
)
def test_other_fail_reasons_are_not_retryable_and_explained(reason: str) -> None:
    described = describe_fail_reason(reason)
    assert not described.retryable
    assert described.code == reason
    assert len(described.explanation) > 10
