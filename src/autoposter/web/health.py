"""``GET /healthz``: the process answers and its database does too (for load balancers)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from sqlalchemy import text

from ..accounts import Context

router = APIRouter()


@router.get("/healthz")
async def healthz(request: Request) -> JSONResponse:
    ctx: Context = request.app.state.ctx
    try:
        await run_in_threadpool(_ping, ctx)
    except Exception as exc:
        message = f"the database does not answer ({type(exc).__name__}): check DATABASE_URL"
        return JSONResponse({"status": "error", "error": message}, status_code=503)
    return JSONResponse({"status": "ok"})


def _ping(ctx: Context) -> None:
    with ctx.db.session() as session:
        session.execute(text("SELECT 1"))
