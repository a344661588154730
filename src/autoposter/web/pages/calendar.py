"""The calendar: a month grid or a week of days, in the user's time zone.

A post sits on the day its time (when it goes, or went, out; when it was composed if it has
no time yet) falls on the user's wall clock, so a post at 23:30 UTC is on the next day in
Tokyo. Only the visible range is queried, through the keyset-paginated post list, and at
most :data:`MOST_POSTS` posts are placed.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from starlette.responses import Response

from ...accounts import Context
from ...posts import PostView, list_posts_page
from ...store.models import User
from .post_display import status_label
from .render import render, worker_banner
from .session import SignedInUser, app_context

router = APIRouter()

MOST_POSTS = 500  # about 16 a day in a month: past that, the list reads better
PAGE = 200
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


@dataclass(frozen=True)
class Placed:
    """A post on the calendar, at its local wall-clock time."""

    post: PostView
    local: datetime

    @property
    def status_text(self) -> str:
        return status_label(self.post.status)

    @property
    def label(self) -> str:
        text = self.post.title or self.post.description
        if text:
            return text if len(text) <= 60 else text[:59] + "…"
        return "Video" if self.post.kind == "video" else "Photo post"


@dataclass
class Day:
    day: date
    in_range: bool
    today: bool
    posts: list[Placed] = field(default_factory=list)


@router.get("/calendar")
async def calendar_page(
    request: Request, user: SignedInUser, view: str = "month", date: str = ""
) -> Response:
    page = await run_in_threadpool(_calendar, app_context(request), user, view, date)
    return render(request, "calendar.html", page, status_code=400 if page["problem"] else 200)


def _calendar(ctx: Context, user: User, view: str, wanted: str) -> dict[str, Any]:
    zone = ZoneInfo(user.time_zone or "UTC")
    today = ctx.now().astimezone(zone).date()
    view = "week" if view == "week" else "month"
    anchor, problem = _anchor(wanted, today)
    first, last, previous, following = _span(view, anchor)
    days = [
        Day(first + timedelta(days=i), _in_range(view, anchor, first + timedelta(days=i)), False)
        for i in range((last - first).days + 1)
    ]
    for day in days:
        day.today = day.day == today
    placed, capped = _posts_between(ctx, user, first, last, zone)
    by_day: dict[date, list[Placed]] = defaultdict(list)
    for item in placed:
        by_day[item.local.date()].append(item)
    for day in days:
        day.posts = sorted(by_day.get(day.day, []), key=lambda p: (p.local, p.post.id))
    return {
        **worker_banner(ctx),
        "view": view,
        "anchor": anchor,
        "title": _title(view, first, last, anchor),
        "days": days,
        "weeks": [days[i : i + 7] for i in range(0, len(days), 7)],
        "weekdays": WEEKDAYS,
        "links": {
            "previous": _link(view, previous),
            "next": _link(view, following),
            "today": _link(view, today),
            "week": _link("week", anchor),
            "month": _link("month", anchor),
        },
        "capped": capped,
        "problem": problem,
        "count": len(placed),
    }


def _anchor(wanted: str, today: date) -> tuple[date, str | None]:
    if not wanted.strip():
        return today, None
    try:
        return date.fromisoformat(wanted.strip()), None
    except ValueError:
        return today, f"{wanted!r} is not a date: use YYYY-MM-DD. Showing today instead."


def _span(view: str, anchor: date) -> tuple[date, date, date, date]:
    """The first and last day shown (whole weeks from Monday), and the previous and next
    anchors."""
    if view == "week":
        first = anchor - timedelta(days=anchor.weekday())
        return (
            first,
            first + timedelta(days=6),
            anchor - timedelta(days=7),
            anchor + timedelta(days=7),
        )
    month_start = anchor.replace(day=1)
    next_month = (month_start + timedelta(days=32)).replace(day=1)
    month_end = next_month - timedelta(days=1)
    previous_month = (month_start - timedelta(days=1)).replace(day=1)
    first = month_start - timedelta(days=month_start.weekday())
    last = month_end + timedelta(days=6 - month_end.weekday())
    return first, last, previous_month, next_month


def _in_range(view: str, anchor: date, day: date) -> bool:
    return view == "week" or (day.year, day.month) == (anchor.year, anchor.month)


def _title(view: str, first: date, last: date, anchor: date) -> str:
    if view == "month":
        return anchor.strftime("%B %Y")
    if first.month == last.month:
        return f"{first.day}–{last.day} {last.strftime('%B %Y')}"
    return f"{first.strftime('%d %b')} – {last.strftime('%d %b %Y')}"


def _link(view: str, anchor: date) -> str:
    return "/calendar?" + urlencode({"view": view, "date": anchor.isoformat()})


def _posts_between(
    ctx: Context, user: User, first: date, last: date, zone: ZoneInfo
) -> tuple[list[Placed], bool]:
    """The posts whose local day is within [first, last]: only that range is queried."""
    since = datetime.combine(first, time(0), zone).astimezone(UTC)
    until = datetime.combine(last + timedelta(days=1), time(0), zone).astimezone(UTC)
    found: list[Placed] = []
    cursor = None
    while len(found) < MOST_POSTS:
        page = list_posts_page(ctx, user, since=since, until=until, limit=PAGE, cursor=cursor)
        for post in page.items:
            found.append(Placed(post, (post.publish_at or post.created_at).astimezone(zone)))
        cursor = page.next_cursor
        if cursor is None:
            return found, False
    return found[:MOST_POSTS], True
