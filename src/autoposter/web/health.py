"""``GET /healthz`` and ``GET /readyz`` for load balancers and orchestrators.

``/healthz``: the process answers and its database does too. ``/readyz``: it can do its
work — the database *and* the queue (``QUEUE_URL``: the SQLite file, Redis or PostgreSQL
that tells workers which post to send) answer; otherwise 503, naming which one does not.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from huey import Huey
from sqlalchemy import text

from ..accounts import Context
from ..jobs import huey_for

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
    }
    return JSONResponse(body, status_code=200 if ready else 503)


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
