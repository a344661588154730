"""No token, secret or code reaches a log line, an exception message or a repr."""

from __future__ import annotations

import logging
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import pytest

from autoposter.sandbox import RunningSandbox
from autoposter.tiktok import (
    AccessTokenInvalid,
    FileUpload,
    Pkce,
    PrivacyLevel,
    RetryPolicy,
    TikTokError,
    VideoPostInfo,
    plan_chunks,
    redact,
)
from tests.conftest import StartSandbox
from tests.media import make_video

from .support import client_for, consent, raw_callback_query, set_faults


@pytest.mark.parametrize(
    ("text", "gone"),
    [
        ("Bearer act.9db86c59abcdefGwt7TW!5259", "9db86c59"),
        ("refresh_token=rft.abcdef123456!1234&x=1", "abcdef123456"),
        ('{"access_token": "act.zzz", "open_id": "o"}', "zzz"),
        ("token clt.0123456789abcdef", "0123456789abcdef"),
        ("GET /cb?code=AbC123-_xyz*0!6410&state=s", "AbC123"),
        ("PUT /upload/?upload_id=1&upload_token=4534354-c51c-aa", "4534354"),
        ("client_secret=hunter2hunter2", "hunter2"),
        ("code AbCdEfGhIjKlMnOpQrStUv*v!5236.s1 was used", "AbCdEfGhIjKlMnOp"),
    ],
)
def test_redact_masks_credentials(text: str, gone: str) -> None:
    assert gone not in redact(text)
    assert "***" in redact(text)


def test_redact_leaves_ordinary_text_alone() -> None:
    text = "POST /v2/post/publish/video/init/ -> HTTP 200 (direct video init) v_pub_file~v2-1.1"
    assert redact(text) == text


def test_a_full_flow_logs_no_token_secret_or_code(
    start_sandbox: StartSandbox, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    sandbox = start_sandbox(require_pkce=True)
    video = make_video(tmp_path / "clip.mp4")
    caplog.set_level(logging.DEBUG)
    secrets = _run_everything(sandbox, video)
    logged = caplog.text + "\n".join(r.getMessage() for r in caplog.records)
    assert caplog.records, "the flow should have logged something"
    assert any(r.name == "autoposter.tiktok" for r in caplog.records)
    for secret in secrets:
        assert secret not in logged, f"a credential leaked into the logs: {secret[:6]}…"


def _run_everything(sandbox: RunningSandbox, video: Path) -> list[str]:
    """Every client call once, with retries and errors; returns the credentials it saw."""
    patient = RetryPolicy(max_attempts=10, base_delay=0.001, max_delay=0.002)
    with client_for(sandbox, retry=patient, upload_retry=patient) as client:
        pkce = Pkce.create()
        url = client.authorize_url(
            ["user.info.basic", "video.publish", "video.list"], "s", pkce=pkce
        )
        raw_code = raw_callback_query(consent(sandbox, url))["code"]
        tokens = client.exchange_code(raw_code, code_verifier=pkce.verifier)
        set_faults(sandbox, error_5xx_rate=0.3)  # retries log too
        client.user_info(tokens)
        client.creator_info(tokens)
        list(client.iter_videos(tokens))
        plan = plan_chunks(video.stat().st_size)
        ticket = client.init_direct_video(
            tokens, VideoPostInfo(PrivacyLevel.SELF_ONLY), FileUpload(plan)
        )
        set_faults(sandbox, error_5xx_rate=0.0)
        assert ticket.upload_url
        client.upload_file(ticket.upload_url, video, plan)
        client.fetch_status(tokens, ticket.publish_id)
        fresh = client.refresh(tokens)
        client.revoke(fresh)
        with pytest.raises(AccessTokenInvalid) as caught:
            client.user_info(fresh)
        upload_token = parse_qs(urlsplit(ticket.upload_url).query)["upload_token"][0]
        secrets = [
            sandbox.world.config.client_secret,
            raw_code,
            unquote(raw_code),
            pkce.verifier,
            tokens.access_token,
            tokens.refresh_token,
            fresh.access_token,
            fresh.refresh_token,
            upload_token,
        ]
        for text in (str(caught.value), repr(caught.value), repr(tokens), repr(ticket)):
            for secret in secrets:
                assert secret not in text
        return secrets


def test_exception_messages_and_reprs_carry_no_credentials(sandbox: RunningSandbox) -> None:
    secret = sandbox.world.config.client_secret
    with client_for(sandbox, client_secret=secret + "-wrong") as client:
        errors: list[TikTokError] = []
        for call in (
            lambda: client.refresh("rft.stolen-looking-token!1234"),
            lambda: client.exchange_code("AbCdEfGhIjKlMnOpQrSt*zz!9999"),
            lambda: client.user_info("act.made-up-token!0000"),
        ):
            with pytest.raises(TikTokError) as caught:
                call()
            errors.append(caught.value)
    for error in errors:
        for text in (str(error), repr(error)):
            for credential in ("stolen-looking", "AbCdEfGhIjKlMnOpQrSt", "made-up-token", secret):
                assert credential not in text
        assert error.log_id
