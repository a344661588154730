"""The one place the client speaks HTTP: requests, envelope parsing, retries and logging.

Retries (DESIGN "retries in three layers", the innermost): transient faults — 5xx, dropped
connections, timeouts, 429 — are retried with exponential backoff and full jitter. Calls that
must not run twice (``Replay.NEVER``: inits, token refresh, code exchange, cancel) are only
retried when TikTok certainly did nothing: a 429 ``rate_limit_exceeded`` or a connection that
was never established. If the request may have reached TikTok and the answer is lost (reset,
read timeout, 5xx) they raise :class:`OutcomeUnknown` instead (§5: "be careful re-sending
inits").

Logs carry the method, the URL path (never the query: upload URLs hold their token) and the
status only; bodies and headers are never logged.
"""

from __future__ import annotations

import enum
import json
import logging
import random
import time
from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import urlsplit

import httpx

from .config import TikTokConfig
from .errors import (
    NetworkError,
    OAuthServerError,
    OutcomeUnknown,
    RateLimited,
    ServerError,
    TikTokError,
    UnexpectedResponse,
    error_from_envelope,
    error_from_oauth,
)
from .redaction import install_log_redaction, register_secret

log = logging.getLogger("autoposter.tiktok")

T = TypeVar("T")

JSON_CONTENT_TYPE = "application/json; charset=UTF-8"  # §0.2

# Failures that happen before a request can have reached TikTok: always safe to retry.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


class Replay(enum.Enum):
    """Whether a call may be sent again when its outcome is unknown."""

    SAFE = "safe"  # reads, revoke, client token: repeating changes nothing
    NEVER = "never"  # inits, refresh, code exchange, cancel: see module docstring


def url_path(url: str) -> str:
    """The path of ``url`` for logs: no query string (tokens), no host."""
    return urlsplit(url).path or "/"


def parse_json(response: httpx.Response) -> Any:
    """The body as JSON (Python ints keep 19-digit ids exact), or None if it is not JSON."""
    if not response.content:
        return None
    try:
        return json.loads(response.content)
    except ValueError:
        return None


class Transport:
    """Owns the ``httpx.Client``; every TikTok call of the client goes through :meth:`call`."""

    def __init__(
        self,
        config: TikTokConfig,
        http: httpx.Client | None = None,
        *,
        sleep: Callable[[float], None] = time.sleep,
        rng: random.Random | None = None,
    ) -> None:
        self.config = config
        self.http = http or httpx.Client(
            timeout=config.timeouts.as_httpx(),
            headers={"User-Agent": config.user_agent},
            follow_redirects=False,  # §4.6-style: TikTok answers never legitimately redirect
        )
        self.sleep = sleep
        self.rng = rng or random.Random()
        register_secret(config.client_secret)
        install_log_redaction()

    def close(self) -> None:
        self.http.close()

    # --- The two kinds of TikTok endpoints ---------------------------------------------------

    def api(
        self,
        method: str,
        path: str,
        *,
        token: str,
        operation: str,
        replay: Replay = Replay.SAFE,
        params: dict[str, str] | None = None,
        body: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """A v2 data endpoint (§0.2): returns ``data``; any ``error.code`` but ok raises."""
        headers = {"Authorization": f"Bearer {token}"}
        content = None
        if body is not None:
            headers["Content-Type"] = JSON_CONTENT_TYPE
            content = json.dumps(body).encode("utf-8")
        url = self.config.api_url(path)

        def send() -> httpx.Response:
            return self.http.request(method, url, params=params, headers=headers, content=content)

        return self.call(operation, replay, send, read_envelope)

    def oauth(
        self, path: str, form: dict[str, str], *, operation: str, replay: Replay
    ) -> dict[str, Any]:
        """An OAuth endpoint (§1.4–1.9): form in, flat JSON out; ``error`` in the body raises."""
        url = self.config.api_url(path)
        headers = {"Cache-Control": "no-cache"}

        def send() -> httpx.Response:
            return self.http.post(url, data=form, headers=headers)

        return self.call(operation, replay, send, read_oauth)

    # --- Retry loop --------------------------------------------------------------------------

    def call(
        self,
        operation: str,
        replay: Replay,
        send: Callable[[], httpx.Response],
        read: Callable[[httpx.Response], T],
    ) -> T:
        """Send, read, and retry transient faults as ``replay`` allows."""
        policy = self.config.retry
        for attempt in range(policy.max_attempts):
            last = attempt == policy.max_attempts - 1
            try:
                response = send()
            except httpx.TransportError as exc:
                # A connection never opened cannot have reached TikTok; anything later may.
                if replay is Replay.NEVER and not isinstance(exc, _NOT_SENT):
                    cause = f"the answer was lost ({type(exc).__name__}) after sending"
                    raise _unknown(operation, cause) from exc
                if last:
                    raise NetworkError(
                        f"{type(exc).__name__} during {operation}", code="network_error"
                    ) from exc
                self._back_off(operation, attempt, type(exc).__name__)
                continue
            log.debug(
                "%s %s -> HTTP %d (%s)",
                response.request.method,
                url_path(str(response.request.url)),
                response.status_code,
                operation,
            )
            try:
                return read(response)
            except (RateLimited, ServerError, OAuthServerError) as exc:
                # A 429 certainly did nothing; a 5xx does not say whether the call took effect.
                if replay is Replay.NEVER and not isinstance(exc, RateLimited):
                    cause = f"TikTok answered {exc.code}, which does not say if it took effect"
                    raise _unknown(operation, cause, exc) from exc
                if last:
                    raise
                self._back_off(operation, attempt, exc.code, _retry_after(response))
        raise AssertionError("unreachable: the loop returns or raises")

    def _back_off(
        self, operation: str, attempt: int, reason: str, at_least: float | None = None
    ) -> None:
        policy = self.config.retry
        delay = policy.delay(attempt, self.rng)
        if at_least is not None:
            delay = max(delay, min(at_least, policy.max_delay))
        log.info(
            "retrying %s after %s (attempt %d of %d) in %.3fs",
            operation,
            reason,
            attempt + 2,
            policy.max_attempts,
            delay,
        )
        self.sleep(delay)


def _unknown(operation: str, cause: str, answer: TikTokError | None = None) -> OutcomeUnknown:
    advice = (
        f"TikTok may or may not have carried out the {operation}: its answer was lost. It was "
        "not re-sent, to avoid doing it twice; check the outcome (publish status, the "
        "creator's posts or token) before deciding to repeat it."
    )
    return OutcomeUnknown(
        operation,
        advice,
        cause=cause,
        log_id=answer.log_id if answer else None,
        http_status=answer.http_status if answer else None,
    )


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("retry-after", "")
    try:
        return max(0.0, float(value))
    except ValueError:
        return None


def read_envelope(response: httpx.Response) -> dict[str, Any]:
    """§0.2: success iff ``error.code == "ok"``, whatever the HTTP status says."""
    body = parse_json(response)
    status = response.status_code
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        error = body["error"]
        if error.get("code") == "ok" and status < 400:
            data = body.get("data")
            return data if isinstance(data, dict) else {}
        raise error_from_envelope(error, status, header_log_id(response))
    return _without_error_body(response, "TikTok's v2 error envelope")


def read_oauth(response: httpx.Response) -> dict[str, Any]:
    """§1.9: an ``error`` member means failure, on any HTTP status (200 included)."""
    body = parse_json(response)
    status = response.status_code
    if isinstance(body, dict) and body.get("error"):
        error = body["error"]
        if isinstance(error, dict):  # a v2 envelope where a flat body was expected
            if error.get("code") == "ok" and status < 400:
                return body
            raise error_from_envelope(error, status, header_log_id(response))
        raise error_from_oauth(body, status, header_log_id(response))
    if status >= 400 or (body is not None and not isinstance(body, dict)):
        return _without_error_body(response, "an OAuth error body")
    return body if isinstance(body, dict) else {}


def header_log_id(response: httpx.Response) -> str | None:
    """TikTok's per-request id from the ``x-tt-logid`` header (§0.2), for support."""
    return response.headers.get("x-tt-logid") or None


def _without_error_body(response: httpx.Response, expected: str) -> dict[str, Any]:
    """An answer carrying no TikTok error struct: classify by HTTP status alone."""
    status, log_id = response.status_code, header_log_id(response)
    if status == 429:
        raise RateLimited(
            "HTTP 429 without a body", code="rate_limit_exceeded", log_id=log_id, http_status=429
        )
    if status >= 500:
        raise ServerError(
            f"HTTP {status} without a body",
            code=f"http_{status}",
            log_id=log_id,
            http_status=status,
        )
    raise UnexpectedResponse(
        f"HTTP {status} without {expected}",
        code=f"http_{status}",
        log_id=log_id,
        http_status=status,
    )
