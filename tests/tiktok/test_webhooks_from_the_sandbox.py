"""Deliveries the sandbox really sends verify and parse with the client's webhook helpers."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from autoposter.sandbox import RunningSandbox
from autoposter.tiktok import (
    AuthorizationRemoved,
    EventType,
    FileUpload,
    InvalidWebhookSignature,
    PostEvent,
    PrivacyLevel,
    ReplayGuard,
    VideoPostInfo,
    WebhookReplayed,
    parse_event,
    plan_chunks,
    verify_signature,
)
from tests.conftest import StartSandbox
from tests.media import make_video

from .support import WebhookReceiver, client_for, connect, wait_for_status


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    with WebhookReceiver() as running:
        yield running


@pytest.fixture
def signed(start_sandbox: StartSandbox, receiver: WebhookReceiver) -> RunningSandbox:
    return start_sandbox(webhook_url=receiver.url)


def test_a_revoke_delivers_a_signed_authorization_removed(
    signed: RunningSandbox, receiver: WebhookReceiver
) -> None:
    secret = signed.world.config.client_secret
    with client_for(signed) as client:
        tokens = connect(client, signed)
        client.revoke(tokens)
    headers, body = receiver.wait_for(1)[0]
    guard = ReplayGuard()
    verify_signature(headers.get("TikTok-Signature"), body, secret, replay_guard=guard)
    event = parse_event(body)
    assert isinstance(event, AuthorizationRemoved)
    assert event.reason == 5 and event.user_openid == tokens.open_id
    assert event.client_key == signed.world.config.client_key
    with pytest.raises(WebhookReplayed):
        verify_signature(headers.get("TikTok-Signature"), body, secret, replay_guard=guard)
    with pytest.raises(InvalidWebhookSignature):
        verify_signature(headers.get("TikTok-Signature"), body + b" ", secret)


def test_a_published_post_delivers_a_signed_complete_event(
    signed: RunningSandbox, receiver: WebhookReceiver, tmp_path: Path
) -> None:
    video = make_video(tmp_path / "clip.mp4")
    with client_for(signed) as client:
        tokens = connect(client, signed)
        plan = plan_chunks(video.stat().st_size)
        info = VideoPostInfo(PrivacyLevel.SELF_ONLY)
        ticket = client.init_direct_video(tokens, info, FileUpload(plan))
        assert ticket.upload_url
        client.upload_file(ticket.upload_url, video, plan)
        wait_for_status(client, tokens, ticket.publish_id, {"PUBLISH_COMPLETE", "FAILED"})
    headers, body = receiver.wait_for(1)[-1]
    verify_signature(headers.get("TikTok-Signature"), body, signed.world.config.client_secret)
    event = parse_event(body)
    assert isinstance(event, PostEvent)
    assert event.event == EventType.POST_PUBLISH_COMPLETE
    assert event.publish_id == ticket.publish_id
    assert event.publish_type == "DIRECT_PUBLISH"
