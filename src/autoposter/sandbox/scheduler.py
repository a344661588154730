"""Timed events on the sandbox clock (processing, moderation, webhook retries).

A ticker on the server's event loop runs whatever has come due, so advancing the clock
makes pending events happen at the next tick without anyone sleeping.
"""

from __future__ import annotations

import asyncio
import heapq
import inspect
import itertools
import logging
from collections.abc import Awaitable, Callable

from .clock import Clock

log = logging.getLogger("autoposter.sandbox")

Callback = Callable[[], Awaitable[None] | None]

TICK_SECONDS = 0.02


class Scheduler:
    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._heap: list[tuple[float, int, Callback]] = []
        self._counter = itertools.count()
        self._running: set[asyncio.Task[None]] = set()
        self._loop: asyncio.AbstractEventLoop | None = None

    def on_own_loop(self) -> bool:
        """True when called from the event loop that runs this scheduler.

        Another library's loop can be marked running in the caller's thread (a synchronous
        browser driver does that), so "some loop is running" is not enough to schedule work.
        """
        try:
            return self._loop is not None and asyncio.get_running_loop() is self._loop
        except RuntimeError:
            return False

    def at(self, when: float, callback: Callback) -> None:
        heapq.heappush(self._heap, (when, next(self._counter), callback))

    def after(self, delay: float, callback: Callback) -> None:
        self.at(self._clock.now() + delay, callback)

    def pending(self) -> int:
        return len(self._heap)

    async def run_due(self) -> None:
        now = self._clock.now()
        while self._heap and self._heap[0][0] <= now:
            _, _, callback = heapq.heappop(self._heap)
            try:
                result = callback()
                if inspect.isawaitable(result):
                    # Run awaitables (webhook deliveries) concurrently; keep a reference.
                    task = asyncio.ensure_future(result)
                    self._running.add(task)
                    task.add_done_callback(self._running.discard)
            except Exception:
                log.exception("sandbox event failed")

    async def run_forever(self) -> None:
        self._loop = asyncio.get_running_loop()
        while True:
            await self.run_due()
            await asyncio.sleep(TICK_SECONDS)

    async def drain(self) -> None:
        if self._running:
            await asyncio.gather(*self._running, return_exceptions=True)
