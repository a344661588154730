"""Every failure of the REST API as one JSON shape with a stable code (the API contract)::

    {"error": {"code": "not_found", "message": "…what is wrong and what to do…",
               "fields": [{"field": "title", "message": "…"}]}}

The mapping lives in :class:`ApiRoute`, the route class of every ``/api/v1`` router, rather
than in app-wide exception handlers: the dashboard's pages answer their errors as HTML, and
the two must not step on each other. Services raise their own errors (``PostRejected``,
``NotFound`` …); this module is the one place that turns them into HTTP.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine, Sequence
from typing import Any

from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute, APIRouter
from pydantic import BaseModel, ValidationError
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from ...accounts import AccountsError, InvalidInput, NeedsReconnect, NotFound
from ...posts import (
    ConfirmationExpired,
    InvalidCursor,
    InvalidStatus,
    PostInputError,
    PostNotChangeable,
    PostNotFound,
    PostRejected,
    PostsError,
)
from ...posts.uploads import UnsupportedMedia, UploadNotFound, UploadTooLarge
from ...tiktok import OutcomeUnknown, PostingCapReached, RateLimited, TikTokError

log = logging.getLogger("autoposter.web")

# JSON bodies are small; a bigger one is refused before it is read into memory. Media go
# through multipart uploads, which have their own limit (Settings.upload_max_bytes).
MAX_JSON_BYTES = 1024 * 1024


class FieldProblem(BaseModel):
    field: str
    message: str


class ErrorDetail(BaseModel):
    code: str
    message: str
    fields: list[FieldProblem] | None = None


class ErrorBody(BaseModel):
    """The body of every error answer."""

    error: ErrorDetail


class ApiError(Exception):
    """An error the API answers as is: an HTTP status, a stable code and a message."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        fields: Sequence[tuple[str, str]] = (),
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.fields = list(fields)
        self.headers = headers


def invalid_input(field: str, message: str) -> ApiError:
    return ApiError(422, "invalid_input", f"{field}: {message}", [(field, message)])


def error_response(exc: Exception) -> JSONResponse:
    error = as_api_error(exc)
    detail: dict[str, Any] = {"code": error.code, "message": error.message}
    if error.fields:
        detail["fields"] = [{"field": f, "message": m} for f, m in error.fields]
    return JSONResponse({"error": detail}, status_code=error.status, headers=error.headers)


def as_api_error(exc: Exception) -> ApiError:
    """The answer to ``exc`` (see the module docstring); anything unknown is a 500."""
    if isinstance(exc, ApiError):
        return exc
    if isinstance(exc, RequestValidationError | ValidationError):
        return _validation_error(exc.errors())
    if isinstance(exc, PostsError):
        return _posts_error(exc)
    if isinstance(exc, AccountsError):
        return _accounts_error(exc)
    if isinstance(exc, TikTokError):
        return tiktok_error(exc)
    if isinstance(exc, InvalidCursor):
        return invalid_input("cursor", str(exc))
    if isinstance(exc, InvalidStatus):
        return invalid_input("status", str(exc))
    if isinstance(exc, PostInputError):
        return ApiError(422, "invalid_input", str(exc), [(e.field, e.message) for e in exc.errors])
    if isinstance(exc, HTTPException):
        return _http_error(exc)
    log.error("the API failed on an unexpected error", exc_info=exc)
    return ApiError(
        500,
        "internal_error",
        "Something went wrong on the server; nothing was changed by the failed step. Try "
        "again, and if it keeps failing, report it with the time it happened.",
    )


def _http_error(exc: HTTPException) -> ApiError:
    """FastAPI's own refusals; a body it cannot parse (400) is input like any other."""
    if exc.status_code == 400:
        return ApiError(
            422,
            "invalid_input",
            f"The request body cannot be read ({exc.detail}): send JSON encoded as UTF-8.",
        )
    code = {401: "unauthorized", 404: "not_found", 413: "too_large"}.get(exc.status_code)
    return ApiError(exc.status_code, code or "invalid_input", str(exc.detail))


def _validation_error(errors: Sequence[Any]) -> ApiError:
    fields = [(_location(e.get("loc", ())), str(e.get("msg", "is not valid"))) for e in errors]
    listed = "; ".join(f"{name}: {message}" for name, message in fields)
    return ApiError(422, "invalid_input", f"The request is not valid: {listed}", fields)


def _location(loc: Sequence[Any]) -> str:
    """``("body", "media_ids", 0)`` → ``media_ids[0]``; where it came from goes."""
    parts = list(loc)
    if parts and parts[0] in ("body", "query", "path", "header"):
        parts = parts[1:]
    name = ""
    for part in parts:
        name += f"[{part}]" if isinstance(part, int) else (f".{part}" if name else str(part))
    return name or "body"


def _posts_error(exc: PostsError) -> ApiError:
    if isinstance(exc, PostRejected):
        return ApiError(422, "post_rejected", str(exc), [(e.field, e.message) for e in exc.errors])
    simple: list[tuple[type[PostsError], int, str]] = [
        (PostNotFound, 404, "not_found"),
        (UploadNotFound, 404, "not_found"),
        (PostNotChangeable, 409, "not_changeable"),
        (ConfirmationExpired, 409, "confirmation_expired"),
        (UploadTooLarge, 413, "too_large"),
        (UnsupportedMedia, 415, "unsupported_media"),
    ]
    for kind, status, code in simple:
        if isinstance(exc, kind):
            return ApiError(status, code, str(exc))
    if isinstance(exc.__cause__, RateLimited):
        return ApiError(
            429,
            "rate_limited",
            "TikTok's rate limit for reading the account's current settings is used up "
            "(§6: 20 a minute per account), so the post was not saved: try again in a minute.",
            headers={"Retry-After": "60"},
        )
    if exc.retryable:
        return ApiError(503, "tiktok_unavailable", str(exc), headers={"Retry-After": "60"})
    return ApiError(409, "not_changeable", str(exc))


def _accounts_error(exc: AccountsError) -> ApiError:
    if isinstance(exc, NotFound):
        return ApiError(404, "not_found", str(exc))
    if isinstance(exc, InvalidInput):
        return ApiError(422, "invalid_input", str(exc))
    if isinstance(exc, NeedsReconnect):
        return ApiError(409, "needs_reconnect", str(exc))
    if exc.retryable:
        return ApiError(503, "tiktok_unavailable", str(exc), headers={"Retry-After": "60"})
    return ApiError(409, "tiktok_refused", str(exc))


def tiktok_error(exc: TikTokError) -> ApiError:
    """A refusal from TikTok on a call made for this request (creator_info)."""
    if isinstance(exc, RateLimited | PostingCapReached):
        return ApiError(429, "rate_limited", str(exc), headers={"Retry-After": "60"})
    if exc.needs_token_refresh or exc.needs_user:
        return ApiError(409, "needs_reconnect", str(exc))
    if exc.retryable or isinstance(exc, OutcomeUnknown):
        return ApiError(503, "tiktok_unavailable", str(exc), headers={"Retry-After": "60"})
    return ApiError(409, "tiktok_refused", str(exc))


class ApiRoute(APIRoute):
    """A route whose every failure (auth, validation, service errors) is answered in the
    API's JSON shape, and whose JSON body is bounded before it is read."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def guarded(request: Request) -> Response:
            try:
                _check_body_size(request)
                return await handler(request)
            except Exception as exc:  # the API never answers with a bare 500 page
                return error_response(exc)

        return guarded


def _check_body_size(request: Request) -> None:
    content_type = request.headers.get("content-type", "")
    if content_type.startswith("multipart/"):
        return  # streamed to disk against Settings.upload_max_bytes
    length = request.headers.get("content-length", "")
    if length.isdigit() and int(length) > MAX_JSON_BYTES:
        raise ApiError(
            413,
            "too_large",
            f"The request body is {int(length):,} bytes; JSON bodies are at most "
            f"{MAX_JSON_BYTES:,}. Send media as multipart uploads (POST /api/v1/media).",
        )


def api_router(**options: Any) -> APIRouter:
    """A router for part of ``/api/v1``: its routes answer errors as JSON (ApiRoute)."""
    return APIRouter(route_class=ApiRoute, **options)


def responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The OpenAPI entries of the error answers an operation can give."""
    described = {
        401: "Missing, unknown or revoked API token (unauthorized).",
        404: "No such object among yours (not_found).",
        409: "The object is in a state that does not allow this (not_changeable, "
        "confirmation_expired, needs_reconnect, tiktok_refused).",
        413: "The body is larger than allowed (too_large).",
        415: "Not a video or a JPEG/WebP photo, or not a JSON or multipart body "
        "(unsupported_media).",
        422: "Input that cannot be read (invalid_input) or a post TikTok would refuse "
        "(post_rejected), with the fields concerned.",
        429: "TikTok's rate limit or posting cap (rate_limited).",
        503: "TikTok could not be reached; try again (tiktok_unavailable).",
    }
    wanted = (401, 422, *statuses)
    return {s: {"model": ErrorBody, "description": described[s]} for s in sorted(set(wanted))}
