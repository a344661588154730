"""The posts list and a post's page: its status timeline, TikTok's reason when it failed, the
link to the live post, and, before it starts, edit and cancel.

The list is keyset-paginated (:func:`~autoposter.posts.list_posts_page`): a page costs the
same with ten posts or a hundred thousand. Filters are GET query parameters, so a filtered
list is a link; dates are days on the user's wall clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse, PlainTextResponse
from starlette.responses import Response

from ...accounts import AccountView, Context
from ...accounts.errors import NotFound
from ...accounts.lookup import account_labels, get_account
from ...posts import (
    HistoryEntry,
    InvalidCursor,
    InvalidStatus,
    PostNotChangeable,
    PostNotFound,
    PostView,
    cancel_post,
    get_post,
    list_posts_page,
    post_history,
)
from ...posts.machine import ACTIVE, FINAL
from ...posts.media_store import MediaGone
from ...posts.preview import media_for_preview
from ...store.models import POST_STATUSES, SCHEDULED, User
from ..reads import read_in_thread
from .post_display import (
    STATUS_LABELS,
    not_found,
    parse_id,
    status_label,
)
from .render import local_time, redirect, render, worker_banner
from .session import SignedInUser, app_context, require_csrf

router = APIRouter()

PAGE_SIZE = 50
# A post due within this long (or being sent) makes its page refresh itself.
REFRESH_AHEAD = timedelta(minutes=1)


# --- The list -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Filters:
    """The list's filters as typed (to show them again) and as the query needs them."""

    account: str = ""
    status: str = ""
    date_from: str = ""
    date_to: str = ""

    def query(self, **extra: str) -> str:
        pairs = {
            "account": self.account,
            "status": self.status,
            "from": self.date_from,
            "to": self.date_to,
            **extra,
        }
        return urlencode({k: v for k, v in pairs.items() if v})

    @property
    def active(self) -> bool:
        return any((self.account, self.status, self.date_from, self.date_to))


@router.get("/posts")
async def posts_page(
    request: Request,
    user: SignedInUser,
    account: str = "",
    status: str = "",
    date_from: str = Query("", alias="from"),
    date_to: str = Query("", alias="to"),
    cursor: str = "",
) -> Response:
    filters = Filters(account.strip(), status.strip(), date_from.strip(), date_to.strip())
    ctx = app_context(request)
    page = await read_in_thread(request, _list, ctx, user, filters, cursor.strip() or None)
    return render(request, "posts.html", page, status_code=400 if page["problem"] else 200)


@dataclass(frozen=True)
class ListedPost:
    """One row of the list with its texts worked out here, in plain calls: rendering fifty
    rows through a macro and filters per cell cost nearly as much as reading them (issue 6).
    The template only prints these."""

    id: int
    status: str
    status_text: str
    title: str  # may be empty: the template then says "Untitled …"
    untitled: str
    summary: str
    account: str
    when: str
    composed: bool  # no time yet: ``when`` is when it was composed

    @classmethod
    def of(cls, post: PostView, account_names: dict[int, str], zone: str) -> ListedPost:
        video = post.kind == "video"
        photos = len(post.media)
        what = "Video" if video else f"{photos} photo{'' if photos == 1 else 's'}"
        account = account_names.get(post.account_id) if post.account_id is not None else None
        return cls(
            id=post.id,
            status=post.status,
            status_text=status_label(post.status),
            title=post.title or post.description or (post.media[0].name if post.media else ""),
            untitled="Untitled " + ("video" if video else "photo post"),
            summary=f"{what} · {'direct' if post.mode == 'direct' else 'inbox draft'}",
            account=account or "Disconnected account",
            when=local_time(post.publish_at or post.created_at, zone),
            composed=post.publish_at is None,
        )


def _list(ctx: Context, user: User, filters: Filters, cursor: str | None) -> dict[str, Any]:
    account_names = account_labels(ctx, user)
    zone = user.time_zone or "UTC"
    page: dict[str, Any] = {
        "filters": filters,
        "account_names": account_names,
        "statuses": [(s, STATUS_LABELS.get(s, s)) for s in POST_STATUSES],
        "posts": [],
        "older_url": None,
        "problem": None,
        **worker_banner(ctx),
    }
    try:
        account_id = parse_id(filters.account) if filters.account else None
        if filters.account and account_id is None:
            raise ValueError(
                f"{filters.account!r} is not one of your accounts: pick one from the list"
            )
        since = _day_start(filters.date_from, zone, "from")
        until = _day_start(filters.date_to, zone, "to", next_day=True)
        found = list_posts_page(
            ctx,
            user,
            account_id=account_id,
            status=filters.status or None,
            since=since,
            until=until,
            limit=PAGE_SIZE,
            cursor=cursor,
        )
    except InvalidCursor:
        page["problem"] = (
            "This link to older posts is not one this list gave out (it may have been cut "
            "short): start again from the newest posts."
        )
        return page
    except (InvalidStatus, ValueError) as exc:
        page["problem"] = _sentence(str(exc))
        return page
    page["posts"] = [ListedPost.of(post, account_names, zone) for post in found.items]
    if found.next_cursor:
        page["older_url"] = "/posts?" + filters.query(cursor=found.next_cursor)
    return page


def _day_start(text: str, zone: str, name: str, *, next_day: bool = False) -> datetime | None:
    """The start of a day on the user's wall clock (of the day after, for an end date)."""
    if not text:
        return None
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"the “{name}” date {text!r} is not a date: use YYYY-MM-DD") from None
    if next_day:
        day += timedelta(days=1)
    return datetime.combine(day, time(0), ZoneInfo(zone))


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


# --- A post's page --------------------------------------------------------------------------


@router.get("/posts/{post_id}")
async def post_page(request: Request, post_id: int, user: SignedInUser) -> Response:
    ctx = app_context(request)
    try:
        page = await run_in_threadpool(_post_page, ctx, user, post_id)
    except PostNotFound as exc:
        return not_found(request, str(exc))
    return render(request, "post.html", page)


def _post_page(ctx: Context, user: User, post_id: int) -> dict[str, Any]:
    post = get_post(ctx, user, post_id)
    history: list[HistoryEntry] = post_history(ctx, user, post_id)
    account = _account_of(ctx, user, post)
    return {
        "post": post,
        "history": list(reversed(history)),
        "account": account,
        "live_links": live_links(post, account),
        "refresh": _in_flight(post, ctx.now()),
        "final": post.status in FINAL,
        "not_started": post.status in ("draft", SCHEDULED),
        **worker_banner(ctx),
    }


def _account_of(ctx: Context, user: User, post: PostView) -> AccountView | None:
    if post.account_id is None:
        return None
    try:
        return get_account(ctx, user, post.account_id)
    except NotFound:
        return None


def live_links(post: PostView, account: AccountView | None) -> list[tuple[str, str | None]]:
    """Each post id TikTok gave, with its page when the creator's username is known."""
    username = account.username if account else None
    return [(pid, post.tiktok_url(username, pid)) for pid in post.tiktok_post_ids]


def _in_flight(post: PostView, now: datetime) -> bool:
    """Whether the post changes by itself soon: being sent, or due within a minute."""
    if post.status in ACTIVE:
        return True
    return (
        post.status == SCHEDULED
        and post.publish_at is not None
        and (post.publish_at - now <= REFRESH_AHEAD)
    )


@router.get("/posts/{post_id}/media/{position}")
async def post_media(request: Request, post_id: int, position: int, user: SignedInUser) -> Response:
    """A post's stored file for its author's preview (§8 5a), while it is still kept."""
    try:
        path, content_type = await run_in_threadpool(
            media_for_preview, app_context(request), user, post_id, position
        )
    except PostNotFound as exc:
        return PlainTextResponse(str(exc), status_code=404)
    except MediaGone as exc:
        return PlainTextResponse(f"This file is gone: {exc}.", status_code=404)
    headers = {"Cache-Control": "private, max-age=300"}
    return FileResponse(path, media_type=content_type, headers=headers)


# --- Cancel ---------------------------------------------------------------------------------


@router.post("/posts/{post_id}/cancel", dependencies=[Depends(require_csrf)])
async def cancel_submit(request: Request, post_id: int, user: SignedInUser) -> Response:
    here = f"/posts/{post_id}"
    try:
        await run_in_threadpool(cancel_post, app_context(request), user, post_id)
    except PostNotFound as exc:
        return not_found(request, str(exc))
    except PostNotChangeable as exc:
        return redirect(here, str(exc), kind="error")
    return redirect(here, "Cancelled: nothing of this post was sent to TikTok.")
