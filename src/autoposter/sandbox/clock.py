"""The sandbox's clock: real time, optionally scaled, and advanceable by tests.

Token lifetimes, 24-hour cap windows, processing and moderation delays and webhook
back-off all read this clock, so a test can jump a day ahead without sleeping.
"""

from __future__ import annotations

import threading
import time


class Clock:
    """Seconds since the epoch, as the sandbox sees them.

    ``scale`` speeds sandbox time up relative to real time (``scale=60`` makes a real
    second a sandbox minute); :meth:`advance` jumps ahead at once.
    """

    def __init__(self, scale: float = 1.0) -> None:
        if scale <= 0:
            raise ValueError("clock scale must be positive")
        self._scale = scale
        self._origin_epoch = time.time()
        self._origin_monotonic = time.monotonic()
        self._offset = 0.0
        self._lock = threading.Lock()

    @property
    def scale(self) -> float:
        return self._scale

    def now(self) -> float:
        elapsed = (time.monotonic() - self._origin_monotonic) * self._scale
        with self._lock:
            return self._origin_epoch + elapsed + self._offset

    def advance(self, seconds: float) -> float:
        if seconds < 0:
            raise ValueError("the sandbox clock only moves forward")
        with self._lock:
            self._offset += seconds
        return self.now()

    def real_seconds(self, sandbox_seconds: float) -> float:
        """How long to really wait for ``sandbox_seconds`` to pass."""
        return max(0.0, sandbox_seconds / self._scale)
