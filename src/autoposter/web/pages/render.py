"""Rendering dashboard pages: one Jinja2 environment, the layout's context, flash notices.

Every page goes through :func:`render`, which gives templates the signed-in user, the CSRF
token (and sets the visitor's CSRF cookie when it was just issued), the notice carried over
from the previous redirect, and the ``local`` filter that shows a UTC time on the user's
wall clock. Pages about posts going out add :func:`worker_banner` to their context: the
layout then says so when no worker runs to send them.
"""

from __future__ import annotations

import time
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote
from weakref import WeakKeyDictionary

from fastapi import Request
from fastapi.templating import Jinja2Templates
from starlette.responses import HTMLResponse, RedirectResponse, Response

from ...accounts import Context
from ...posts.compose import format_local_time
from ...posts.workers import count_alive_workers
from ...store import Database
from .session import csrf_token, set_csrf_cookie

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
NOTICE_COOKIE = "autoposter_notice"

templates = Jinja2Templates(directory=str(TEMPLATES))


def local_time(moment: datetime | None, zone: str = "UTC") -> str:
    """A stored UTC time as the person reads it, e.g. ``2026-12-01 18:00`` (the ``local``
    filter; pages that work out their texts before rendering call it directly)."""
    if moment is None:
        return ""
    return format_local_time(moment, zone or "UTC")


templates.env.filters["local"] = local_time


# The banner's count is reused this long per database: asking on every page would add a
# query to each (a third of the posts list's reads, bench/web.py), and a worker only counts
# as gone a minute after its last beat anyway.
BANNER_COUNT_SECONDS = 5.0
_alive_counts: WeakKeyDictionary[Database, tuple[float, int]] = WeakKeyDictionary()


def worker_banner(ctx: Context) -> dict[str, bool]:
    """``no_worker`` for the layout's banner: no worker's heartbeat is fresh, so confirmed
    posts wait (call it in the page's database thread)."""
    now = time.monotonic()
    expires, alive = _alive_counts.get(ctx.db, (0.0, 0))
    if expires <= now:
        alive = count_alive_workers(ctx)
        _alive_counts[ctx.db] = (now + BANNER_COUNT_SECONDS, alive)
    return {"no_worker": alive == 0}


def render(
    request: Request,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    status_code: int = 200,
) -> HTMLResponse:
    user = getattr(request.state, "user", None)
    page: dict[str, Any] = {
        "user": user,
        "zone": getattr(user, "time_zone", None) or "UTC",
        "csrf_token": csrf_token(request),
        "notice": _notice(request),
        **(context or {}),
    }
    response = templates.TemplateResponse(request, template, page, status_code=status_code)
    set_csrf_cookie(request, response)
    if page["notice"]:
        response.delete_cookie(NOTICE_COOKIE, path="/")
    return response


def redirect(url: str, notice: str | None = None, *, kind: str = "ok") -> RedirectResponse:
    """303 to ``url`` (after a POST), carrying a one-time notice shown on the next page."""
    response = RedirectResponse(url, status_code=303)
    if notice:
        set_notice(response, notice, kind=kind)
    return response


def set_notice(response: Response, notice: str, *, kind: str = "ok") -> None:
    response.set_cookie(
        NOTICE_COOKIE, quote(f"{kind}:{notice}"), max_age=60, httponly=True, samesite="lax"
    )


def _notice(request: Request) -> dict[str, str] | None:
    raw = request.cookies.get(NOTICE_COOKIE)
    if not raw:
        return None
    kind, _, text = unquote(raw).partition(":")
    return {"kind": kind if kind in ("ok", "error", "warning") else "ok", "text": text[:500]}
