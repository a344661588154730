"""Helpers the client tests share: a client pointed at a sandbox, and the consent step."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, TypeVar
from urllib.parse import parse_qsl, urlsplit

import httpx

from autoposter.sandbox import RunningSandbox
from autoposter.sandbox.config import ALL_SCOPES
from autoposter.tiktok import (
    Pkce,
    PublishStatus,
    RetryPolicy,
    TikTokClient,
    TikTokConfig,
    TokenSet,
)

# Tests retry fast: the backoff shape is the same, the delays are tiny.
FAST_RETRY = RetryPolicy(max_attempts=4, base_delay=0.001, max_delay=0.005)


def client_for(sandbox: RunningSandbox, **overrides: Any) -> TikTokClient:
    """A client of the sandbox's app, with both hosts pointed at the sandbox."""
    config = sandbox.world.config
    settings: dict[str, Any] = {
        "client_key": config.client_key,
        "client_secret": config.client_secret,
        "redirect_uri": config.redirect_uris[0],
        "authorize_url": f"{sandbox.url}/v2/auth/authorize/",
        "api_base": sandbox.url,
        "retry": FAST_RETRY,
        "upload_retry": FAST_RETRY,
    }
    settings.update(overrides)
    return TikTokClient(TikTokConfig(**settings))


def raw_callback_query(response: httpx.Response) -> dict[str, str]:
    """The redirect's query values exactly as they appear in Location (still URL-encoded)."""
    assert response.status_code == 302, response.text
    query = urlsplit(response.headers["location"]).query
    return dict(part.split("=", 1) for part in query.split("&") if "=" in part)


def consent(
    sandbox: RunningSandbox,
    authorize_url: str,
    *,
    creator: str = "public",
    grant: tuple[str, ...] | None = None,
    decision: str = "authorize",
) -> httpx.Response:
    """Open the authorize URL, then post the consent form as the creator would."""
    page = httpx.get(authorize_url)
    assert page.status_code == 200, page.text
    params = dict(parse_qsl(urlsplit(authorize_url).query))
    kept = grant if grant is not None else tuple(params["scope"].split(","))
    form: dict[str, Any] = {**params, "creator": creator, "decision": decision, "grant": list(kept)}
    return httpx.post(f"{sandbox.url}/v2/auth/authorize/", data=form, follow_redirects=False)


def connect(
    client: TikTokClient,
    sandbox: RunningSandbox,
    creator: str = "public",
    scopes: tuple[str, ...] = ALL_SCOPES,
    pkce: Pkce | None = None,
) -> TokenSet:
    """The whole Login Kit flow through the client: URL, consent, code exchange."""
    url = client.authorize_url(scopes, state="st-123", pkce=pkce)
    query = raw_callback_query(consent(sandbox, url, creator=creator))
    assert query["state"] == "st-123"
    verifier = pkce.verifier if pkce else None
    return client.exchange_code(query["code"], code_verifier=verifier)


def set_faults(sandbox: RunningSandbox, **faults: Any) -> None:
    response = httpx.post(f"{sandbox.url}/sandbox/api/faults", json=faults)
    assert response.status_code == 200, response.text


def publishes(sandbox: RunningSandbox) -> list[dict[str, Any]]:
    response = httpx.get(f"{sandbox.url}/sandbox/api/publishes")
    assert response.status_code == 200, response.text
    found: list[dict[str, Any]] = response.json()["publishes"]
    return found


def publish(sandbox: RunningSandbox, publish_id: str) -> dict[str, Any]:
    response = httpx.get(f"{sandbox.url}/sandbox/api/publishes/{publish_id}")
    assert response.status_code == 200, response.text
    found: dict[str, Any] = response.json()
    return found


T = TypeVar("T")


def poll(read: Callable[[], T], done: Callable[[T], bool], seconds: float = 5.0) -> T:
    """Call ``read`` until ``done`` accepts its value (bounded; no fixed sleeps)."""
    deadline = time.monotonic() + seconds
    while True:
        value = read()
        if done(value):
            return value
        assert time.monotonic() < deadline, f"gave up waiting; last value {value!r}"
        time.sleep(0.02)


def wait_for_status(
    client: TikTokClient, token: TokenSet, publish_id: str, wanted: set[str], seconds: float = 5.0
) -> PublishStatus:
    """Poll status/fetch until it reaches one of ``wanted``."""
    return poll(
        lambda: client.fetch_status(token, publish_id), lambda s: s.status in wanted, seconds
    )


class WebhookReceiver:
    """A webhook endpoint on 127.0.0.1 that records each delivery's headers and raw body."""

    def __init__(self) -> None:
        self.deliveries: list[tuple[dict[str, str], bytes]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                receiver.deliveries.append((dict(self.headers.items()), body))
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: object) -> None:
                return None

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)
        self.url = f"http://127.0.0.1:{self._httpd.server_address[1]}/tiktok/webhook"

    def __enter__(self) -> WebhookReceiver:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    def wait_for(self, count: int) -> list[tuple[dict[str, str], bytes]]:
        return poll(lambda: list(self.deliveries), lambda d: len(d) >= count)
