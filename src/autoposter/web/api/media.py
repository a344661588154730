"""``/api/v1/media``: upload a video or photos once, then compose posts from their ids.

The file is streamed to disk (never held in memory) and refused with 413 past
``upload_max_bytes``; what is neither a video TikTok takes nor a JPEG/WebP photo is a 415.
Unused uploads expire after ``upload_retention`` (see :mod:`autoposter.posts.uploads`).
"""

from __future__ import annotations

from fastapi import Request, Response
from fastapi.concurrency import run_in_threadpool

from ...posts.uploads import UploadView, delete_upload, discard, get_upload, register_upload
from .auth import Ctx, CurrentUser
from .errors import ApiError, api_router, responses
from .multipart import receive_form
from .schemas import IdPath, Media, media_upload_schema

router = api_router(prefix="/media", tags=["media"])


@router.post(
    "",
    status_code=201,
    response_model=Media,
    responses=responses(413, 415),
    openapi_extra={"requestBody": media_upload_schema()},
)
async def media_upload(request: Request, ctx: Ctx, user: CurrentUser) -> Media:
    """Upload one file as the form field ``file``."""
    form = await receive_form(request, ctx, file_fields={"file"}, max_files=1)
    if not form.files:
        raise ApiError(
            422,
            "invalid_input",
            "The form has no file: send it as the field 'file' (curl -F file=@clip.mp4).",
            [("file", "send the video or photo here")],
        )
    try:
        view = await run_in_threadpool(register_upload, ctx, user, form.files[0])
    except BaseException:
        discard(ctx, form.files)
        raise
    return media_of(view)


@router.get("/{media_id}", response_model=Media, responses=responses(404))
def media_show(ctx: Ctx, user: CurrentUser, media_id: IdPath) -> Media:
    return media_of(get_upload(ctx, user, media_id))


@router.delete("/{media_id}", status_code=204, responses=responses(404))
def media_delete(ctx: Ctx, user: CurrentUser, media_id: IdPath) -> Response:
    delete_upload(ctx, user, media_id)
    return Response(status_code=204)


def media_of(view: UploadView) -> Media:
    return Media(
        id=view.id,
        name=view.name,
        size_bytes=view.size_bytes,
        content_type=view.content_type,
        kind=view.kind,  # type: ignore[arg-type]
        created_at=view.created_at,
    )
