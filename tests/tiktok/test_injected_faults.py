"""Under the sandbox's injected faults the client retries what is safe and never posts twice."""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest

from autoposter.sandbox import RunningSandbox
from autoposter.tiktok import (
    AccessTokenInvalid,
    FileUpload,
    InvalidGrant,
    NetworkError,
    OutcomeUnknown,
    PhotoPostInfo,
    PrivacyLevel,
    PullFromUrl,
    RateLimited,
    RetryPolicy,
    Timeouts,
    VideoPostInfo,
    plan_chunks,
)
from tests.conftest import StartSandbox
from tests.fileserver import MediaServer
from tests.media import make_image, make_video

from .support import client_for, connect, consent, publishes, raw_callback_query, set_faults

SELF_ONLY = VideoPostInfo(PrivacyLevel.SELF_ONLY)
SMALL = FileUpload(plan_chunks(1000))
PATIENT = RetryPolicy(max_attempts=12, base_delay=0.001, max_delay=0.005)


def test_a_direct_init_whose_answer_is_lost_is_not_resent(sandbox: RunningSandbox) -> None:
    with client_for(sandbox) as client:
        tokens = connect(client, sandbox)
        set_faults(sandbox, reset_rate=1.0)
        with pytest.raises(OutcomeUnknown) as caught:
            client.init_direct_video(tokens, SELF_ONLY, SMALL)
    assert caught.value.operation == "direct video init"
    assert "not re-sent" in str(caught.value)
    assert len(publishes(sandbox)) == 1  # it took effect exactly once


def test_an_inbox_init_whose_answer_is_lost_is_not_resent(sandbox: RunningSandbox) -> None:
    with client_for(sandbox) as client:
        tokens = connect(client, sandbox)
        set_faults(sandbox, reset_rate=1.0)
        with pytest.raises(OutcomeUnknown):
            client.init_inbox_video(tokens, SMALL)
    assert len(publishes(sandbox)) == 1


def test_a_photo_init_whose_answer_is_lost_is_not_resent(
    start_sandbox: StartSandbox, media_server: MediaServer, tmp_path: Path
) -> None:
    sandbox = start_sandbox(verified_url_prefixes=[media_server.url])
    url = media_server.add("p.jpg", make_image(tmp_path / "p.jpg"))
    with client_for(sandbox) as client:
        tokens = connect(client, sandbox)
        set_faults(sandbox, reset_rate=1.0)
        with pytest.raises(OutcomeUnknown):
            client.init_photos(tokens, [url], PhotoPostInfo(PrivacyLevel.SELF_ONLY))
    assert len(publishes(sandbox)) == 1


def test_a_pulled_post_under_random_resets_is_published_at_most_once(
    start_sandbox: StartSandbox, media_server: MediaServer, tmp_path: Path
) -> None:
    sandbox = start_sandbox(verified_url_prefixes=[media_server.url])
    url = media_server.add("clip.mp4", make_video(tmp_path / "clip.mp4"))
    accepted: list[str] = []
    with client_for(sandbox, retry=PATIENT) as client:
        tokens = connect(client, sandbox)
        set_faults(sandbox, reset_rate=0.5)
        for _ in range(6):  # six posts (the per-minute init limit), each sent once
            with contextlib.suppress(OutcomeUnknown):
                ticket = client.init_direct_video(tokens, SELF_ONLY, PullFromUrl(url))
                accepted.append(ticket.publish_id)
    made = [p["publish_id"] for p in publishes(sandbox)]
    assert len(made) == 6  # one publish per call, never two
    assert set(accepted) <= set(made)


def test_a_5xx_on_an_init_is_an_unknown_outcome(sandbox: RunningSandbox) -> None:
    with client_for(sandbox) as client:
        tokens = connect(client, sandbox)
        set_faults(sandbox, error_5xx_rate=1.0)
        with pytest.raises(OutcomeUnknown) as caught:
            client.init_direct_video(tokens, SELF_ONLY, SMALL)
    assert caught.value.http_status == 500 and caught.value.log_id


def test_a_429_burst_on_an_init_is_retried_and_posts_once(sandbox: RunningSandbox) -> None:
    with client_for(sandbox) as client:
        tokens = connect(client, sandbox)
        set_faults(sandbox, rate_limit_burst=2)
        ticket = client.init_direct_video(tokens, SELF_ONLY, SMALL)
    assert [p["publish_id"] for p in publishes(sandbox)] == [ticket.publish_id]


def test_a_429_burst_longer_than_the_retries_is_rate_limited(sandbox: RunningSandbox) -> None:
    with client_for(sandbox) as client:
        tokens = connect(client, sandbox)
        set_faults(sandbox, rate_limit_burst=10)
        with pytest.raises(RateLimited) as caught:
            client.init_direct_video(tokens, SELF_ONLY, SMALL)
    assert caught.value.retryable and caught.value.http_status == 429
    assert publishes(sandbox) == []


def test_reads_ride_out_5xx_and_lost_answers(sandbox: RunningSandbox) -> None:
    with client_for(sandbox, retry=PATIENT) as client:
        tokens = connect(client, sandbox)
        ticket = client.init_direct_video(tokens, SELF_ONLY, SMALL)
        set_faults(sandbox, error_5xx_rate=0.3, reset_rate=0.3)
        for _ in range(5):
            assert client.creator_info(tokens).creator_username == "sunny.studio"
            assert client.fetch_status(tokens, ticket.publish_id).status == "PROCESSING_UPLOAD"
            assert client.user_info(tokens).open_id == tokens.open_id
            assert len(client.list_videos(tokens, ["id"]).videos) == 3


def test_added_latency_only_slows_calls_down(sandbox: RunningSandbox) -> None:
    with client_for(sandbox) as client:
        tokens = connect(client, sandbox)
        set_faults(sandbox, latency_ms=30)
        assert client.user_info(tokens).open_id == tokens.open_id


def test_a_timed_out_read_is_retried_then_a_network_error(sandbox: RunningSandbox) -> None:
    fast = Timeouts(read=0.05)
    with client_for(sandbox, timeouts=fast, retry=RetryPolicy(2, 0.001, 0.002)) as client:
        set_faults(sandbox, latency_ms=300)
        with pytest.raises(NetworkError) as caught:
            client.user_info("act.anything")
    assert caught.value.retryable


def test_a_timed_out_init_is_an_unknown_outcome(sandbox: RunningSandbox) -> None:
    with client_for(sandbox) as setup:
        tokens = connect(setup, sandbox)
    with client_for(sandbox, timeouts=Timeouts(read=0.05)) as client:
        set_faults(sandbox, latency_ms=300)
        with pytest.raises(OutcomeUnknown):
            client.init_direct_video(tokens, SELF_ONLY, SMALL)
    assert len(publishes(sandbox)) <= 1


def test_an_early_expired_token_asks_for_a_refresh_that_works(sandbox: RunningSandbox) -> None:
    with client_for(sandbox) as client:
        set_faults(sandbox, token_early_expiry_rate=1.0)
        tokens = connect(client, sandbox)
        set_faults(sandbox, token_early_expiry_rate=0.0)
        sandbox.world.clock.advance(2)
        with pytest.raises(AccessTokenInvalid) as caught:
            client.user_info(tokens)
        assert caught.value.needs_token_refresh
        fresh = client.refresh(tokens)
        assert client.user_info(fresh).open_id == tokens.open_id


def test_a_refresh_whose_answer_is_lost_is_not_resent(sandbox: RunningSandbox) -> None:
    with client_for(sandbox) as client:
        tokens = connect(client, sandbox)
        set_faults(sandbox, reset_rate=1.0)
        with pytest.raises(OutcomeUnknown) as caught:
            client.refresh(tokens)
        assert caught.value.operation == "token refresh"
        set_faults(sandbox, reset_rate=0.0)
        # The sandbox rotated the token before the answer was lost: the old one is dead.
        with pytest.raises(InvalidGrant):
            client.refresh(tokens)


def test_with_a_grace_window_the_caller_may_retry_a_lost_refresh_once(
    start_sandbox: StartSandbox,
) -> None:
    sandbox = start_sandbox(refresh_grace_seconds=60.0)
    with client_for(sandbox) as client:
        tokens = connect(client, sandbox)
        set_faults(sandbox, reset_rate=1.0)
        with pytest.raises(OutcomeUnknown):
            client.refresh(tokens)
        set_faults(sandbox, reset_rate=0.0)
        fresh = client.refresh(tokens)
    assert fresh.refresh_token != tokens.refresh_token


def test_a_code_exchange_whose_answer_is_lost_is_not_resent(sandbox: RunningSandbox) -> None:
    with client_for(sandbox) as client:
        url = client.authorize_url(["user.info.basic"], "s")
        code = raw_callback_query(consent(sandbox, url))["code"]
        set_faults(sandbox, reset_rate=1.0)
        with pytest.raises(OutcomeUnknown) as caught:
            client.exchange_code(code)
    assert caught.value.operation == "authorization code exchange"


def test_stuck_processing_keeps_the_publish_processing(
    sandbox: RunningSandbox, tmp_path: Path
) -> None:
    video = make_video(tmp_path / "clip.mp4")
    with client_for(sandbox) as client:
        tokens = connect(client, sandbox)
        set_faults(sandbox, stuck_processing=True)
        plan = plan_chunks(video.stat().st_size)
        ticket = client.init_direct_video(tokens, SELF_ONLY, FileUpload(plan))
        assert ticket.upload_url
        client.upload_file(ticket.upload_url, video, plan)
        sandbox.world.clock.advance(600)
        status = client.fetch_status(tokens, ticket.publish_id)
    assert status.status == "PROCESSING_UPLOAD" and not status.is_final
    assert status.uploaded_bytes == video.stat().st_size
