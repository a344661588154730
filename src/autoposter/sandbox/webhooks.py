"""Webhook deliveries (§7). Interface fixed here; delivery is being built out."""

from __future__ import annotations

import json
from typing import Any

from .state import WebhookDelivery, World


def emit(world: World, event: str, open_id: str, content: dict[str, Any]) -> WebhookDelivery:
    """Record an event for ``open_id``; deliver it to the webhook URL when one is configured."""
    body = json.dumps({
        "client_key": world.config.client_key,
        "event": event,
        "create_time": int(world.now()),
        "user_openid": open_id,
        "content": json.dumps(content),
    })
    delivery = WebhookDelivery(
        id=len(world.webhooks) + 1, event=event, body=body, created_at=world.now()
    )
    world.webhooks.append(delivery)
    return delivery
