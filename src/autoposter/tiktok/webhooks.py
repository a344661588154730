"""TikTok webhooks (§7): signature verification, a replay guard, and typed events.

Deliveries are at-least-once (§7): handlers must be idempotent whatever the replay guard
does, since TikTok's own retries carry a new timestamp and signature.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Protocol

from .errors import InvalidWebhookPayload, InvalidWebhookSignature, WebhookReplayed

SIGNATURE_HEADER = "TikTok-Signature"
DEFAULT_TOLERANCE = 300  # §7.3 leaves it to the app; 5 minutes is the common choice


class SeenStore(Protocol):
    """Remembers accepted deliveries until they are too old to be accepted anyway."""

    def add_if_new(self, key: str, expires_at: float, now: float) -> bool:
        """Store ``key``; False if it was already there and not yet expired."""
        ...


class MemorySeenStore:
    """An in-process :class:`SeenStore`; use a shared one (database, Redis) for many workers."""

    def __init__(self) -> None:
        self._seen: dict[str, float] = {}
        self._lock = threading.Lock()

    def add_if_new(self, key: str, expires_at: float, now: float) -> bool:
        with self._lock:
            self._seen = {k: exp for k, exp in self._seen.items() if exp > now}
            if key in self._seen:
                return False
            self._seen[key] = expires_at
            return True


class ReplayGuard:
    """Refuses a delivery whose (t, s) pair was already accepted within the tolerance window."""

    def __init__(self, store: SeenStore | None = None, tolerance: int = DEFAULT_TOLERANCE) -> None:
        self.store = store or MemorySeenStore()
        self.tolerance = tolerance

    def check(self, timestamp: int, signature: str, now: float) -> None:
        # Past the window the timestamp check refuses it, so the key can be forgotten then.
        if not self.store.add_if_new(f"{timestamp}:{signature}", timestamp + self.tolerance, now):
            raise WebhookReplayed(f"delivery t={timestamp} was already accepted")


def _parse_header(header: str) -> tuple[int, list[str]]:
    """§7.3: ``t=<unix seconds>,s=<hex>`` — split on ``,``, then each part on ``=``."""
    timestamp: int | None = None
    signatures: list[str] = []
    for part in header.split(","):
        key, sep, value = part.strip().partition("=")
        if not sep:
            continue
        if key == "t" and value.strip().isdigit():
            timestamp = int(value.strip())
        elif key == "s" and value.strip():
            signatures.append(value.strip().lower())
    if timestamp is None or not signatures:
        raise InvalidWebhookSignature(
            "the TikTok-Signature header needs t=<unix seconds>,s=<hex signature>",
            code="malformed_signature_header",
        )
    return timestamp, signatures


def sign(body: bytes, client_secret: str, timestamp: int) -> str:
    """The ``TikTok-Signature`` header value TikTok sends for ``body`` at ``timestamp``."""
    digest = _digest(body, client_secret, timestamp)
    return f"t={timestamp},s={digest}"


def _digest(body: bytes, client_secret: str, timestamp: int) -> str:
    signed_payload = str(timestamp).encode("ascii") + b"." + body
    return hmac.new(client_secret.encode("utf-8"), signed_payload, hashlib.sha256).hexdigest()


def verify_signature(
    header: str | None,
    body: bytes,
    client_secret: str,
    tolerance: int = DEFAULT_TOLERANCE,
    now: float | None = None,
    replay_guard: ReplayGuard | None = None,
) -> int:
    """Check a delivery's ``TikTok-Signature`` (§7.3); returns its timestamp, else raises.

    ``body`` must be the raw request bytes, exactly as received.
    """
    if not header:
        raise InvalidWebhookSignature("the TikTok-Signature header is missing", code="no_signature")
    timestamp, signatures = _parse_header(header)
    expected = _digest(body, client_secret, timestamp)
    matched = next((s for s in signatures if hmac.compare_digest(s, expected)), None)
    if matched is None:
        raise InvalidWebhookSignature(
            "the signature does not match the body (is the client secret right, and is the "
            "body the raw bytes as received?)",
            code="signature_mismatch",
        )
    current = time.time() if now is None else now
    if abs(current - timestamp) > tolerance:
        raise InvalidWebhookSignature(
            f"the delivery's timestamp is {int(current - timestamp)} s away from now; at most "
            f"{tolerance} s is accepted (check the server clock)",
            code="stale_signature",
        )
    if replay_guard is not None:
        replay_guard.check(timestamp, matched, current)
    return timestamp


# --- Events (§7.1, §7.2) ------------------------------------------------------------------


class EventType:
    AUTHORIZATION_REMOVED = "authorization.removed"
    POST_PUBLISH_FAILED = "post.publish.failed"
    POST_PUBLISH_COMPLETE = "post.publish.complete"
    POST_INBOX_DELIVERED = "post.publish.inbox_delivered"
    POST_PUBLICLY_AVAILABLE = "post.publish.publicly_available"
    # §7.2 [CONFLICT]: the docs spell it "publicaly"; some senders use "publicly". One type.
    POST_NO_LONGER_PUBLICLY_AVAILABLE = "post.publish.no_longer_publicaly_available"
    VIDEO_UPLOAD_FAILED = "video.upload.failed"
    VIDEO_PUBLISH_COMPLETED = "video.publish.completed"
    PORTABILITY_DOWNLOAD_READY = "portability.download.ready"


_EVENT_ALIASES = {
    "post.publish.no_longer_publicly_available": EventType.POST_NO_LONGER_PUBLICLY_AVAILABLE,
}

REMOVAL_REASONS = {
    0: "unknown",
    1: "the creator disconnected the app in TikTok",
    2: "the TikTok account was deleted",
    3: "the creator's age changed",
    4: "the TikTok account was banned",
    5: "the app revoked its access",
}


@dataclass(frozen=True)
class WebhookEvent:
    """Any event. ``event`` is the normalised name; ``content`` the decoded content JSON.

    Unknown event names stay plain WebhookEvents, so new events never break the receiver.
    """

    client_key: str
    event: str
    create_time: int
    user_openid: str
    content: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class AuthorizationRemoved(WebhookEvent):
    """The creator's tokens are already revoked when this arrives (§7.2)."""

    reason: int = 0

    @property
    def reason_text(self) -> str:
        return REMOVAL_REASONS.get(self.reason, f"reason {self.reason}")


@dataclass(frozen=True)
class PostEvent(WebhookEvent):
    """A ``post.publish.*`` event; ``post_id`` (a string, §7.2) only where TikTok sends it."""

    publish_id: str = ""
    publish_type: str = ""
    post_id: str | None = None
    reason: str | None = None  # post.publish.failed: a fail_reason (§4.9)


_POST_EVENTS = {
    EventType.POST_PUBLISH_FAILED,
    EventType.POST_PUBLISH_COMPLETE,
    EventType.POST_INBOX_DELIVERED,
    EventType.POST_PUBLICLY_AVAILABLE,
    EventType.POST_NO_LONGER_PUBLICLY_AVAILABLE,
}


def parse_event(body: bytes | str) -> WebhookEvent:
    """The typed event of a delivery body (§7.1); ``content`` is decoded from its JSON string."""
    try:
        raw = json.loads(body)
    except ValueError:
        raise InvalidWebhookPayload("the body is not JSON", code="invalid_json") from None
    if not isinstance(raw, dict) or not isinstance(raw.get("event"), str):
        raise InvalidWebhookPayload("the body has no event name", code="no_event")
    name = _EVENT_ALIASES.get(raw["event"], raw["event"])
    common: dict[str, Any] = {
        "client_key": str(raw.get("client_key") or ""),
        "event": name,
        "create_time": _int(raw.get("create_time")),
        "user_openid": str(raw.get("user_openid") or ""),
        "content": _content(raw.get("content")),
    }
    content = common["content"]
    if name == EventType.AUTHORIZATION_REMOVED:
        return AuthorizationRemoved(**common, reason=_int(content.get("reason")))
    if name in _POST_EVENTS:
        post_id = content.get("post_id")
        reason = content.get("reason")
        return PostEvent(
            **common,
            publish_id=str(content.get("publish_id") or ""),
            publish_type=str(content.get("publish_type") or ""),
            post_id=None if post_id in (None, "") else str(post_id),
            reason=None if reason in (None, "") else str(reason),
        )
    return WebhookEvent(**common)


def _content(value: object) -> dict[str, Any]:
    """§7.1: ``content`` is a JSON-encoded string (tolerate an object, too)."""
    if isinstance(value, dict):
        return value
    if value in (None, ""):
        return {}
    if isinstance(value, str):
        try:
            decoded = json.loads(value)
        except ValueError:
            raise InvalidWebhookPayload(
                "content is not valid JSON", code="invalid_content"
            ) from None
        if isinstance(decoded, dict):
            return decoded
    raise InvalidWebhookPayload("content is not a JSON object", code="invalid_content")


def _int(value: object) -> int:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
    return 0
