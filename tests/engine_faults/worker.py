"""``autoposter worker`` for the fault and crash runs: ``python -m tests.engine_faults.worker``.

It runs the CLI's own ``worker`` command (settings from the environment, logging, the
Context, :func:`autoposter.jobs.run_worker`). The runs' short timings are ordinary settings
(``AUTOPOSTER_ENGINE_*``, see fleet.py); one thing is patched in that the command has no
option for, read from the environment:

- ``AUTOPOSTER_TEST_CLOCK``: ``"<real epoch>,<engine epoch>,<scale>"``, a clock running
  ``scale`` times faster than real time, as the sandbox's does (see :class:`ScaledClock`).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable

from autoposter import cli
from autoposter.accounts import Context
from autoposter.cli import runtime
from autoposter.config import Settings
from tests.engine_faults.clock import ScaledClock

CLOCK_ENV = "AUTOPOSTER_TEST_CLOCK"


def patch_clock() -> None:
    raw = os.environ.get(CLOCK_ENV)
    if not raw:
        return
    clock = ScaledClock.parse(raw)
    open_context: Callable[[Settings], Context] = runtime.open_context

    def open_with_clock(settings: Settings) -> Context:
        ctx = open_context(settings)
        ctx.clock = clock  # before first use: the TikTok client is made with this clock
        return ctx

    runtime.open_context = open_with_clock  # the worker command imports it when it runs


def main() -> None:
    patch_clock()
    cli.app(args=["worker", *sys.argv[1:]], prog_name="autoposter")


if __name__ == "__main__":
    main()
