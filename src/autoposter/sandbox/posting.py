"""The Content Posting API (§4.1–§4.4, §4.7, §4.8): creator info, the three inits, status and
cancel, plus a control hook that plays the creator finishing an inbox draft in the app.

Inits validate in the order of §9: token → scope → rate limit → body schema → caps →
unaudited public account → privacy option → branded content → URL ownership → chunk math.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from . import avatars, caps, processing, pull, webhooks
from .auth import authorize
from .chunks import chunk_rule_violation
from .envelope import envelope, world_of
from .errors import ApiError
from .init_body import (
    PRIVACY_LEVELS,
    InitRequest,
    invalid,
    parse_json_object,
    peek_post_mode,
    photo_request,
    video_request,
)
from .state import Creator, Grant, Publish, UploadSession, World

router = APIRouter()
control = APIRouter(prefix="/sandbox/api/publishes")

_PHOTO_SCOPES = {"DIRECT_POST": "video.publish", "MEDIA_UPLOAD": "video.upload"}


@router.post("/v2/post/publish/creator_info/query/")
async def creator_info(request: Request) -> JSONResponse:
    world, grant = authorize(request, "video.publish")
    creator = _creator(world, grant)
    blocked = caps.refusal(world, creator, count_daily_posts=True, count_pending_shares=False)
    if blocked is not None:
        # §4.1: these refusals come on HTTP 200 on purpose; the app must stop and say why.
        return envelope(world, {}, code=blocked.code, message=blocked.message)
    return envelope(world, _creator_info(world, creator))


@router.post("/v2/post/publish/video/init/")
async def video_init(request: Request) -> JSONResponse:
    world, grant = authorize(request, "video.publish")
    body = parse_json_object(await request.body())
    return _accept(world, grant, video_request(body, "DIRECT_POST"))


@router.post("/v2/post/publish/inbox/video/init/")
async def inbox_video_init(request: Request) -> JSONResponse:
    world, grant = authorize(request, "video.upload")
    body = parse_json_object(await request.body())
    return _accept(world, grant, video_request(body, "MEDIA_UPLOAD"))


@router.post("/v2/post/publish/content/init/")
async def content_init(request: Request) -> JSONResponse:
    raw = await request.body()
    # §4.4: the scope follows post_mode; with no valid mode either scope gets as far as the
    # schema check, which then names the bad field.
    mode = peek_post_mode(raw)
    scopes = (_PHOTO_SCOPES[mode],) if mode else tuple(_PHOTO_SCOPES.values())
    world, grant = authorize(request, *scopes)
    return _accept(world, grant, photo_request(parse_json_object(raw)))


@router.post("/v2/post/publish/status/fetch/")
async def status_fetch(request: Request) -> JSONResponse:
    world, grant = authorize(request, "video.publish", "video.upload")
    publish = _owned_publish(world, grant, parse_json_object(await request.body()))
    return envelope(world, _status_data(publish))


@router.post("/v2/post/publish/cancel/")
async def cancel(request: Request) -> JSONResponse:
    world, grant = authorize(request, "video.publish", "video.upload")
    publish = _owned_publish(world, grant, parse_json_object(await request.body()))
    if publish.source != "PULL_FROM_URL" or not pull.is_downloading(world, publish):
        # §4.8: only a PULL_FROM_URL still downloading can be stopped.
        raise ApiError(
            400,
            "publish_not_cancellable",
            f"Publish {publish.publish_id} is {publish.status} ({publish.source}); only a "
            "PULL_FROM_URL publish that is still downloading can be cancelled.",
        )
    pull.cancel_pull(world, publish)
    return envelope(world, None, include_data=False)  # §4.8: the success body is only `error`


@control.post("/{publish_id}/complete")
async def complete_inbox_draft(publish_id: str, request: Request) -> JSONResponse:
    """The creator finishes an inbox draft in the TikTok app; each call is one more post (§4.0).

    Optional body ``{"privacy_level": …}``: the privacy the creator picks in the app (default
    PUBLIC_TO_EVERYONE). A public post's id joins ``publicaly_available_post_id`` once it has
    passed moderation (§4.7), as for direct posts.
    """
    world = world_of(request)
    try:
        privacy = _privacy_choice(await request.body())
    except ApiError as exc:
        return _control_problem(400, exc.message)
    publish = world.publishes.get(publish_id)
    if publish is None:
        return _control_problem(404, f"No publish has the id {publish_id!r}.")
    # Processing never completes an inbox share itself, so PUBLISH_COMPLETE here means the
    # creator already made a post from this draft and is making another.
    in_inbox = publish.status in ("SEND_TO_USER_INBOX", "PUBLISH_COMPLETE")
    video = None
    if publish.mode == "MEDIA_UPLOAD" and in_inbox:
        publish.status = "PUBLISH_COMPLETE"
        publish.finished_at = world.now()
        video = processing.add_post(world, publish, privacy)
    if video is None:
        return _control_problem(
            409,
            f"Publish {publish_id} is a {publish.mode} publish in status {publish.status}; only a "
            "draft delivered to the inbox (SEND_TO_USER_INBOX) can be completed.",
        )
    content = {"publish_id": publish_id, "publish_type": processing.publish_type(publish)}
    webhooks.emit(world, "post.publish.complete", publish.open_id, content)
    return JSONResponse({"publish_id": publish_id, "status": publish.status, "post_id": video.id})


router.include_router(control)


def _creator(world: World, grant: Grant) -> Creator:
    creator = world.creators.get(grant.open_id)
    if creator is None:
        raise ApiError(401, "access_token_invalid", "The token's creator no longer exists.")
    return creator


def _privacy_options(world: World, creator: Creator) -> list[str]:
    # §4.1 [OBS], §10.13: an unaudited app is offered only SELF_ONLY.
    return creator.privacy_level_options() if world.config.audited else ["SELF_ONLY"]


def _creator_info(world: World, creator: Creator) -> dict[str, Any]:
    seed = creator.seed
    return {
        # The same sandbox-served, signed avatar link user/info gives (§4.1: valid 2 hours).
        "creator_avatar_url": avatars.avatar_url(world, creator),
        "creator_username": seed.username,
        "creator_nickname": seed.display_name,
        "privacy_level_options": _privacy_options(world, creator),
        "comment_disabled": seed.comment_disabled,
        # §4.1: a private account cannot be dueted or stitched.
        "duet_disabled": seed.duet_disabled or seed.private_account,
        "stitch_disabled": seed.stitch_disabled or seed.private_account,
        "max_video_post_duration_sec": seed.max_video_post_duration_sec,
    }


def _accept(world: World, grant: Grant, request: InitRequest) -> JSONResponse:
    """Everything after the body schema, then the publish itself."""
    creator = _creator(world, grant)
    pending_counts = request.mode == "MEDIA_UPLOAD"
    blocked = caps.refusal(
        world, creator, count_daily_posts=request.direct, count_pending_shares=pending_counts
    )
    if blocked is not None:
        raise ApiError(403, blocked.code, blocked.message)
    if request.direct:
        _check_audience(world, creator, request)
    if request.source == "PULL_FROM_URL":
        _check_ownership(world, request.urls)
    else:
        _check_chunks(request.source_info)
    publish = _create_publish(world, grant, creator, request)
    caps.record_init(world, creator, direct=request.direct)
    if request.source == "FILE_UPLOAD":
        upload_url = _open_upload_session(world, publish)
        return envelope(world, {"publish_id": publish.publish_id, "upload_url": upload_url})
    publish.status = "PROCESSING_DOWNLOAD"
    pull.start_pull(world, publish)
    return envelope(world, {"publish_id": publish.publish_id})


def _check_audience(world: World, creator: Creator, request: InitRequest) -> None:
    if not world.config.audited and not creator.seed.private_account:
        # §4.2: it is the *account* that must be private, whatever the post's privacy.
        raise ApiError(
            403,
            "unaudited_client_can_only_post_to_private_accounts",
            "This app is not audited, so it may only post to private accounts: ask the creator "
            "to make their TikTok account private, or pass the app audit.",
        )
    options = _privacy_options(world, creator)
    privacy = request.privacy_level
    if privacy not in options:
        given = f"{privacy!r} is" if privacy else "no post_info.privacy_level was"
        raise ApiError(
            403,
            "privacy_level_option_mismatch",
            f"{given} given; post_info.privacy_level must be one of this creator's "
            f"privacy_level_options {options} (query creator_info again).",
        )
    if request.post_info.get("brand_content_toggle") is True and privacy == "SELF_ONLY":
        # §8.3: branded content can't be private.
        raise invalid(
            "Branded content visibility cannot be set to private: choose another "
            "post_info.privacy_level or turn brand_content_toggle off."
        )


def _check_ownership(world: World, urls: list[str]) -> None:
    for url in urls:
        if not pull.is_verified(world, url):
            raise ApiError(
                403,
                "url_ownership_unverified",
                f"{url} is not under a URL prefix or domain this app has verified; verify it "
                "in the app's URL properties (§4.6) or use FILE_UPLOAD.",
            )


def _check_chunks(source_info: dict[str, Any]) -> None:
    violation = chunk_rule_violation(
        source_info["video_size"], source_info["chunk_size"], source_info["total_chunk_count"]
    )
    if violation is not None:
        raise invalid(f"The chunk size is invalid: {violation}")


def _create_publish(world: World, grant: Grant, creator: Creator, request: InitRequest) -> Publish:
    publish = Publish(
        publish_id=world.ids.publish_id(request.media, request.mode, request.source),
        open_id=creator.open_id,
        access_token=grant.access_token,
        media=request.media,
        mode=request.mode,
        source=request.source,
        post_info=_effective_post_info(creator, request),
        source_info=dict(request.source_info),
        created_at=world.now(),
        status="PROCESSING_UPLOAD",
    )
    world.publishes[publish.publish_id] = publish
    return publish


def _effective_post_info(creator: Creator, request: InitRequest) -> dict[str, Any]:
    """§4.2: the server turns interactions off where the creator's settings forbid them."""
    post_info = dict(request.post_info)
    if not request.direct:
        return post_info
    seed = creator.seed
    if seed.comment_disabled:
        post_info["disable_comment"] = True
    if request.media == "video" and (seed.duet_disabled or seed.private_account):
        post_info["disable_duet"] = True
    if request.media == "video" and (seed.stitch_disabled or seed.private_account):
        post_info["disable_stitch"] = True
    return post_info


def _open_upload_session(world: World, publish: Publish) -> str:
    config = world.config
    upload_id = world.ids.digits(19)
    ttl = config.faults.upload_url_ttl_seconds or config.upload_url_ttl
    session = UploadSession(
        upload_id=upload_id,
        upload_token=world.ids.upload_token(),
        publish_id=publish.publish_id,
        video_size=publish.source_info["video_size"],
        chunk_size=publish.source_info["chunk_size"],
        total_chunk_count=publish.source_info["total_chunk_count"],
        expires_at=world.now() + ttl,
        path=world.data_dir / f"{upload_id}.part",
    )
    world.uploads[upload_id] = session
    publish.upload = session
    return f"{config.public_url}/upload/?upload_id={upload_id}&upload_token={session.upload_token}"


def _owned_publish(world: World, grant: Grant, body: dict[str, Any]) -> Publish:
    publish_id = body.get("publish_id")
    if not isinstance(publish_id, str) or not publish_id:
        raise invalid('publish_id is required: send {"publish_id": "…"} from the init answer.')
    publish = world.publishes.get(publish_id)
    if publish is None:
        raise ApiError(400, "invalid_publish_id", f"No publish has the id {publish_id!r}.")
    if publish.open_id != grant.open_id:
        raise ApiError(
            400,
            "token_not_authorized_for_specified_publish_id",
            "This publish belongs to another creator; use that creator's access token.",
        )
    return publish


def _status_data(publish: Publish) -> dict[str, Any]:
    data: dict[str, Any] = {"status": publish.status}
    if publish.status == "FAILED":
        data["fail_reason"] = publish.fail_reason
    # §4.7: raw int64 numbers (unquoted 19-digit integers in the JSON), as TikTok sends them.
    data["publicaly_available_post_id"] = list(publish.post_ids)
    if publish.source == "FILE_UPLOAD":
        data["uploaded_bytes"] = publish.uploaded_bytes
    else:
        data["downloaded_bytes"] = publish.downloaded_bytes
    return data


def _privacy_choice(raw: bytes) -> str:
    body = parse_json_object(raw) if raw.strip() else {}
    value = body.get("privacy_level", "PUBLIC_TO_EVERYONE")
    if value not in PRIVACY_LEVELS:
        raise invalid(f"privacy_level must be one of {', '.join(PRIVACY_LEVELS)}; got {value!r}.")
    return str(value)


def _control_problem(status: int, message: str) -> JSONResponse:
    # The control API's error shape (as in inspection.py), not TikTok's envelope.
    return JSONResponse({"error": message}, status_code=status)
