"""The TikTok webhook receiver (§7): signed deliveries from the sandbox move posts on and
revoke accounts, at least once but applied once; anything unsigned or replayed is refused."""

from __future__ import annotations

import json
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx

from autoposter.accounts import get_account
from autoposter.posts import post_history
from autoposter.tiktok import sign
from tests.engine import FAST, Harness, MakeHarness
from tests.posts.support import video_post
from tests.tiktok.support import poll


def deliver(
    harness: Harness, event: str, content: dict[str, Any], **headers: str
) -> httpx.Response:
    """POST a delivery as TikTok would, signed with the app's client secret (§7.3)."""
    body = json.dumps(
        {
            "client_key": harness.ctx.settings.client_key,
            "event": event,
            "create_time": int(time.time()),
            "user_openid": "someone",
            "content": json.dumps(content),
        }
    ).encode()
    signature = sign(body, harness.ctx.settings.client_secret, int(time.time()))
    return httpx.post(
        f"{harness.web.url}/webhooks/tiktok",
        content=body,
        headers={"TikTok-Signature": signature},
    )


def test_a_webhook_brings_the_final_status_before_the_next_poll(
    make_harness: MakeHarness, clip: Path
) -> None:
    harness = make_harness(
        webhooks=True, processing_delay=30.0, timings=replace(FAST, poll_hold=0.05, poll_later=600)
    )
    post = harness.compose(video_post(clip))
    harness.work()
    assert harness.post(post.id).status == "processing"  # polled, TikTok still processing
    harness.sandbox.world.clock.advance(30)  # TikTok finishes; its webhook arrives
    done = poll(lambda: harness.post(post.id), lambda p: p.status == "published")
    assert done.status == "published"
    last = post_history(harness.ctx, harness.user, post.id)[-1]
    assert last.detail == "TikTok published the post. (webhook)"
    assert harness.media_files() == []


def test_a_failed_publish_webhook_fails_the_post_with_tiktoks_reason(
    make_harness: MakeHarness, clip: Path
) -> None:
    harness = make_harness(processing_delay=30.0, timings=replace(FAST, poll_hold=0.05))
    post = harness.compose(video_post(clip))
    harness.work()
    publish_id = harness.post(post.id).publish_id
    content = {"publish_id": publish_id, "reason": "spam_risk_text"}
    assert deliver(harness, "post.publish.failed", content).status_code == 200
    failed = poll(lambda: harness.post(post.id), lambda p: p.status == "failed")
    assert failed.fail_code == "spam_risk_text"
    assert "caption risky or spammy" in (failed.fail_message or "")


def test_a_late_delivery_never_moves_a_finished_post_back(harness: Harness, clip: Path) -> None:
    post = harness.finish(harness.compose(video_post(clip)).id)
    content = {"publish_id": post.publish_id, "reason": "internal"}
    assert deliver(harness, "post.publish.failed", content).status_code == 200
    public = {"publish_id": post.publish_id, "post_id": "7000000000000000001"}
    assert deliver(harness, "post.publish.publicly_available", public).status_code == 200
    later = poll(
        lambda: harness.post(post.id), lambda p: "7000000000000000001" in p.tiktok_post_ids
    )
    assert (later.status, later.fail_code) == ("published", None)


def test_a_delivery_with_a_bad_signature_is_refused(harness: Harness) -> None:
    body = b'{"event": "authorization.removed", "content": "{}"}'
    response = httpx.post(
        f"{harness.web.url}/webhooks/tiktok",
        content=body,
        headers={"TikTok-Signature": f"t={int(time.time())},s={'0' * 64}"},
    )
    assert response.status_code == 400
    assert response.json()["error"] == "signature_mismatch"
    unsigned = httpx.post(f"{harness.web.url}/webhooks/tiktok", content=body)
    assert (unsigned.status_code, unsigned.json()["error"]) == (400, "no_signature")


def test_a_replayed_delivery_is_answered_but_not_handled_twice(harness: Harness) -> None:
    body = json.dumps({"event": "post.publish.complete", "content": "{}"}).encode()
    headers = {"TikTok-Signature": sign(body, harness.ctx.settings.client_secret, int(time.time()))}
    url = f"{harness.web.url}/webhooks/tiktok"
    assert httpx.post(url, content=body, headers=headers).status_code == 200
    assert httpx.post(url, content=body, headers=headers).status_code == 200


def test_a_delivery_about_an_unknown_publish_changes_nothing(harness: Harness) -> None:
    response = deliver(harness, "post.publish.complete", {"publish_id": "v_pub_file~v2-1.1"})
    assert response.status_code == 200


def test_authorization_removed_revokes_the_account(make_harness: MakeHarness) -> None:
    harness = make_harness(webhooks=True)
    response = httpx.post(f"{harness.sandbox.url}/sandbox/api/creators/public/deauthorize")
    assert response.status_code == 200, response.text
    account = poll(
        lambda: get_account(harness.ctx, harness.user, harness.account_id),
        lambda a: a.status == "revoked",
    )
    assert "connect the account again" in (account.status_reason or "")
