"""The REST API, ``/api/v1``: thin adapters over the account and post services.

Bearer API tokens (:mod:`.auth`); the services' ownership rules (another user's object is a
404, exactly like a missing one); every error as JSON with a stable code (:mod:`.errors`).
The OpenAPI schema is at ``/openapi.json``, Swagger UI at ``/docs``.
"""

from __future__ import annotations

import re

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from . import accounts, me, media, posts
from .errors import ApiError, api_router, error_response

PREFIX = "/api/v1"

router = api_router(prefix=PREFIX)
for _module in (me, accounts, media, posts):
    router.include_router(_module.router)


@router.api_route(
    "/{rest:path}",
    methods=["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"],
    include_in_schema=False,
)
async def no_such_endpoint(request: Request, rest: str) -> JSONResponse:
    """Anything else under /api/v1: JSON like every other API answer, never an HTML page."""
    allowed = _methods_for(request)
    if allowed:
        return error_response(
            ApiError(
                405,
                "method_not_allowed",
                f"{request.method} is not possible here: use {', '.join(sorted(allowed))}.",
                headers={"Allow": ", ".join(sorted(allowed))},
            )
        )
    return error_response(
        ApiError(404, "not_found", f"There is no API endpoint {request.url.path}: see /docs.")
    )


def _methods_for(request: Request) -> set[str]:
    """The methods the API takes on this path (a wrong method is a 405, not a 404), read
    from the OpenAPI schema, which FastAPI builds once."""
    methods: set[str] = set()
    for template, operations in request.app.openapi()["paths"].items():
        pattern = re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(template))
        if re.fullmatch(pattern, request.url.path):
            methods |= {method.upper() for method in operations}
    return methods


def install(app: FastAPI) -> None:
    app.include_router(router)


__all__ = ["PREFIX", "install", "router"]
