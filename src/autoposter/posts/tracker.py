"""Posts waiting for their next status poll, kept by the worker process instead of a thread.

Between TikTok's acceptance of a post and its final word the pipeline mostly waits: a
second before the first status poll, then longer between polls (§4.7). A worker thread
that slept through those waits would be held a second or more per post, and a worker's
threads are few: they would cap how many posts a second it sends, however fast TikTok and
the database are. So a worker process has one :class:`Tracker`: a run that has to wait
for its next poll hands itself over and its thread takes the next task; when the poll is
due, one of the tracker's few threads carries the run on.

A run keeps its post's lease while it waits here (its lease keeper goes on renewing it), so
nothing else touches the post meanwhile; a process killed with SIGKILL loses its waiting
runs like its running ones, and the reconciler hands their posts out again once their
leases run out. :meth:`Tracker.stop` gives the waiting runs back at once instead.
"""

from __future__ import annotations

import heapq
import itertools
import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

log = logging.getLogger("autoposter.posts")

THREADS = 8


@dataclass(order=True)
class _Waiting:
    due: float  # time.monotonic()
    seq: int
    resume: Callable[[], object] = field(compare=False)
    give_back: Callable[[], object] = field(compare=False)


class Tracker:
    """Runs waiting until a moment (``time.monotonic()``), then resumed on a small pool."""

    def __init__(self, threads: int = THREADS) -> None:
        self._waiting: list[_Waiting] = []
        self._seq = itertools.count()
        self._changed = threading.Condition()
        self._stopped = False
        self._pool = ThreadPoolExecutor(threads, thread_name_prefix="tracker")
        self._thread = threading.Thread(target=self._run, name="tracker", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def wait(
        self, due: float, resume: Callable[[], object], give_back: Callable[[], object]
    ) -> bool:
        """Call ``resume`` (on the tracker's pool) once ``due`` has come, or ``give_back`` if
        the tracker stops first. False if it has stopped already: the caller keeps the run."""
        with self._changed:
            if self._stopped:
                return False
            heapq.heappush(self._waiting, _Waiting(due, next(self._seq), resume, give_back))
            self._changed.notify()
        return True

    def waiting(self) -> int:
        with self._changed:
            return len(self._waiting)

    def stop(self) -> None:
        """Give every waiting run back, and let the ones being resumed finish."""
        with self._changed:
            self._stopped = True
            left, self._waiting = self._waiting, []
            self._changed.notify()
        if self._thread.is_alive():
            self._thread.join(timeout=5)
        for waiting in left:
            _safely(waiting.give_back)
        self._pool.shutdown(wait=True)

    def _run(self) -> None:
        with self._changed:
            while not self._stopped:
                now = time.monotonic()
                if self._waiting and self._waiting[0].due <= now:
                    due = heapq.heappop(self._waiting)
                    self._pool.submit(_safely, due.resume)
                    continue
                timeout = self._waiting[0].due - now if self._waiting else None
                self._changed.wait(timeout)


def _safely(work: Callable[[], object]) -> None:
    try:
        work()
    except Exception:  # a run handles its own errors; this is the last guard of the thread
        log.exception("a post waiting for TikTok's status failed")
