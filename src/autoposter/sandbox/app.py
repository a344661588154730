"""The sandbox ASGI app: one port serving OAuth, Display, Content Posting and uploads."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from . import display, inspection, oauth, posting, upload
from .config import SandboxConfig
from .envelope import api_error_response, oauth_error_response
from .errors import ApiError, OAuthError
from .faults import FaultMiddleware
from .state import World


def create_app(config: SandboxConfig | None = None, world: World | None = None) -> FastAPI:
    world = world or World(config or SandboxConfig())

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        ticker = asyncio.create_task(world.scheduler.run_forever())
        try:
            yield
        finally:
            ticker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await ticker
            await world.scheduler.drain()

    app = FastAPI(
        title="Autoposter TikTok sandbox",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )
    app.state.world = world

    @app.exception_handler(ApiError)
    async def _api_error(request: Request, exc: ApiError) -> JSONResponse:
        return api_error_response(world, exc)

    @app.exception_handler(OAuthError)
    async def _oauth_error(request: Request, exc: OAuthError) -> JSONResponse:
        return oauth_error_response(world, exc)

    for module in (oauth, display, posting, upload, inspection):
        app.include_router(module.router)
    app.add_middleware(FaultMiddleware, world=world)
    return app
