"""Webhook bodies become typed events (§7.1, §7.2)."""

from __future__ import annotations

import json

import pytest

from autoposter.tiktok import (
    AuthorizationRemoved,
    EventType,
    InvalidWebhookPayload,
    PostEvent,
    WebhookEvent,
    parse_event,
)


def body(event: str, content: object) -> bytes:
    return json.dumps(
        {
            "client_key": "bwo2m45353a6k85",
            "event": event,
            "create_time": 1615338610,
            "user_openid": "-000YSS_OTWKQzsQ-Q6fwsK_A1CTqKopVfCO",
            "content": json.dumps(content),
        }
    ).encode()


def test_it_decodes_authorization_removed_with_its_reason() -> None:
    event = parse_event(body("authorization.removed", {"reason": 5}))
    assert isinstance(event, AuthorizationRemoved)
    assert event.reason == 5
    assert event.reason_text == "the app revoked its access"
    assert event.user_openid == "-000YSS_OTWKQzsQ-Q6fwsK_A1CTqKopVfCO"
    assert event.create_time == 1615338610


def test_it_keeps_post_ids_as_strings() -> None:
    event = parse_event(
        body(
            "post.publish.publicly_available",
            {
                "publish_id": "v_pub_file~v2-1.7602997070760331285",
                "publish_type": "DIRECT_PUBLISH",
                "post_id": "7602997517160123666",
            },
        )
    )
    assert isinstance(event, PostEvent)
    assert event.post_id == "7602997517160123666"
    assert event.publish_id == "v_pub_file~v2-1.7602997070760331285"
    assert event.publish_type == "DIRECT_PUBLISH"


def test_a_numeric_post_id_becomes_the_same_digits_as_a_string() -> None:
    raw = body("post.publish.publicly_available", {"publish_id": "p", "post_id": 0})
    raw = raw.replace(b'\\"post_id\\": 0', b'\\"post_id\\": 7602997517160123666')
    assert parse_event(raw).content["post_id"] == 7602997517160123666
    event = parse_event(raw)
    assert isinstance(event, PostEvent)
    assert event.post_id == "7602997517160123666"


@pytest.mark.parametrize(
    "name",
    ["post.publish.no_longer_publicaly_available", "post.publish.no_longer_publicly_available"],
)
def test_both_spellings_of_no_longer_public_are_one_event_type(name: str) -> None:
    event = parse_event(body(name, {"publish_id": "v", "post_id": "1", "publish_type": "X"}))
    assert isinstance(event, PostEvent)
    assert event.event == EventType.POST_NO_LONGER_PUBLICLY_AVAILABLE


def test_a_failed_publish_carries_its_fail_reason() -> None:
    event = parse_event(
        body(
            "post.publish.failed",
            {
                "publish_id": "v_inbox_file~v2.1",
                "reason": "frame_rate_check_failed",
                "publish_type": "INBOX_SHARE",
            },
        )
    )
    assert isinstance(event, PostEvent)
    assert event.reason == "frame_rate_check_failed"
    assert event.post_id is None


def test_an_unknown_event_is_kept_generic_with_its_content() -> None:
    event = parse_event(body("something.new", {"anything": [1, 2]}))
    assert type(event) is WebhookEvent
    assert event.event == "something.new"
    assert event.content == {"anything": [1, 2]}


def test_content_given_as_an_object_is_accepted_too() -> None:
    raw = json.dumps({"event": "authorization.removed", "content": {"reason": 2}})
    event = parse_event(raw)
    assert isinstance(event, AuthorizationRemoved)
    assert event.reason == 2


@pytest.mark.parametrize(
    "raw",
    [b"not json", b"[]", b'{"content": "{}"}', b'{"event": "x", "content": "{nope"}'],
)
def test_it_refuses_bodies_that_are_not_tiktok_events(raw: bytes) -> None:
    with pytest.raises(InvalidWebhookPayload):
        parse_event(raw)
