"""``autoposter worker`` for the fault and crash runs: ``python -m tests.engine_faults.worker``.

It runs the CLI's own ``worker`` command (settings from the environment, logging, the
Context, :func:`autoposter.jobs.run_worker`), with three things patched in that the command
has no option for, each read from the environment:

- ``AUTOPOSTER_TEST_TIMINGS``: the pipeline's :class:`~autoposter.posts.Timings` as a JSON
  object (short leases, so the reconciler rescues a killed worker's posts within seconds);
- ``AUTOPOSTER_TEST_RECONCILE``: ``"<reconcile every s>,<delivery grace s>"``, how often the
  dispatcher reconciles and how long an enqueued post may wait before it is enqueued again
  (huey loses the task a worker dequeued when that worker is killed);
- ``AUTOPOSTER_TEST_CLOCK``: ``"<real epoch>,<engine epoch>,<scale>"``, a clock running
  ``scale`` times faster than real time, as the sandbox's does (see :class:`ScaledClock`).
"""

from __future__ import annotations

import functools
import json
import os
import sys
from collections.abc import Callable
from datetime import timedelta

from autoposter import cli, jobs
from autoposter.accounts import Context
from autoposter.config import Settings
from autoposter.posts import Timings, dispatch
from tests.engine_faults.clock import ScaledClock

TIMINGS_ENV = "AUTOPOSTER_TEST_TIMINGS"
RECONCILE_ENV = "AUTOPOSTER_TEST_RECONCILE"
CLOCK_ENV = "AUTOPOSTER_TEST_CLOCK"


def patch_timings() -> None:
    raw = os.environ.get(TIMINGS_ENV)
    if raw:
        timings = Timings(**json.loads(raw))
        jobs.build_engine = functools.partial(jobs.build_engine, timings=timings)  # type: ignore[assignment]
    reconcile = os.environ.get(RECONCILE_ENV)
    if reconcile:
        every, grace = (float(part) for part in reconcile.split(","))
        jobs.RECONCILE_EVERY = every
        dispatch.DELIVERY_GRACE = timedelta(seconds=grace)


def patch_clock() -> None:
    raw = os.environ.get(CLOCK_ENV)
    if not raw:
        return
    clock = ScaledClock.parse(raw)
    open_context: Callable[[Settings], Context] = cli._open_context

    def open_with_clock(settings: Settings) -> Context:
        ctx = open_context(settings)
        ctx.clock = clock  # before first use: the TikTok client is made with this clock
        return ctx

    cli._open_context = open_with_clock


def main() -> None:
    patch_timings()
    patch_clock()
    cli.app(args=["worker", *sys.argv[1:]], prog_name="autoposter")


if __name__ == "__main__":
    main()
