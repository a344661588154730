"""``GET /media/{signed}``: a post's stored media file, while its signed link is valid.

TikTok downloads photo posts from here (PULL_FROM_URL, §4.4, §4.6). 403 for a link that does
not verify or has expired, 404 once the file is gone (TikTok has it, or the post ended).
§4.6 says a redirect makes TikTok's download fail, so the file is always served directly.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse, JSONResponse, Response

from ..accounts import Context
from ..posts.media_store import MediaGone, MediaLinkInvalid, open_link

router = APIRouter()


@router.get("/media/{signed}")
async def media_file(request: Request, signed: str) -> Response:
    ctx: Context = request.app.state.ctx
    try:
        path, content_type = await run_in_threadpool(open_link, ctx, signed)
    except MediaLinkInvalid as exc:
        return JSONResponse({"error": f"{exc}; ask for a new link"}, status_code=403)
    except MediaGone as exc:
        return JSONResponse({"error": str(exc)}, status_code=404)
    return FileResponse(path, media_type=content_type, headers={"Cache-Control": "no-store"})
