"""The dashboard: server-rendered pages (FastAPI + Jinja2), usable without JavaScript.

Each feature has its module with an ``APIRouter`` named ``router``; :func:`install` adds
them all, the static files, and the answers for "sign in first" and a failed CSRF check.
"""

from __future__ import annotations

from importlib import import_module
from pathlib import Path
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exception_handlers import (
    http_exception_handler,
    request_validation_exception_handler,
)
from fastapi.exceptions import RequestValidationError
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import RedirectResponse, Response

from .render import render
from .session import CsrfFailed, SignInRequired

STATIC = Path(__file__).resolve().parent.parent / "static"
# Paths whose callers are programs: their errors stay JSON, as FastAPI writes them.
MACHINE_PATHS = ("/api/", "/webhooks/", "/media/", "/healthz", "/readyz", "/metrics", "/docs")
_ERROR_TITLES = {
    404: ("Not found", "There is nothing here. Check the address, or go back to your posts."),
    405: ("Not possible", "This page cannot do that. Go back and use its buttons."),
    413: ("Too large", "The upload is larger than this installation takes: choose a smaller file."),
}

# Feature modules, in the order their routes are matched. Each defines ``router``.
PAGE_MODULES: tuple[str, ...] = (
    "auth",
    "accounts",
    "history",
    "settings",
    "legal",
    "compose",
    "posts",
    "post_edit",
    "calendar",
)


def install(app: FastAPI) -> None:
    app.mount("/static", StaticFiles(directory=str(STATIC)), name="static")
    for name in PAGE_MODULES:
        # Pages are for people; the OpenAPI schema describes the REST API only.
        app.include_router(import_module(f"{__name__}.{name}").router, include_in_schema=False)
    app.add_exception_handler(SignInRequired, _to_sign_in)
    app.add_exception_handler(CsrfFailed, _csrf_failed)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _bad_request)
    app.add_api_route("/favicon.ico", _favicon, include_in_schema=False)


async def _to_sign_in(request: Request, exc: Exception) -> Response:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"/signin?next={quote(target)}", status_code=303)


async def _csrf_failed(request: Request, exc: Exception) -> Response:
    return render(
        request,
        "error.html",
        {
            "title": "This form has expired",
            "message": "The page was open too long or came from another site. "
            "Go back, reload the page and try again.",
        },
        status_code=403,
    )


def _for_people(request: Request) -> bool:
    return not request.url.path.startswith(MACHINE_PATHS)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    if not _for_people(request):
        return await http_exception_handler(request, exc)
    title, message = _ERROR_TITLES.get(
        exc.status_code, ("Something went wrong", "Go back and try again.")
    )
    return render(
        request,
        "error.html",
        {"title": title, "message": message, "action_url": "/", "action_label": "Home"},
        status_code=exc.status_code,
    )


async def _bad_request(request: Request, exc: Exception) -> Response:
    """A page address or form the app cannot read (e.g. a word where a post id goes)."""
    assert isinstance(exc, RequestValidationError)
    if not _for_people(request):
        return await request_validation_exception_handler(request, exc)
    return render(
        request,
        "error.html",
        {
            "title": "This address or form is not right",
            "message": "Part of it could not be read. Go back and try again from the page's links.",
            "action_url": "/",
            "action_label": "Home",
        },
        status_code=422 if request.method != "GET" else 404,
    )


async def _favicon() -> Response:
    return Response(FAVICON, media_type="image/svg+xml", headers={"Cache-Control": "max-age=86400"})


FAVICON = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32">'
    '<rect width="32" height="32" rx="7" fill="#fe2c55"/>'
    '<path d="M11 22l5-12 5 12M13 18h6" stroke="#fff" stroke-width="2.5" fill="none" '
    'stroke-linecap="round" stroke-linejoin="round"/></svg>'
)
