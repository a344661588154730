"""``create_app(ctx)``: the web app of one process, on the services' shared Context."""

from __future__ import annotations

from fastapi import FastAPI

from ..accounts import Context
from ..tiktok import ReplayGuard
from . import health, media, pages, webhooks


def create_app(ctx: Context, *, replay_guard: ReplayGuard | None = None) -> FastAPI:
    """The app; ``replay_guard`` remembers accepted webhook deliveries (one per process
    by default, so each delivery is handled once however often it is replayed)."""
    app = FastAPI(title="Autoposter", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.ctx = ctx
    app.state.replay_guard = replay_guard or ReplayGuard()
    for module in (health, webhooks, media):
        app.include_router(module.router)
    pages.install(app)
    return app


def context_of(app: FastAPI) -> Context:
    ctx = app.state.ctx
    assert isinstance(ctx, Context)
    return ctx
