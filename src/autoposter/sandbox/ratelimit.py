"""Per-token sliding-window request limits (§6) and the 429 bursts fault."""

from __future__ import annotations

from collections import defaultdict, deque

from .errors import ApiError

WINDOW = 60.0

# Requests per minute, per user access token (§6; Display's 600 per endpoint, §3).
LIMITS: dict[str, int] = {
    "/v2/post/publish/video/init/": 6,
    "/v2/post/publish/inbox/video/init/": 6,
    "/v2/post/publish/content/init/": 6,
    "/v2/post/publish/creator_info/query/": 20,
    "/v2/post/publish/status/fetch/": 30,
    "/v2/user/info/": 600,
    "/v2/video/list/": 600,
    "/v2/video/query/": 600,
}


class RateLimiter:
    def __init__(self) -> None:
        self._hits: dict[tuple[str, str], deque[float]] = defaultdict(deque)
        self.burst_remaining = 0

    def check(self, token: str, endpoint: str, now: float) -> None:
        """Count one request; raise 429 ``rate_limit_exceeded`` when over the limit."""
        if self.burst_remaining > 0:
            self.burst_remaining -= 1
            raise ApiError(429, "rate_limit_exceeded", "Injected 429 burst: slow down and retry.")
        limit = LIMITS.get(endpoint)
        if limit is None:
            return
        hits = self._hits[(token, endpoint)]
        while hits and hits[0] <= now - WINDOW:
            hits.popleft()
        if len(hits) >= limit:
            raise ApiError(
                429,
                "rate_limit_exceeded",
                f"Rate limit of {limit} requests per minute per token exceeded for {endpoint}.",
            )
        hits.append(now)
