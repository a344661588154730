"""Chunked uploads to the sandbox: streaming, progress, resume, expiry (§4.5)."""

from __future__ import annotations

from pathlib import Path

import pytest

from autoposter.sandbox import RunningSandbox
from autoposter.tiktok import (
    MIN_CHUNK,
    ChunkPlan,
    FileUpload,
    PrivacyLevel,
    RequestValidationError,
    RetryPolicy,
    TikTokClient,
    TokenSet,
    UploadInterrupted,
    UploadTaskNotFound,
    UploadUrlExpired,
    VideoPostInfo,
    plan_chunks,
)
from tests.media import make_sparse, make_video

from .support import client_for, connect, publish, publishes, set_faults

SELF_ONLY = VideoPostInfo(PrivacyLevel.SELF_ONLY)


def start_upload(
    client: TikTokClient, sandbox: RunningSandbox, path: Path, preferred: int = MIN_CHUNK
) -> tuple[TokenSet, str, str, ChunkPlan]:
    tokens = connect(client, sandbox)
    plan = plan_chunks(path.stat().st_size, preferred)
    ticket = client.init_direct_video(tokens, SELF_ONLY, FileUpload(plan))
    assert ticket.upload_url
    return tokens, ticket.publish_id, ticket.upload_url, plan


@pytest.fixture
def big(tmp_path: Path) -> Path:
    """Three chunks and a bit, all zeros (the sandbox will fail it as media; uploads don't care)."""
    return make_sparse(tmp_path / "big.mp4", 3 * MIN_CHUNK + 12_345)


def test_a_multi_chunk_upload_completes_and_reports_progress(
    sandbox: RunningSandbox, big: Path
) -> None:
    seen: list[tuple[int, int]] = []
    with client_for(sandbox) as client:
        _, publish_id, url, plan = start_upload(client, sandbox, big)
        result = client.upload_file(url, big, plan, on_progress=lambda s, t: seen.append((s, t)))
    assert plan.total_chunk_count == 3
    assert (result.bytes_total, result.puts, result.retries) == (big.stat().st_size, 3, 0)
    assert publish(sandbox, publish_id)["uploaded_bytes"] == big.stat().st_size
    sent = [s for s, _ in seen]
    assert sent == sorted(sent) and sent[-1] == big.stat().st_size
    assert {t for _, t in seen} == {big.stat().st_size}
    assert len(seen) > plan.total_chunk_count  # reported piece by piece, not per chunk


def test_a_real_video_uploads_with_its_content_type(
    sandbox: RunningSandbox, tmp_path: Path
) -> None:
    video = make_video(tmp_path / "clip.webm", codec="libvpx")
    with client_for(sandbox) as client:
        tokens, publish_id, url, plan = start_upload(client, sandbox, video)
        client.upload_file(url, video, plan)
        assert client.fetch_status(tokens, publish_id).uploaded_bytes == video.stat().st_size


def test_uploads_survive_connection_resets_mid_chunk_and_after_acceptance(
    sandbox: RunningSandbox, tmp_path: Path
) -> None:
    path = make_sparse(tmp_path / "reset.mp4", 6 * MIN_CHUNK)
    with client_for(sandbox, upload_retry=RetryPolicy(8, 0.001, 0.005)) as client:
        _, publish_id, url, plan = start_upload(client, sandbox, path)
        set_faults(sandbox, upload_reset_rate=0.5)
        result = client.upload_file(url, path, plan)
    assert result.retries >= 1
    assert publish(sandbox, publish_id)["uploaded_bytes"] == path.stat().st_size


def test_uploads_retry_through_server_errors(sandbox: RunningSandbox, big: Path) -> None:
    with client_for(sandbox, upload_retry=RetryPolicy(8, 0.001, 0.005)) as client:
        _, publish_id, url, plan = start_upload(client, sandbox, big)
        set_faults(sandbox, error_5xx_rate=0.4)
        result = client.upload_file(url, big, plan)
        set_faults(sandbox, error_5xx_rate=0.0)
    assert result.retries >= 1
    assert publish(sandbox, publish_id)["uploaded_bytes"] == big.stat().st_size


def test_an_interrupted_upload_resumes_from_tiktoks_progress_on_the_next_call(
    sandbox: RunningSandbox, big: Path
) -> None:
    with client_for(sandbox) as client:
        _, publish_id, url, plan = start_upload(client, sandbox, big)
        first_chunk_done = plan.chunk(0).last + 1

        def break_after_first_chunk(sent: int, total: int) -> None:
            if sent == first_chunk_done:
                sandbox.world.config.faults.error_5xx_rate = 1.0

        with pytest.raises(UploadInterrupted) as caught:
            client.upload_file(url, big, plan, on_progress=break_after_first_chunk)
        assert caught.value.retryable
        assert publish(sandbox, publish_id)["uploaded_bytes"] == first_chunk_done
        sandbox.world.config.faults.error_5xx_rate = 0.0
        result = client.upload_file(url, big, plan)
    assert result.resumed == 1 and result.puts == 3  # chunk 0 → 416, then chunks 1 and 2
    assert publish(sandbox, publish_id)["uploaded_bytes"] == big.stat().st_size


def test_a_finished_upload_whose_answer_was_lost_counts_as_done(
    sandbox: RunningSandbox, big: Path
) -> None:
    with client_for(sandbox) as client:
        _, _, url, plan = start_upload(client, sandbox, big)
        client.upload_file(url, big, plan)
        again = client.upload_file(url, big, plan)
    assert (again.puts, again.resumed) == (1, 1)


def test_an_expired_upload_url_is_upload_url_expired(sandbox: RunningSandbox, big: Path) -> None:
    with client_for(sandbox) as client:
        _, publish_id, url, plan = start_upload(client, sandbox, big)
        sandbox.world.clock.advance(3601)
        with pytest.raises(UploadUrlExpired) as caught:
            client.upload_file(url, big, plan)
    assert caught.value.http_status == 403 and not caught.value.retryable
    assert "caller decides" in str(caught.value)
    assert [p["publish_id"] for p in publishes(sandbox)] == [publish_id]  # never re-inits


def test_the_upload_url_ttl_fault_expires_urls_early(sandbox: RunningSandbox, big: Path) -> None:
    set_faults(sandbox, upload_url_ttl_seconds=5)
    with client_for(sandbox) as client:
        _, _, url, plan = start_upload(client, sandbox, big)
        sandbox.world.clock.advance(6)
        with pytest.raises(UploadUrlExpired):
            client.upload_file(url, big, plan)


def test_an_unknown_upload_url_is_upload_task_not_found(sandbox: RunningSandbox, big: Path) -> None:
    with client_for(sandbox) as client:
        _, _, url, plan = start_upload(client, sandbox, big)
        with pytest.raises(UploadTaskNotFound) as caught:
            client.upload_file(url.replace("upload_token=", "upload_token=x"), big, plan)
    assert caught.value.http_status == 404
    assert "upload_token" not in str(caught.value)


def test_a_plan_for_another_size_is_refused_before_sending(
    sandbox: RunningSandbox, big: Path
) -> None:
    with client_for(sandbox) as client, pytest.raises(RequestValidationError, match="plan"):
        client.upload_file("http://127.0.0.1:9/upload/", big, plan_chunks(1000))


def test_an_unknown_suffix_needs_an_explicit_content_type(
    sandbox: RunningSandbox, tmp_path: Path
) -> None:
    path = make_sparse(tmp_path / "clip.avi", 1000)
    with (
        client_for(sandbox) as client,
        pytest.raises(RequestValidationError, match=r"\.mp4, \.mov"),
    ):
        client.upload_file("http://127.0.0.1:9/upload/", path, plan_chunks(1000))
