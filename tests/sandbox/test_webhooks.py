"""Webhook delivery (§7): signed POSTs to the app, retried with back-off until a 200."""

from __future__ import annotations

import hashlib
import hmac
import http.server
import json
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import pairwise

import pytest

from autoposter.sandbox import RunningSandbox
from autoposter.sandbox.state import WebhookDelivery
from tests.conftest import StartSandbox
from tests.sandbox.support import connect
from tests.sandbox.uploads import advance, init_file_upload, upload_bytes, wait_for

FIRST_RETRY = 10.0


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    """An app's webhook endpoint: answers the scripted statuses in turn, then 200."""

    url: str = ""
    script: list[int] = field(default_factory=list)
    received: list[Received] = field(default_factory=list)

    def next_status(self) -> int:
        return self.script.pop(0) if self.script else 200


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    state = Receiver()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            state.received.append(Received({k.lower(): v for k, v in self.headers.items()}, body))
            self.send_response(state.next_status())
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:
            return None

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/webhooks/tiktok"
    yield state
    server.shutdown()
    server.server_close()


def fail_a_publish(sandbox: RunningSandbox) -> WebhookDelivery:
    """Upload bytes that are no video: processing emits ``post.publish.failed``."""
    token = connect(sandbox)
    _, url = init_file_upload(sandbox, token, 2048)
    upload_bytes(url, bytes(2048))
    found: WebhookDelivery = wait_for(
        lambda: next((d for d in sandbox.world.webhooks if d.event == "post.publish.failed"), None),
        "the failure webhook",
    )
    return found


def wait_for_attempts(delivery: WebhookDelivery, count: int) -> None:
    wait_for(lambda: len(delivery.attempts) >= count, f"{count} delivery attempts")


def verify_signature(header: str, body: bytes, secret: str) -> int:
    """The receiver's side of §7.3; returns the signed timestamp."""
    parts = dict(item.split("=", 1) for item in header.split(","))
    signed = parts["t"].encode() + b"." + body
    expected = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(expected, parts["s"])
    return int(parts["t"])


def test_it_posts_the_event_signed_with_the_client_secret(
    start_sandbox: StartSandbox, receiver: Receiver
) -> None:
    sandbox = start_sandbox(webhook_url=receiver.url)
    delivery = fail_a_publish(sandbox)
    wait_for(lambda: delivery.delivered, "the delivery")
    (request,) = receiver.received
    assert request.headers["content-type"] == "application/json"
    assert request.body == delivery.body.encode()
    timestamp = verify_signature(
        request.headers["tiktok-signature"], request.body, sandbox.world.config.client_secret
    )
    payload = json.loads(request.body)
    # Signed when sent (§7.3), a moment after the event was made: a second may tick between.
    assert 0 <= timestamp - payload["create_time"] <= 5
    assert payload["client_key"] == sandbox.world.config.client_key
    assert payload["event"] == "post.publish.failed"
    assert json.loads(payload["content"])["reason"] == "file_format_check_failed"
    assert [set(a) for a in delivery.attempts] == [{"at", "status"}]
    assert delivery.attempts[0]["status"] == 200


def test_it_retries_with_doubling_back_off_until_the_app_answers_200(
    start_sandbox: StartSandbox, receiver: Receiver
) -> None:
    receiver.script = [500, 500]
    sandbox = start_sandbox(webhook_url=receiver.url, webhook_first_retry=FIRST_RETRY)
    delivery = fail_a_publish(sandbox)
    wait_for_attempts(delivery, 1)
    advance(sandbox, FIRST_RETRY - 1)
    assert len(delivery.attempts) == 1  # not due yet
    advance(sandbox, 1)
    wait_for_attempts(delivery, 2)
    advance(sandbox, 2 * FIRST_RETRY)
    wait_for(lambda: delivery.delivered, "the delivery")
    assert [a["status"] for a in delivery.attempts] == [500, 500, 200]
    gaps = [later["at"] - earlier["at"] for earlier, later in pairwise(delivery.attempts)]
    assert gaps[0] == pytest.approx(FIRST_RETRY, abs=1)
    assert gaps[1] == pytest.approx(2 * FIRST_RETRY, abs=1)
    assert len({r.body for r in receiver.received}) == 1  # the same event each time


def test_a_non_200_success_status_still_counts_as_a_failure(
    start_sandbox: StartSandbox, receiver: Receiver
) -> None:
    receiver.script = [204]
    sandbox = start_sandbox(webhook_url=receiver.url, webhook_first_retry=FIRST_RETRY)
    delivery = fail_a_publish(sandbox)
    wait_for_attempts(delivery, 1)
    assert not delivery.delivered
    advance(sandbox, FIRST_RETRY)
    wait_for(lambda: delivery.delivered, "the retry")


def test_it_gives_up_once_the_retry_window_has_passed(
    start_sandbox: StartSandbox, receiver: Receiver
) -> None:
    receiver.script = [503] * 100
    sandbox = start_sandbox(
        webhook_url=receiver.url, webhook_first_retry=FIRST_RETRY, webhook_retry_window=100
    )
    delivery = fail_a_publish(sandbox)
    # Attempts at 0, 10, 30 and 70; the next would be at 150, beyond the 100 s window.
    for attempts, delay in ((1, 10), (2, 20), (3, 40)):
        wait_for_attempts(delivery, attempts)
        advance(sandbox, delay)
    wait_for(lambda: delivery.given_up, "giving up")
    advance(sandbox, 1000)
    assert len(delivery.attempts) == 4
    assert not delivery.delivered
    assert all(a["status"] == 503 for a in delivery.attempts)
    assert len(receiver.received) == 4


def test_it_records_an_unreachable_app_as_an_error_and_keeps_trying(
    start_sandbox: StartSandbox,
) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed_port = sock.getsockname()[1]
    url = f"http://127.0.0.1:{closed_port}/hook"
    sandbox = start_sandbox(webhook_url=url, webhook_first_retry=FIRST_RETRY)
    delivery = fail_a_publish(sandbox)
    wait_for_attempts(delivery, 1)
    assert "ConnectError" in delivery.attempts[0]["error"]
    advance(sandbox, FIRST_RETRY)
    wait_for_attempts(delivery, 2)
    assert not delivery.given_up


def test_without_a_webhook_url_events_are_only_recorded(sandbox: RunningSandbox) -> None:
    delivery = fail_a_publish(sandbox)
    advance(sandbox, 60)
    assert delivery.attempts == []
    assert not delivery.delivered
