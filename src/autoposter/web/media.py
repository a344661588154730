"""``GET /media/{name}``: a post's stored media file while its signed link is valid, and the
signature files that verify the ``/media/`` URL prefix for the TikTok app.

TikTok downloads photo posts from here (PULL_FROM_URL, §4.4, §4.6). 403 for a link that does
not verify or has expired, 404 once the file is gone (TikTok has it, or the post ended).
§4.6 says a redirect makes TikTok's download fail, so the file is always served directly.

§4.6: to verify a URL prefix, TikTok has the operator publish a signature file directly under
it. Files of ``AUTOPOSTER_URL_VERIFICATION_DIR`` named like TikTok's (``tiktok….txt``) are
served at ``/media/<name>``; a signed link never looks like one (it starts with a number).
"""

from __future__ import annotations

import re
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse, JSONResponse, Response

from ..accounts import Context
from ..config import Settings
from ..posts.media_store import MediaGone, MediaLinkInvalid, open_link

router = APIRouter()

# Only plain names of this shape are looked up: no path separator or ``..`` can get through.
VERIFICATION_FILE_NAME = re.compile(r"tiktok[A-Za-z0-9_-]+\.txt")


@router.api_route("/media/{name}", methods=["GET", "HEAD"])
async def media_file(request: Request, name: str) -> Response:
    ctx: Context = request.app.state.ctx
    if VERIFICATION_FILE_NAME.fullmatch(name):
        return await _verification_file(ctx.settings, name)
    try:
        path, content_type = await run_in_threadpool(open_link, ctx, name)
    except MediaLinkInvalid as exc:
        return JSONResponse({"error": f"{exc}; ask for a new link"}, status_code=403)
    except MediaGone as exc:
        return JSONResponse({"error": str(exc)}, status_code=404)
    return FileResponse(path, media_type=content_type, headers={"Cache-Control": "no-store"})


def verification_file(settings: Settings, name: str) -> Path | None:
    """The URL-prefix signature file called ``name``, if the operator provided one."""
    directory = settings.url_verification_dir
    if directory is None or not VERIFICATION_FILE_NAME.fullmatch(name):
        return None
    path = directory / name
    return path if path.is_file() else None


async def _verification_file(settings: Settings, name: str) -> Response:
    path = await run_in_threadpool(verification_file, settings, name)
    if path is None:
        return JSONResponse({"error": "no such verification file"}, status_code=404)
    return FileResponse(path, media_type="text/plain", headers={"Cache-Control": "no-cache"})
