"""200 posts over 20 accounts while the sandbox misbehaves in every way the issue lists: 5xx
answers, connections reset in mid-upload, 429 bursts, access tokens dying early, and
processing that never ends. Every post ends published exactly once or failed with a reason,
and the sandbox's inspection API confirms that no content was published twice.

Ten posts per account is two minutes of TikTok's init limit (§6), so the run happens on a
clock six times faster than real time: the sandbox's (``clock_scale``) and the engine's
(``Context.clock``, in every process) run together (see clock.py).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from autoposter.posts import Timings
from autoposter.sandbox import RunningSandbox
from tests.engine_faults.conftest import MakeRun
from tests.engine_faults.fleet import (
    compose_all,
    distinct_videos,
    end_state_problems,
    posts_of,
    summary,
    wait_until_final,
)
from tests.tiktok.support import publishes, set_faults

POSTS = 200
ACCOUNTS = 20
SCALE = 6.0
SEED = 5

# Lease, backoff and poll_later are on the engine's (scaled) clock; renew_every and the
# poll_* waits are real seconds. A post TikTok never finishes processing is given up after
# PROCESSING_TIMEOUT seconds (engine clock) with a reason.
FAULT_TIMINGS = Timings(
    lease_seconds=20.0,
    renew_every=1.0,
    retry_base=2.0,
    retry_max=16.0,
    poll_first=0.1,
    poll_max=0.5,
    poll_hold=2.0,
    poll_later=2.0,
)
PROCESSING_TIMEOUT = 60

# Always on once the workers start (rates per request, drawn from the sandbox's seed).
STEADY_FAULTS = {"error_5xx_rate": 0.05, "upload_reset_rate": 0.2, "token_early_expiry_rate": 0.05}
BURST_429 = 20


def invalidate_tokens(sandbox: RunningSandbox) -> None:
    """Every creator's access token stops working now, long before its expires_in."""
    response = httpx.post(f"{sandbox.url}/sandbox/api/tokens/invalidate", json={})
    assert response.status_code == 200, response.text
    assert response.json()["invalidated"] == ACCOUNTS


def uploads_complete(sandbox: RunningSandbox) -> int:
    """Publishes with their bytes in (these small videos go in one chunk)."""
    return sum(p["uploaded_bytes"] > 0 for p in publishes(sandbox))


def stick_processing(sandbox: RunningSandbox) -> None:
    """Processing that never ends, for as long as it takes a few uploads to finish under it."""
    before = uploads_complete(sandbox)
    set_faults(sandbox, stuck_processing=True)
    deadline = time.monotonic() + 5.0
    while uploads_complete(sandbox) < before + 3 and time.monotonic() < deadline:
        time.sleep(0.05)
    # Processing concludes processing_delay after the last byte: let those conclude stuck.
    time.sleep(sandbox.world.clock.real_seconds(sandbox.world.config.processing_delay) + 0.3)
    set_faults(sandbox, stuck_processing=False)


@dataclass
class Chaos:
    """The fault schedule, in real seconds after the workers started, run in a thread."""

    steps: list[tuple[float, Callable[[], None]]]
    error: BaseException | None = None

    def __post_init__(self) -> None:
        self._thread = threading.Thread(target=self._play, name="chaos", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def join(self) -> None:
        self._thread.join(timeout=30)
        if self.error is not None:
            raise self.error

    def _play(self) -> None:
        started = time.monotonic()
        try:
            for at, action in self.steps:
                time.sleep(max(0.0, started + at - time.monotonic()))
                action()
        except BaseException as exc:  # reported by join() in the test's thread
            self.error = exc


def fault_schedule(sandbox: RunningSandbox) -> Chaos:
    def burst() -> None:
        set_faults(sandbox, rate_limit_burst=BURST_429)

    # The second half of the posts goes out one pacing window (62 s of engine clock) after
    # the first half: the second round of faults is timed for it.
    second = 62.0 / SCALE
    return Chaos(
        [
            (0.0, lambda: set_faults(sandbox, **STEADY_FAULTS)),
            (1.5, burst),
            (2.5, lambda: stick_processing(sandbox)),
            (4.0, lambda: invalidate_tokens(sandbox)),
            (second - 1.0, burst),
            (second + 0.5, lambda: invalidate_tokens(sandbox)),
            (second + 1.0, lambda: stick_processing(sandbox)),
            (second + 2.0, burst),
        ],
    )


@pytest.mark.timeout(180)
def test_every_post_ends_published_once_or_failed_with_a_reason_whatever_tiktok_does(
    make_run: MakeRun, base_video: Path, tmp_path: Path
) -> None:
    run = make_run(
        creators=ACCOUNTS,
        timings=FAULT_TIMINGS,
        reconcile_every=1.0,
        delivery_grace=32.0,
        threads=8,
        webhooks=True,
        settings={"processing_timeout": str(PROCESSING_TIMEOUT)},
        clock_scale=SCALE,
        processing_delay=2.0,
        seed=SEED,
    )
    videos = distinct_videos(base_video, tmp_path / "videos", POSTS)
    post_ids = compose_all(run.ctx, run.user, run.account_ids, videos)
    chaos = fault_schedule(run.sandbox)
    run.start_workers()
    chaos.start()
    chaos.join()
    wait_until_final(run.ctx, post_ids, 90, run.workers)
    run.stop_workers()

    posts = posts_of(run.ctx, post_ids)
    found = publishes(run.sandbox)
    print(summary(posts, found))
    assert run.sandbox.world.limiter.burst_remaining == 0, "the 429 bursts were not all met"
    stuck = [p for p in found if p["status"] == "PROCESSING_UPLOAD" and p["uploaded_bytes"]]
    assert stuck, "no publish got stuck in processing: the fault never happened"
    problems = end_state_problems(posts, found)
    assert not problems, "\n".join(problems) + "\n" + run.worker_logs()
