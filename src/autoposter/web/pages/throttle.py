"""Sign-in throttling: a sliding window of failed attempts per username and per client address.

Passwords are argon2-hashed, so each guess is slow already; the window caps how many guesses
one username can take (5 in 5 minutes by default) and how many one address can spread over
many usernames (20). While either window is full, even the right password is refused:
otherwise a guesser would learn the password from the one attempt that gets through. A
successful sign-in forgets the username's failures, not the address's.

The counts live in this process's memory: a restart forgets them, and several dashboard
processes each keep their own, which only loosens the cap by that factor.
"""

from __future__ import annotations

import math
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

# Past this many tracked keys, expired ones are swept so memory stays bounded.
_SWEEP_ABOVE = 10_000


@dataclass(frozen=True)
class Blocked:
    """Why an attempt is refused, and how many seconds until the next may be made."""

    reason: str
    retry_after: float

    @property
    def retry_after_seconds(self) -> int:
        return max(1, math.ceil(self.retry_after))


@dataclass
class SignInThrottle:
    clock: Callable[[], float]
    window: float = 300.0
    per_username: int = 5
    per_address: int = 20
    _failures: dict[str, deque[float]] = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def check(self, username: str, address: str) -> Blocked | None:
        """None when an attempt may be made now, else what blocks it."""
        now = self.clock()
        with self._lock:
            for key, limit, reason in (
                (_user_key(username), self.per_username, "this username"),
                (_address_key(address), self.per_address, "your network address"),
            ):
                recent = self._recent(key, now)
                if len(recent) >= limit:
                    wait = recent[len(recent) - limit] + self.window - now
                    return Blocked(reason, wait)
        return None

    def failed(self, username: str, address: str) -> None:
        now = self.clock()
        with self._lock:
            for key in (_user_key(username), _address_key(address)):
                self._recent(key, now).append(now)
            if len(self._failures) > _SWEEP_ABOVE:
                self._sweep(now)

    def succeeded(self, username: str) -> None:
        with self._lock:
            self._failures.pop(_user_key(username), None)

    def _recent(self, key: str, now: float) -> deque[float]:
        times = self._failures.setdefault(key, deque())
        while times and times[0] <= now - self.window:
            times.popleft()
        return times

    def _sweep(self, now: float) -> None:
        stale = [k for k, t in self._failures.items() if not t or t[-1] <= now - self.window]
        for key in stale:
            del self._failures[key]


def _user_key(username: str) -> str:
    # Case and surrounding spaces must not buy extra guesses at the same login.
    return "user:" + username.strip().casefold()


def _address_key(address: str) -> str:
    return "addr:" + address
