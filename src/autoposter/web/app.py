"""``create_app(ctx)``: the web app of one process, on the services' shared Context."""

from __future__ import annotations

from fastapi import FastAPI

from ..accounts import Context
from ..tiktok import ReplayGuard
from . import api, health, media, metrics, pages, webhooks


def create_app(ctx: Context, *, replay_guard: ReplayGuard | None = None) -> FastAPI:
    """The app; ``replay_guard`` remembers accepted webhook deliveries (one per process
    by default, so each delivery is handled once however often it is replayed)."""
    app = FastAPI(
        title="Autoposter",
        summary="Publish to TikTok through its official APIs: the REST API (/api/v1).",
        version="1",
        docs_url="/docs",
        redoc_url=None,
        openapi_url="/openapi.json",
    )
    app.state.ctx = ctx
    app.state.replay_guard = replay_guard or ReplayGuard()
    for module in (health, metrics, webhooks, media):
        app.include_router(module.router, include_in_schema=False)
    api.install(app)
    pages.install(app)
    return app


def context_of(app: FastAPI) -> Context:
    ctx = app.state.ctx
    assert isinstance(ctx, Context)
    return ctx
