"""What the client needs to know: the app's credentials, TikTok's hosts, timeouts and retries.

Hosts default to TikTok's production URLs (§0.1); tests point both at the sandbox.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

import httpx

AUTHORIZE_URL = "https://www.tiktok.com/v2/auth/authorize/"
API_BASE = "https://open.tiktokapis.com"


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff with full jitter for transient faults inside one call.

    Attempt ``n`` (0-based) waits a random time in ``[0, min(max_delay, base_delay * 2**n)]``
    (full jitter keeps many workers from retrying in lock-step).
    """

    max_attempts: int = 4
    base_delay: float = 0.5
    max_delay: float = 8.0

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("RetryPolicy.max_attempts must be at least 1 (1 means no retry)")
        if self.base_delay < 0 or self.max_delay < 0:
            raise ValueError("RetryPolicy delays must not be negative")

    def delay(self, attempt: int, rng: random.Random) -> float:
        ceiling = min(self.max_delay, self.base_delay * (2**attempt))
        return rng.uniform(0, ceiling)


@dataclass(frozen=True)
class Timeouts:
    connect: float = 10.0
    read: float = 30.0
    write: float = 60.0
    pool: float = 10.0

    def as_httpx(self) -> httpx.Timeout:
        return httpx.Timeout(connect=self.connect, read=self.read, write=self.write, pool=self.pool)


@dataclass(frozen=True)
class TikTokConfig:
    """One TikTok app (client key and secret) and how to reach TikTok.

    ``redirect_uri`` is the default for authorize URLs and code exchanges; a call may pass
    another registered one. ``clock`` computes token expiry times at receipt (tests may fake
    it); ``sleep`` and ``rng`` drive the retry backoff.
    """

    client_key: str
    client_secret: str = field(repr=False)
    redirect_uri: str | None = None
    authorize_url: str = AUTHORIZE_URL
    api_base: str = API_BASE
    timeouts: Timeouts = field(default_factory=Timeouts)
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    upload_retry: RetryPolicy = field(
        default_factory=lambda: RetryPolicy(max_attempts=5, base_delay=1.0, max_delay=30.0)
    )
    user_agent: str = "autoposter-tiktok/0.1"
    clock: Callable[[], datetime] = field(default=utc_now, repr=False)

    def __post_init__(self) -> None:
        if not self.client_key:
            raise ValueError("TikTokConfig.client_key is empty: copy it from the TikTok app page")
        if not self.client_secret:
            raise ValueError(
                "TikTokConfig.client_secret is empty: copy it from the TikTok app page"
            )

    def api_url(self, path: str) -> str:
        return self.api_base.rstrip("/") + path
