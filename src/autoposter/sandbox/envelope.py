"""Response shapes: the v2 envelope (§0.2) and the flat OAuth error (§1.9)."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse

from .errors import ApiError, OAuthError
from .state import World


def world_of(request: Request) -> World:
    world: World = request.app.state.world
    return world


def envelope(
    world: World,
    data: dict[str, Any] | None,
    *,
    status: int = 200,
    code: str = "ok",
    message: str = "",
    include_data: bool = True,
) -> JSONResponse:
    log_id = world.log_id()
    body: dict[str, Any] = {}
    if include_data:
        body["data"] = data if data is not None else {}
    body["error"] = {"code": code, "message": message, "log_id": log_id}
    return JSONResponse(body, status_code=status, headers={"x-tt-logid": log_id})


def api_error_response(world: World, exc: ApiError) -> JSONResponse:
    return envelope(world, {}, status=exc.status, code=exc.code, message=exc.message)


def oauth_error_response(world: World, exc: OAuthError) -> JSONResponse:
    log_id = world.log_id()
    status = 200 if world.config.oauth_errors_on_200 else exc.status
    body = {"error": exc.error, "error_description": exc.description, "log_id": log_id}
    return JSONResponse(body, status_code=status, headers={"x-tt-logid": log_id})
