"""Webhook deliveries (§7): signed POSTs, retried with back-off until a 200 or 72 h.

Every event is recorded in ``world.webhooks`` whether or not a URL is configured, so tests
and the inspection pages can see what TikTok would have sent. Attempts run on the server's
event loop through the scheduler, and back-off is counted on the sandbox clock, so a test
advances the clock instead of waiting hours.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

import httpx

from .state import WebhookDelivery, World

ATTEMPT_TIMEOUT_SECONDS = 5.0


def emit(world: World, event: str, open_id: str, content: dict[str, Any]) -> WebhookDelivery:
    """Record an event for ``open_id``; deliver it to the webhook URL when one is configured."""
    body = json.dumps(
        {
            "client_key": world.config.client_key,
            "event": event,
            "create_time": int(world.now()),
            "user_openid": open_id,
            # §7.1: ``content`` is itself a JSON-encoded string.
            "content": json.dumps(content),
        }
    )
    delivery = WebhookDelivery(
        id=len(world.webhooks) + 1, event=event, body=body, created_at=world.now()
    )
    world.webhooks.append(delivery)
    if world.config.webhook_url:
        world.scheduler.at(world.now(), lambda: attempt_delivery(world, delivery))
    return delivery


def signature_header(secret: str, timestamp: int, body: str) -> str:
    """``t=<unix>,s=<hex HMAC-SHA256 of "t.body" keyed by the client secret>`` (§7.3)."""
    signed_payload = f"{timestamp}.{body}".encode()
    digest = hmac.new(secret.encode(), signed_payload, hashlib.sha256).hexdigest()
    return f"t={timestamp},s={digest}"


async def attempt_delivery(world: World, delivery: WebhookDelivery) -> None:
    """POST once; on anything but HTTP 200 schedule the next try or give up (§7 overview)."""
    url = world.config.webhook_url
    if not url or delivery.delivered or delivery.given_up:
        return
    now = world.now()
    headers = {
        "Content-Type": "application/json",
        "TikTok-Signature": signature_header(world.config.client_secret, int(now), delivery.body),
    }
    attempt: dict[str, Any] = {"at": now}
    try:
        async with httpx.AsyncClient(timeout=ATTEMPT_TIMEOUT_SECONDS, trust_env=False) as client:
            response = await client.post(url, content=delivery.body.encode(), headers=headers)
        attempt["status"] = response.status_code
    except httpx.HTTPError as exc:
        attempt["error"] = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    delivery.attempts.append(attempt)
    # §7: the receiver must answer 200 itself; a 2xx other than 200 or a redirect is a failure.
    if attempt.get("status") == 200:
        delivery.delivered = True
        return
    _schedule_retry(world, delivery)


def _schedule_retry(world: World, delivery: WebhookDelivery) -> None:
    """Exponential back-off: first_retry, then doubling, until the retry window closes."""
    failures = len(delivery.attempts)
    delay = world.config.webhook_first_retry * 2 ** (failures - 1)
    next_at = world.now() + delay
    if next_at > delivery.created_at + world.config.webhook_retry_window:
        delivery.given_up = True
        return
    world.scheduler.at(next_at, lambda: attempt_delivery(world, delivery))
