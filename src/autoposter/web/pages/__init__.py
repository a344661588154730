"""The dashboard: server-rendered pages (FastAPI + Jinja2), usable without JavaScript.

Each feature has its module with an ``APIRouter`` named ``router``; :func:`install` adds
them all, the static files, and the answers for "sign in first" and a failed CSRF check.
"""

from __future__ import annotations

from importlib import import_module
from pathlib import Path
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.staticfiles import StaticFiles
from starlette.responses import RedirectResponse, Response

from .render import render
from .session import CsrfFailed, SignInRequired

STATIC = Path(__file__).resolve().parent.parent / "static"

# Feature modules, in the order their routes are matched. Each defines ``router``.
PAGE_MODULES: tuple[str, ...] = ()


def install(app: FastAPI) -> None:
    app.mount("/static", StaticFiles(directory=str(STATIC)), name="static")
    for name in PAGE_MODULES:
        app.include_router(import_module(f"{__name__}.{name}").router)
    app.add_exception_handler(SignInRequired, _to_sign_in)
    app.add_exception_handler(CsrfFailed, _csrf_failed)


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
