"""``GET /healthz`` and ``GET /readyz`` for load balancers and orchestrators.

``/healthz``: the process answers and its database does too. ``/readyz``: it can do its
work — the database *and* the queue (``QUEUE_URL``: the SQLite file, Redis or PostgreSQL
that tells workers which post to send) answer; otherwise 503, naming which one does not.

``/readyz`` also says how many workers are alive (their heartbeat, ``posts/workers.py``),
with a warning when none is. That never makes it 503: the web process is ready to serve
the dashboard and the API whether or not workers run, and an orchestrator must not take it
out of rotation (or restart it) for a worker's absence. Monitoring reads the number here or
``autoposter_workers_alive`` on ``/metrics``; the CLI reads it before leaving a post queued.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from huey import Huey
from sqlalchemy import text

from ..accounts import Context
from ..jobs import huey_for
from ..posts.workers import NO_WORKER, count_alive_workers

router = APIRouter()

# A check that hangs (a firewalled host) must not hang the probe: it counts as down.
CHECK_TIMEOUT = 5.0


@router.get("/healthz")
async def healthz(request: Request) -> JSONResponse:
    ctx: Context = request.app.state.ctx
    problem = await _problem(lambda: _ping(ctx), "the database", "DATABASE_URL")
    if problem:
        return JSONResponse({"status": "error", "error": problem}, status_code=503)
    return JSONResponse({"status": "ok"})


@router.get("/readyz")
async def readyz(request: Request) -> JSONResponse:
    ctx: Context = request.app.state.ctx
    checks = {
        "database": await _problem(lambda: _ping(ctx), "the database", "DATABASE_URL"),
        "queue": await _problem(
            lambda: queue_of(request).pending_count(), "the queue", "QUEUE_URL"
        ),
    }
    ready = not any(checks.values())
    body = {
        "status": "ok" if ready else "error",
        "checks": {name: problem or "ok" for name, problem in checks.items()},
        "workers": await _workers(ctx, checks["database"]),
    }
    return JSONResponse(body, status_code=200 if ready else 503)


async def _workers(ctx: Context, database_problem: str | None) -> dict[str, Any]:
    """``{"alive": N}``, with a ``warning`` when N is 0 or cannot be known (never a 503:
    see the module docstring)."""
    alive: list[int] = []
    problem = database_problem or await _problem(
        lambda: alive.append(count_alive_workers(ctx)), "the database", "DATABASE_URL"
    )
    if problem:
        return {"alive": None, "warning": f"cannot tell whether a worker runs: {problem}"}
    if not alive[0]:
        return {"alive": 0, "warning": NO_WORKER}
    return {"alive": alive[0]}


def queue_of(request: Request) -> Huey:
    """The queue ``QUEUE_URL`` names, opened on first use and kept for the app's life."""
    queue = getattr(request.app.state, "queue", None)
    if queue is None:
        settings = request.app.state.ctx.settings
        queue = huey_for(settings.queue_url, name=settings.queue_name)
        request.app.state.queue = queue
    assert isinstance(queue, Huey)
    return queue


async def _problem(check: Callable[[], object], what: str, setting: str) -> str | None:
    """None when ``check`` passes in time, else what is wrong and where to look."""
    try:
        await asyncio.wait_for(run_in_threadpool(check), CHECK_TIMEOUT)
    except TimeoutError:
        return f"{what} did not answer within {CHECK_TIMEOUT:.0f} s: check {setting}"
    except Exception as exc:
        return f"{what} does not answer ({type(exc).__name__}): check {setting}"
    return None


def _ping(ctx: Context) -> None:
    with ctx.db.session() as session:
        session.execute(text("SELECT 1"))
