"""``/api/v1/posts``: compose (JSON with media ids, or a form with the files), list a page at
a time, show with history, edit, confirm, cancel, delete.

Composing through the API is the author's consent (``confirm`` defaults to true, §8 5c);
``?dry_run=true`` validates exactly as composing would — same 422s — and stores nothing.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from ...accounts import Context, account_usernames
from ...posts import (
    cancel_post,
    confirm_post,
    delete_post,
    get_post,
    list_posts_page,
    post_history,
)
from ...posts.uploads import (
    IncomingFile,
    UploadNotFound,
    check_with_uploads,
    compose_from_uploads,
    delete_upload,
    discard,
    edit_with_uploads,
    register_upload,
)
from ...store.models import User
from ...tiktok.posting import MAX_PHOTOS
from ..reads import read_in_thread
from .auth import Ctx, CurrentUser
from .convert import (
    composed_of,
    create_fields,
    form_values,
    history_of,
    parse_time,
    post_of,
    update_fields,
    warnings_of,
)
from .errors import MAX_JSON_BYTES, ApiError, api_router, responses
from .multipart import receive_form
from .schemas import (
    INT32_MAX,
    Composed,
    IdPath,
    Post,
    PostCreate,
    PostDetail,
    PostList,
    PostStatus,
    PostUpdate,
    post_create_schema,
)

router = api_router(prefix="/posts", tags=["posts"])


@router.post(
    "",
    status_code=201,
    response_model=Composed,
    responses={
        200: {"model": Composed, "description": "A dry run: valid, nothing stored."},
        **responses(413, 415, 429, 503),
    },
    openapi_extra={"requestBody": post_create_schema()},
)
async def post_create(
    request: Request,
    ctx: Ctx,
    user: CurrentUser,
    dry_run: Annotated[bool, Query(description="Validate only; store nothing.")] = False,
) -> Response:
    """Compose a post: a JSON body naming uploads (``media_ids``), or a multipart form with
    the same fields and the files as ``files``."""
    body, files = await _read_create(request, ctx)
    registered: list[int] = []
    try:
        for incoming in files:
            registered.append((await run_in_threadpool(register_upload, ctx, user, incoming)).id)
        files = []
        ids = [*body.media_ids, *registered]
        answer = await run_in_threadpool(_compose, ctx, user, body, ids, dry_run)
    except BaseException:
        discard(ctx, files)
        await run_in_threadpool(_forget, ctx, user, registered)
        raise
    if dry_run:
        await run_in_threadpool(_forget, ctx, user, registered)
    return answer


async def _read_create(request: Request, ctx: Ctx) -> tuple[PostCreate, list[IncomingFile]]:
    if request.headers.get("content-type", "").startswith("multipart/"):
        form = await receive_form(request, ctx, file_fields={"files"}, max_files=MAX_PHOTOS)
        try:
            return PostCreate.model_validate(form_values(form.fields)), form.files
        except BaseException:
            discard(ctx, form.files)
            raise
    raw = await _json_body(request)
    return PostCreate.model_validate_json(raw or b"null"), []


async def _json_body(request: Request) -> bytes:
    raw = bytearray()
    async for chunk in request.stream():
        raw += chunk
        if len(raw) > MAX_JSON_BYTES:
            raise ApiError(413, "too_large", f"JSON bodies are at most {MAX_JSON_BYTES:,} bytes.")
    return bytes(raw)


def _compose(
    ctx: Context, user: User, body: PostCreate, upload_ids: list[int], dry_run: bool
) -> JSONResponse:
    fields = create_fields(body, user)
    if dry_run:
        warnings = check_with_uploads(ctx, user, body.account_id, upload_ids, fields)
        answer = Composed(post=None, warnings=warnings_of(warnings))
        return JSONResponse(answer.model_dump(mode="json"), status_code=200)
    composed = compose_from_uploads(
        ctx, user, body.account_id, upload_ids, fields, confirm=body.confirm
    )
    answer = composed_of(composed, _usernames(ctx, user))
    return JSONResponse(answer.model_dump(mode="json"), status_code=201)


def _forget(ctx: Context, user: User, upload_ids: list[int]) -> None:
    """Delete uploads this request made from its own files (a dry run, or a refusal)."""
    for upload_id in upload_ids:
        try:
            delete_upload(ctx, user, upload_id)
        except UploadNotFound:  # used up already: nothing left to delete
            continue


@router.get("", response_model=PostList, responses=responses())
async def posts_list(
    request: Request,
    ctx: Ctx,
    user: CurrentUser,
    account_id: Annotated[int | None, Query(ge=1, le=INT32_MAX)] = None,
    status: Annotated[list[PostStatus] | None, Query(description="May repeat.")] = None,
    since: Annotated[str | None, Query(max_length=64, description="From this time on.")] = None,
    until: Annotated[str | None, Query(max_length=64, description="Before this time.")] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: Annotated[str | None, Query(max_length=512)] = None,
) -> Response:
    """Your posts, newest first (by when each goes out, or was composed), a page at a time:
    pass ``next_cursor`` back as ``cursor`` for the next page."""
    # The hot path of the API: read with the other hot reads (web/reads.py), and serialised
    # once there rather than validated again by FastAPI.
    listed = await read_in_thread(
        request,
        _list_json,
        ctx,
        user,
        account_id=account_id,
        status=status,
        since=parse_time(since, user, "since"),
        until=parse_time(until, user, "until"),
        limit=limit,
        cursor=cursor,
    )
    return Response(listed, media_type="application/json")


def _list_json(ctx: Context, user: User, **filters: Any) -> str:
    page = list_posts_page(ctx, user, **filters)
    names = _usernames(ctx, user)
    items = [post_of(view, names) for view in page.items]
    return PostList(items=items, next_cursor=page.next_cursor).model_dump_json()


@router.get("/{post_id}", response_model=PostDetail, responses=responses(404))
def post_show(ctx: Ctx, user: CurrentUser, post_id: IdPath) -> PostDetail:
    post = post_of(get_post(ctx, user, post_id), _usernames(ctx, user))
    return PostDetail(**post.model_dump(), history=history_of(post_history(ctx, user, post_id)))


@router.patch("/{post_id}", response_model=Composed, responses=responses(404, 409, 503))
def post_update(ctx: Ctx, user: CurrentUser, post_id: IdPath, body: PostUpdate) -> Composed:
    """Change a post that has not started (draft or scheduled); it is validated again."""
    changes = update_fields(body, user, get_post(ctx, user, post_id))
    upload_ids = body.media_ids if "media_ids" in body.model_fields_set else None
    composed = edit_with_uploads(ctx, user, post_id, upload_ids, changes)
    return composed_of(composed, _usernames(ctx, user))


@router.post("/{post_id}/confirm", response_model=Post, responses=responses(404, 409))
def post_confirm(ctx: Ctx, user: CurrentUser, post_id: IdPath) -> Post:
    """Consent to a draft (``confirm: false`` at compose time): it is scheduled."""
    return post_of(confirm_post(ctx, user, post_id).post, _usernames(ctx, user))


@router.post("/{post_id}/cancel", response_model=Post, responses=responses(404, 409))
def post_cancel(ctx: Ctx, user: CurrentUser, post_id: IdPath) -> Post:
    """Cancel a post nothing of which has reached TikTok yet."""
    return post_of(cancel_post(ctx, user, post_id), _usernames(ctx, user))


@router.delete("/{post_id}", status_code=204, responses=responses(404, 409))
def post_delete(ctx: Ctx, user: CurrentUser, post_id: IdPath) -> Response:
    """Delete a post that is not being sent (not started, or ended) with its history."""
    delete_post(ctx, user, post_id)
    return Response(status_code=204)


def _usernames(ctx: Context, user: User) -> dict[int, str | None]:
    return account_usernames(ctx, user)
