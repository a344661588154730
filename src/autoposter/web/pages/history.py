"""An account's published videos, read live from TikTok's Display API (§3.2 video list).

Nothing is stored: each page asks TikTok for one page of the creator's public videos, newest
first, and "Load more" passes TikTok's cursor back (§3.2). Cover links expire after six hours
(§3.4), another reason not to keep them. What can go wrong (the account needs reconnecting,
the creator did not grant ``video.list``, TikTok unreachable) is shown as a message.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from starlette.responses import Response

from ...accounts import (
    AccountsError,
    AccountView,
    NeedsReconnect,
    NotFound,
    access_token_for,
    get_account,
)
from ...accounts.context import Context
from ...config import FEATURE_SCOPES
from ...store.models import User
from ...tiktok import (
    AccessTokenInvalid,
    AuthError,
    OutcomeUnknown,
    TikTokError,
    Video,
    VideoPage,
)
from .post_display import not_found
from .render import render
from .session import SignedInUser, app_context

router = APIRouter()

PAGE_SIZE = 12  # §3.2 allows up to 20 a page; 12 fills 2, 3, 4 or 6 columns evenly
LIST_SCOPE = FEATURE_SCOPES["history"]  # video.list (§2)


@dataclass(frozen=True)
class VideoCard:
    """One video as the page shows it."""

    id: str
    title: str
    cover_url: str | None
    url: str | None
    created_at: datetime | None
    duration: str | None
    counts: tuple[tuple[str, str], ...]  # (label, "1.2K") for views, likes, comments, shares

    @classmethod
    def of(cls, video: Video) -> VideoCard:
        created = video.create_time
        return cls(
            id=video.id or "",
            title=video.title or video.video_description or "Untitled video",
            cover_url=video.cover_image_url,
            url=video.share_url or video.embed_link,
            created_at=datetime.fromtimestamp(created, UTC) if created else None,
            duration=_clock(video.duration) if video.duration else None,
            counts=(
                ("Views", short_count(video.view_count)),
                ("Likes", short_count(video.like_count)),
                ("Comments", short_count(video.comment_count)),
                ("Shares", short_count(video.share_count)),
            ),
        )


@dataclass(frozen=True)
class Problem:
    """Why the videos cannot be shown, and whether reconnecting is the fix."""

    message: str
    reconnect: bool
    status_code: int


def short_count(value: int | None) -> str:
    """1234 → "1.2K", 5600000 → "5.6M": how TikTok itself shows counts."""
    if value is None:
        return "–"
    for size, suffix in ((1_000_000_000, "B"), (1_000_000, "M"), (1_000, "K")):
        if value >= size:
            return f"{value / size:.1f}".rstrip("0").rstrip(".") + suffix
    return str(value)


def _clock(seconds: int) -> str:
    return f"{seconds // 60}:{seconds % 60:02d}"


@router.get("/accounts/{account_id}/videos")
async def videos_page(
    request: Request,
    user: SignedInUser,
    account_id: int,
    cursor: str | None = None,
) -> Response:
    ctx = app_context(request)
    try:
        account = await run_in_threadpool(get_account, ctx, user, account_id)
    except NotFound as exc:
        return not_found(request, str(exc), back="/accounts")
    page: dict[str, object] = {"title": f"Videos of {account.label}", "account": account}
    position = _cursor(cursor)
    if cursor and position is None:
        problem: Problem | None = Problem(
            "This page link is broken (its cursor is not a number): start from the newest videos.",
            reconnect=False,
            status_code=400,
        )
    else:
        problem = _not_available(ctx, account)
    if problem is None:
        result = await run_in_threadpool(_fetch, ctx, user, account_id, position)
        if isinstance(result, Problem):
            problem = result
        else:
            page["videos"] = [VideoCard.of(v) for v in result.videos]
            page["next_cursor"] = result.cursor if result.has_more else None
            page["continued"] = position is not None
    page["problem"] = problem
    return render(request, "videos.html", page, status_code=problem.status_code if problem else 200)


def _cursor(raw: str | None) -> int | None:
    if raw and raw.isdigit() and len(raw) < 20:
        return int(raw)
    return None


def _not_available(ctx: Context, account: AccountView) -> Problem | None:
    """Problems known before asking TikTok."""
    if LIST_SCOPE not in ctx.settings.scopes:
        return Problem(
            "Published videos are turned off on this installation: its operator left "
            "'history' out of AUTOPOSTER_FEATURES, so Autoposter does not ask TikTok for "
            f"{LIST_SCOPE}.",
            reconnect=False,
            status_code=404,
        )
    if LIST_SCOPE not in account.scopes:
        return Problem(
            f'The creator did not grant {LIST_SCOPE} ("see your public videos") when '
            "connecting, so TikTok will not list the videos. Reconnect and keep that "
            "permission ticked.",
            reconnect=True,
            status_code=409,
        )
    return None


def _fetch(ctx: Context, user: User, account_id: int, cursor: int | None) -> VideoPage | Problem:
    """One page of videos from TikTok (§3.2), or what stopped it."""
    try:
        token = access_token_for(ctx, user, account_id)
        return ctx.tiktok.list_videos(token, cursor=cursor, max_count=PAGE_SIZE)
    except NeedsReconnect as exc:
        return Problem(str(exc), reconnect=True, status_code=409)
    except AccountsError as exc:  # refresh failed or busy: temporary
        return Problem(str(exc), reconnect=False, status_code=503)
    except AccessTokenInvalid:
        return Problem(
            "TikTok refused this account's access token. Reload the page in a minute; if it "
            "keeps happening, reconnect the account.",
            reconnect=True,
            status_code=502,
        )
    except AuthError as exc:  # scope_not_authorized / scope_permission_missed (§3.5)
        return Problem(exc.advice, reconnect=True, status_code=409)
    except TikTokError as exc:
        if isinstance(exc, OutcomeUnknown) or exc.retryable:
            return Problem(
                "TikTok could not be reached to list the videos: reload the page in a minute.",
                reconnect=False,
                status_code=503,
            )
        return Problem(f"TikTok would not list the videos. {exc}", reconnect=False, status_code=502)
