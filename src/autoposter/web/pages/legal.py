"""The privacy policy and terms pages, written from this installation's own configuration.

TikTok's app review asks for both. They state what this installation actually does: the
scopes it requests (``settings.scopes``, which follow ``AUTOPOSTER_FEATURES``), how long each
kind of data is kept (the retention settings), how to revoke and erase, and who the operator
is. The promises match ``docs/privacy.md`` and the services that keep them
(``accounts/privacy.py``, ``accounts/disconnect.py``). Public: no sign-in needed.
"""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter, Request
from starlette.responses import Response

from ...config import Settings
from .render import render
from .session import MaybeUser, app_context

router = APIRouter()

# What each scope lets Autoposter do, in the words a creator reads (§2).
SCOPE_PURPOSES = {
    "user.info.basic": "your display name, avatar and TikTok account ids, to show which "
    "account a post goes to",
    "user.info.profile": "your TikTok username, to name the account and link to your posts",
    "user.info.stats": "your follower, following, like and video counts",
    "video.publish": "publishing the videos and photos you compose directly to your profile, "
    "and reading the posting options TikTok offers you (privacy levels, interaction settings, "
    "the longest video allowed)",
    "video.upload": "sending videos and photos to your TikTok inbox as drafts, which you "
    "finish and post in the TikTok app",
    "video.list": "listing your public videos with their view, like, comment and share counts",
}


@dataclass(frozen=True)
class Scope:
    name: str
    purpose: str


@dataclass(frozen=True)
class Retention:
    what: str
    kept: str


def duration(seconds: int) -> str:
    """600 → "10 minutes", 86400 → "24 hours", 1209600 → "14 days"."""
    day, hour, minute = 86_400, 3600, 60
    for size, unit in ((day, "day"), (hour, "hour"), (minute, "minute")):
        # Whole days from two days up; a single day reads better as "24 hours".
        if seconds % size == 0 and seconds >= (2 * day if size == day else size):
            count = seconds // size
            return f"{count} {unit}{'s' if count != 1 else ''}"
    return f"{seconds} second{'s' if seconds != 1 else ''}"


def requested_scopes(settings: Settings) -> list[Scope]:
    fallback = "what TikTok's consent page describes for this permission"
    return [Scope(s, SCOPE_PURPOSES.get(s, fallback)) for s in settings.scopes]


def retention(settings: Settings) -> list[Retention]:
    """How long each kind of data stays, from the settings that decide it."""
    return [
        Retention("Your login (username, password hash, time zone)", "until you erase it"),
        Retention(
            "Connected TikTok accounts (ids, username, nickname, avatar link, granted "
            "permissions; access and refresh tokens, encrypted)",
            "until you disconnect the account or erase your data",
        ),
        Retention(
            "A connect in progress (a hash of its OAuth state)",
            f"{duration(settings.oauth_state_ttl)}, and it can be used once",
        ),
        Retention(
            "Posts: caption, settings, schedule, status history, TikTok's ids and reasons",
            "until you erase your data",
        ),
        Retention(
            "A post composed but not confirmed",
            f"expires after {duration(settings.confirm_timeout)}; nothing is sent and its "
            "media files are deleted",
        ),
        Retention(
            "Video and photo files of a post",
            "only until TikTok has them, then deleted; files of failed, cancelled or "
            "expired posts go within minutes",
        ),
        Retention(
            "Media uploaded through the API that no post uses",
            duration(settings.upload_retention),
        ),
        Retention(
            "Signed links TikTok uses to fetch photos",
            f"stop working after {duration(settings.media_url_ttl)}",
        ),
        Retention(
            "Failed sign-ins (when, against a keyed hash of the username and of the "
            "address; neither is stored)",
            "5 minutes, the window sign-in attempts are limited in",
        ),
        Retention(
            "When each post was started at TikTok (to stay within TikTok's limits)",
            "about a day (TikTok's limits count per day), then deleted",
        ),
        Retention(
            "Server logs (never a token, password or authorization code)",
            duration(settings.log_retention_days * 86_400),
        ),
        Retention(
            "Security audit log (connects, disconnects, exports)",
            "until you erase your data; a record that an erasure happened stays",
        ),
    ]


@router.get("/privacy")
async def privacy(request: Request, user: MaybeUser) -> Response:
    settings = app_context(request).settings
    page = _legal_page(settings, "Privacy policy", retention=retention(settings))
    return render(request, "privacy.html", page)


@router.get("/terms")
async def terms(request: Request, user: MaybeUser) -> Response:
    settings = app_context(request).settings
    page = _legal_page(
        settings,
        "Terms of service",
        features=settings.features,
        daily_post_cap=settings.daily_post_cap,
        signups_open=settings.signups_open,
    )
    return render(request, "terms.html", page)


def _legal_page(settings: Settings, title: str, **more: object) -> dict[str, object]:
    """What both documents name: who runs this instance, where, on which TikTok (the
    sandbox or the real one), and what it asks TikTok for."""
    return {
        "title": title,
        "operator": {"name": settings.operator_name, "email": settings.operator_email},
        "scopes": requested_scopes(settings),
        "uses_sandbox": settings.uses_sandbox,
        "public_url": settings.public_url.rstrip("/"),
        **more,
    }
