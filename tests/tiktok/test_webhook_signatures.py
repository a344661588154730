"""Webhook signatures are checked as §7.3 says, and a replayed delivery is refused."""

from __future__ import annotations

import hashlib
import hmac

import pytest

from autoposter.tiktok import (
    InvalidWebhookSignature,
    MemorySeenStore,
    ReplayGuard,
    WebhookReplayed,
    sign,
    verify_signature,
)

SECRET = "webhook-test-secret"
BODY = (
    b'{"client_key":"k","event":"authorization.removed","create_time":1700000000,'
    b'"user_openid":"-000abc","content":"{\\"reason\\": 1 }"}'
)
NOW = 1_700_000_100


def header_for(body: bytes = BODY, timestamp: int = NOW, secret: str = SECRET) -> str:
    """Built by hand from §7.3, independently of the client's own sign()."""
    payload = f"{timestamp}.".encode() + body
    digest = hmac.new(secret.encode(), payload, hashlib.sha256).hexdigest()
    return f"t={timestamp},s={digest}"


def test_it_accepts_a_correct_signature_and_returns_its_timestamp() -> None:
    assert verify_signature(header_for(), BODY, SECRET, now=NOW) == NOW


def test_its_own_sign_matches_the_spec() -> None:
    assert sign(BODY, SECRET, NOW) == header_for()


def test_it_tolerates_spaces_and_extra_parts_in_the_header() -> None:
    t, s = header_for().split(",")
    assert verify_signature(f" {t} , v=1, {s} ", BODY, SECRET, now=NOW) == NOW


def test_it_refuses_a_body_changed_by_one_byte() -> None:
    with pytest.raises(InvalidWebhookSignature, match="does not match"):
        verify_signature(header_for(), BODY.replace(b"1 }", b"2 }"), SECRET, now=NOW)


def test_it_refuses_a_signature_made_with_another_secret() -> None:
    with pytest.raises(InvalidWebhookSignature):
        verify_signature(header_for(secret="other"), BODY, SECRET, now=NOW)


def test_it_refuses_a_signature_whose_timestamp_was_altered() -> None:
    forged = header_for().replace(f"t={NOW}", f"t={NOW + 1}")
    with pytest.raises(InvalidWebhookSignature, match="does not match"):
        verify_signature(forged, BODY, SECRET, now=NOW)


@pytest.mark.parametrize("age", [301, -301, 10_000])
def test_it_refuses_a_delivery_outside_the_tolerance(age: int) -> None:
    with pytest.raises(InvalidWebhookSignature, match="away from now"):
        verify_signature(header_for(timestamp=NOW - age), BODY, SECRET, now=NOW)


def test_it_accepts_a_delivery_at_the_edge_of_a_custom_tolerance() -> None:
    header = header_for(timestamp=NOW - 60)
    assert verify_signature(header, BODY, SECRET, tolerance=60, now=NOW) == NOW - 60
    with pytest.raises(InvalidWebhookSignature):
        verify_signature(header, BODY, SECRET, tolerance=59, now=NOW)


@pytest.mark.parametrize("header", [None, "", "t=abc,s=00", "s=00", f"t={NOW}", "garbage"])
def test_it_refuses_a_missing_or_malformed_header(header: str | None) -> None:
    with pytest.raises(InvalidWebhookSignature):
        verify_signature(header, BODY, SECRET, now=NOW)


def test_it_refuses_a_replayed_delivery() -> None:
    guard = ReplayGuard()
    header = header_for()
    verify_signature(header, BODY, SECRET, now=NOW, replay_guard=guard)
    with pytest.raises(WebhookReplayed):
        verify_signature(header, BODY, SECRET, now=NOW + 5, replay_guard=guard)


def test_the_replay_guard_accepts_a_new_delivery_of_the_same_event() -> None:
    # TikTok's retries are new deliveries with their own t and s (§7: at-least-once).
    guard = ReplayGuard()
    verify_signature(header_for(), BODY, SECRET, now=NOW, replay_guard=guard)
    retry = header_for(timestamp=NOW + 30)
    assert verify_signature(retry, BODY, SECRET, now=NOW + 30, replay_guard=guard) == NOW + 30


def test_the_replay_guard_forgets_deliveries_once_they_are_too_old_anyway() -> None:
    store = MemorySeenStore()
    assert store.add_if_new("a", expires_at=NOW + 300, now=NOW)
    assert not store.add_if_new("a", expires_at=NOW + 300, now=NOW + 299)
    assert store.add_if_new("a", expires_at=NOW + 700, now=NOW + 301)


def test_a_refused_signature_is_not_remembered_by_the_replay_guard() -> None:
    guard = ReplayGuard()
    with pytest.raises(InvalidWebhookSignature):
        verify_signature(header_for(secret="other"), BODY, SECRET, now=NOW, replay_guard=guard)
    assert verify_signature(header_for(), BODY, SECRET, now=NOW, replay_guard=guard) == NOW
