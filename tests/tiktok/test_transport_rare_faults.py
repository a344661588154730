"""Rare answers the sandbox does not produce, checked against a scripted stand-in for TikTok.

(The common faults — 5xx, lost answers, 429 bursts — are tested against the sandbox in
test_injected_faults.py.)
"""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from autoposter.tiktok import (
    AccessTokenInvalid,
    FileUpload,
    NetworkError,
    OutcomeUnknown,
    PrivacyLevel,
    PullFromUrl,
    RateLimited,
    RetryPolicy,
    ServerError,
    TikTokClient,
    TikTokConfig,
    UnexpectedResponse,
    VideoPostInfo,
    plan_chunks,
)

Handler = Callable[[httpx.Request], httpx.Response]
OK = {"code": "ok", "message": "", "log_id": "L0"}
POST_INFO = VideoPostInfo(privacy_level=PrivacyLevel.SELF_ONLY)


class Script:
    """Answers requests in order from a list of responses or exceptions; counts them."""

    def __init__(self, *answers: httpx.Response | Exception) -> None:
        self.answers = list(answers)
        self.requests: list[httpx.Request] = []
        self.sleeps: list[float] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    def client(self) -> TikTokClient:
        config = TikTokConfig(
            client_key="key",
            client_secret="secret-value",
            redirect_uri="https://app/cb",
            api_base="https://tiktok.test",
            retry=RetryPolicy(max_attempts=3, base_delay=0.01),
        )
        return TikTokClient(
            config, http=httpx.Client(transport=httpx.MockTransport(self)), sleep=self.sleeps.append
        )


def envelope(
    data: dict[str, object], status: int = 200, error: dict[str, str] = OK
) -> httpx.Response:
    return httpx.Response(status, json={"data": data, "error": error})


def error(code: str, status: int) -> httpx.Response:
    return envelope({}, status, {"code": code, "message": "m", "log_id": "L1"})


def test_a_5xx_without_an_envelope_on_an_init_is_an_unknown_outcome_sent_once() -> None:
    script = Script(httpx.Response(502, text="<html>Bad gateway</html>"))
    with pytest.raises(OutcomeUnknown) as caught:
        script.client().init_direct_video("act.x", POST_INFO, PullFromUrl("https://v/x.mp4"))
    assert len(script.requests) == 1
    assert caught.value.operation == "direct video init"
    assert caught.value.http_status == 502


def test_a_read_timeout_on_an_init_is_an_unknown_outcome_sent_once() -> None:
    script = Script(httpx.ReadTimeout("slow"))
    with pytest.raises(OutcomeUnknown, match="not re-sent"):
        script.client().init_inbox_video("act.x", FileUpload(plan_chunks(1000)))
    assert len(script.requests) == 1


def test_an_init_whose_connection_never_opened_is_retried() -> None:
    script = Script(
        httpx.ConnectError("refused"),
        envelope({"publish_id": "v_pub_url~v2.1"}),
    )
    ticket = script.client().init_direct_video("act.x", POST_INFO, PullFromUrl("https://v/x.mp4"))
    assert ticket.publish_id == "v_pub_url~v2.1"
    assert len(script.requests) == 2


def test_a_429_on_an_init_is_retried_with_backoff_honouring_retry_after() -> None:
    limited = error("rate_limit_exceeded", 429)
    limited.headers["Retry-After"] = "0.5"
    script = Script(limited, envelope({"publish_id": "v_pub_url~v2.2"}))
    ticket = script.client().init_direct_video("act.x", POST_INFO, PullFromUrl("https://v/x.mp4"))
    assert ticket.publish_id == "v_pub_url~v2.2"
    assert script.sleeps and script.sleeps[0] >= 0.5


def test_reads_are_retried_through_5xx_and_resets_then_succeed() -> None:
    script = Script(
        httpx.Response(503),
        httpx.RemoteProtocolError("peer closed connection"),
        envelope({"status": "PROCESSING_UPLOAD"}),
    )
    status = script.client().fetch_status("act.x", "v_pub_file~v2-1.1")
    assert status.status == "PROCESSING_UPLOAD"
    assert len(script.requests) == 3
    assert len(script.sleeps) == 2


def test_reads_give_up_after_the_policys_attempts() -> None:
    script = Script(
        error("internal_error", 500), error("internal_error", 500), error("internal_error", 500)
    )
    with pytest.raises(ServerError) as caught:
        script.client().creator_info("act.x")
    assert caught.value.retryable and caught.value.log_id == "L1"
    assert len(script.requests) == 3


def test_a_network_that_never_answers_is_a_retryable_network_error() -> None:
    script = Script(*(httpx.ConnectError("refused") for _ in range(3)))
    with pytest.raises(NetworkError) as caught:
        script.client().user_info("act.x")
    assert caught.value.retryable


def test_a_persistent_429_ends_as_rate_limited() -> None:
    script = Script(*(error("rate_limit_exceeded", 429) for _ in range(3)))
    with pytest.raises(RateLimited):
        script.client().fetch_status("act.x", "p")


def test_an_error_envelope_on_http_200_is_an_error() -> None:
    script = Script(error("access_token_invalid", 200))
    with pytest.raises(AccessTokenInvalid) as caught:
        script.client().user_info("act.x")
    assert caught.value.http_status == 200
    assert len(script.requests) == 1


def test_a_success_without_an_envelope_is_unexpected() -> None:
    script = Script(httpx.Response(200, text="<html>captive portal</html>"))
    with pytest.raises(UnexpectedResponse):
        script.client().user_info("act.x")


def test_a_file_upload_init_without_upload_url_is_unexpected() -> None:
    script = Script(envelope({"publish_id": "v_pub_file~v2-1.3"}))
    with pytest.raises(UnexpectedResponse, match="no upload_url"):
        script.client().init_direct_video("act.x", POST_INFO, FileUpload(plan_chunks(1000)))


def test_data_calls_send_bearer_and_json_with_charset() -> None:
    script = Script(envelope({"status": "FAILED", "fail_reason": "internal"}))
    script.client().fetch_status("act.secret", "p1")
    request = script.requests[0]
    assert request.headers["authorization"] == "Bearer act.secret"
    assert request.headers["content-type"] == "application/json; charset=UTF-8"
    assert request.url.path == "/v2/post/publish/status/fetch/"
    assert request.content == b'{"publish_id": "p1"}'


def test_a_lost_refresh_answer_is_an_unknown_outcome_sent_once() -> None:
    script = Script(httpx.ReadError("reset"))
    with pytest.raises(OutcomeUnknown) as caught:
        script.client().refresh("rft.old")
    assert caught.value.operation == "token refresh"
    assert len(script.requests) == 1


def test_an_oauth_error_on_http_200_is_an_error() -> None:
    script = Script(httpx.Response(200, json={"error": "invalid_grant", "error_description": "x"}))
    with pytest.raises(Exception) as caught:
        script.client().refresh("rft.old")
    assert type(caught.value).__name__ == "InvalidGrant"


def test_a_token_answer_without_access_token_is_an_error() -> None:
    script = Script(httpx.Response(200, json={"open_id": "o", "scope": "user.info.basic"}))
    with pytest.raises(UnexpectedResponse, match="no access_token"):
        script.client().exchange_code("code")


def test_revoke_accepts_an_empty_body() -> None:
    script = Script(httpx.Response(200))
    script.client().revoke("act.x")
    assert script.requests[0].url.path == "/v2/oauth/revoke/"


def test_token_expiry_comes_from_expires_in_at_receipt() -> None:
    body = {
        "access_token": "act.a",
        "expires_in": 7200,
        "refresh_token": "rft.r",
        "refresh_expires_in": 15552000,
        "open_id": "o",
        "scope": "user.info.basic,video.list",
        "token_type": "Bearer",
    }
    script = Script(httpx.Response(200, json=body))
    tokens = script.client().exchange_code("c")
    assert (tokens.access_expires_at - tokens.received_at).total_seconds() == 7200
    assert (tokens.refresh_expires_at - tokens.received_at).days == 180
    assert tokens.scopes == ("user.info.basic", "video.list")


def test_the_log_id_comes_from_the_x_tt_logid_header_when_the_body_has_none() -> None:
    bare = [httpx.Response(502, headers={"x-tt-logid": "2024LOGFROMHEADER"}) for _ in range(3)]
    with pytest.raises(ServerError) as caught:
        Script(*bare).client().user_info("act.x")
    assert caught.value.log_id == "2024LOGFROMHEADER"
    assert "2024LOGFROMHEADER" in str(caught.value)
