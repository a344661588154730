"""The JSON the REST API reads and writes, as pydantic models so the OpenAPI schema at
``/openapi.json`` says exactly what each operation takes and gives.

Times go out as ISO 8601 in UTC (``…Z``). Text that goes into the database may hold no NUL
character and must be valid Unicode (PostgreSQL stores neither), so such input is a 422, not
a failure further down.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import Path
from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from ...store.models import ACCOUNT_STATUSES, POST_STATUSES

INT32_MAX = 2**31 - 1  # ids are 32-bit integer columns; larger ones cannot exist

PostStatus = Literal[POST_STATUSES]  # type: ignore[valid-type]
AccountStatus = Literal[ACCOUNT_STATUSES]  # type: ignore[valid-type]
ObjectId = Annotated[int, Field(ge=1, le=INT32_MAX)]
IdPath = Annotated[int, Path(ge=1, le=INT32_MAX, description="The object's id.")]


def _storable(value: str) -> str:
    if "\x00" in value:
        raise ValueError("contains a NUL character, which cannot be stored: remove it")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("contains an invalid character: send valid UTF-8 text") from None
    return value


Text = Annotated[str, AfterValidator(_storable)]


# --- Users, tokens, data rights -----------------------------------------------------------


class Me(BaseModel):
    id: int
    username: str
    time_zone: str
    is_admin: bool


class Token(BaseModel):
    id: int
    name: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class TokenList(BaseModel):
    items: list[Token]


class NewTokenIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: Text = Field(min_length=1, max_length=100, description="Where the token is used.")


class NewTokenOut(BaseModel):
    id: int
    name: str
    token: str = Field(description="The token itself: shown this once, keep it safe.")


class EraseIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    confirm: Text = Field(max_length=200, description="Your username, to confirm the erasure.")


class ErasureOut(BaseModel):
    user_id: int
    accounts_deleted: int
    revocation_failures: int


# --- Accounts -----------------------------------------------------------------------------


class Account(BaseModel):
    id: int
    username: str | None
    nickname: str | None
    avatar_url: str | None
    scopes: list[str]
    status: AccountStatus
    status_reason: str | None
    token_health: Literal["ok", "refresh_soon", "needs_reconnect"]
    connected_at: datetime


class AccountList(BaseModel):
    items: list[Account]


class ConnectStarted(BaseModel):
    authorize_url: str = Field(
        description="Open it in a browser signed in to the dashboard as the same user."
    )
    expires_at: datetime


class Disconnected(BaseModel):
    account_id: int
    revoked_at_tiktok: bool
    revoke_error: str | None
    deleted: dict[str, int]


class CreatorInfoOut(BaseModel):
    """TikTok's creator_info (§4.1) as it is now."""

    creator_username: str
    creator_nickname: str
    creator_avatar_url: str
    privacy_level_options: list[str]
    comment_disabled: bool
    duet_disabled: bool
    stitch_disabled: bool
    max_video_post_duration_sec: int | None


# --- Media and posts ----------------------------------------------------------------------


class Media(BaseModel):
    id: int
    name: str
    size_bytes: int
    content_type: str
    kind: Literal["video", "photo"]
    created_at: datetime


class PostMedia(BaseModel):
    position: int
    name: str
    size_bytes: int
    content_type: str
    deleted: bool


class Post(BaseModel):
    id: int
    account_id: int | None = Field(description="None once the account was disconnected.")
    kind: Literal["video", "photo"]
    mode: Literal["direct", "inbox"]
    title: str
    description: str
    privacy_level: str | None
    allow_comment: bool
    allow_duet: bool
    allow_stitch: bool
    commercial_content: bool
    brand_organic: bool
    brand_content: bool
    is_aigc: bool
    cover_timestamp_ms: int | None
    photo_cover_index: int
    auto_add_music: bool
    publish_at: datetime | None
    status: PostStatus
    confirm_by: datetime | None
    publish_id: str | None
    tiktok_post_ids: list[str]
    fail_code: str | None
    fail_reason: str | None
    fail_message: str | None
    attempts: int
    next_attempt_at: datetime | None
    created_at: datetime
    updated_at: datetime
    media: list[PostMedia]
    post_url: str | None = Field(description="The post on TikTok, once TikTok gave its id.")


class HistoryItem(BaseModel):
    at: datetime
    from_status: str | None
    to_status: str
    detail: str


class PostDetail(Post):
    history: list[HistoryItem]


class PostList(BaseModel):
    items: list[Post]
    next_cursor: str | None = Field(description="Pass as ?cursor= for the next page.")


class ScheduleWarning(BaseModel):
    code: str
    message: str
    fits_at: datetime | None = None


class Composed(BaseModel):
    post: Post | None = Field(description="None for a dry run, which stores nothing.")
    warnings: list[ScheduleWarning]


_TIME = (
    "When to publish: ISO 8601 with an offset (2026-12-01T17:00:00Z), or a local time "
    "('2026-12-01 18:00') read in your time zone. Null or absent: as soon as confirmed."
)
_PRIVACY = (
    "PUBLIC_TO_EVERYONE, MUTUAL_FOLLOW_FRIENDS, FOLLOWER_OF_CREATOR or SELF_ONLY, among the "
    "account's options (GET /api/v1/accounts/{id}/creator-info). Required for direct posts."
)


class PostFields(BaseModel):
    """The settings of a post, shared by create and update."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal["video", "photo"] | None = Field(
        default=None, description="Read from the media when absent."
    )
    mode: Literal["direct", "inbox"] = Field(
        default="direct", description="direct: publish; inbox: a draft in the creator's inbox."
    )
    title: Text = Field(default="", max_length=5000)
    description: Text = Field(default="", max_length=10000, description="Photo posts only.")
    privacy_level: Text | None = Field(default=None, max_length=64, description=_PRIVACY)
    allow_comment: bool = False
    allow_duet: bool = False
    allow_stitch: bool = False
    commercial_content: bool | None = Field(
        default=None,
        description="The commercial content disclosure; absent: on when a brand box is ticked.",
    )
    brand_organic: bool = False
    brand_content: bool = False
    is_aigc: bool = False
    cover_timestamp_ms: int | None = Field(default=None, ge=0, le=INT32_MAX)
    photo_cover_index: int = Field(default=0, ge=0, le=34)
    auto_add_music: bool = False
    publish_at: Text | None = Field(default=None, max_length=64, description=_TIME)
    media_ids: list[ObjectId] = Field(
        default_factory=list, max_length=35, description="Uploads from POST /api/v1/media."
    )


class PostCreate(PostFields):
    account_id: ObjectId
    confirm: bool = Field(
        default=True,
        description="The call is the consent; false leaves a draft to confirm later.",
    )


class PostUpdate(PostFields):
    """Only the fields sent change; ``media_ids`` replaces the media."""

    mode: Literal["direct", "inbox"] | None = None  # type: ignore[assignment]


def post_create_schema() -> dict[str, Any]:
    """The request body of ``POST /api/v1/posts``: JSON, or a form with the files."""
    json_schema = PostCreate.model_json_schema()
    form = PostCreate.model_json_schema()
    form["properties"]["files"] = {
        "type": "array",
        "items": {"type": "string", "format": "binary"},
        "description": "The video, or 1 to 35 photos (instead of media_ids).",
    }
    return {
        "required": True,
        "content": {
            "application/json": {"schema": json_schema},
            "multipart/form-data": {"schema": form},
        },
    }


def media_upload_schema() -> dict[str, Any]:
    return {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {
                        "file": {
                            "type": "string",
                            "format": "binary",
                            "description": "An MP4, MOV or WebM video, or a JPEG or WebP photo.",
                        }
                    },
                }
            }
        },
    }
