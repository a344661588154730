"""The post form shared by the compose and edit pages: the creator's settings fetched now
(§8 1), the values a person typed, and the problems to show beside them.

The values become a :class:`~autoposter.posts.PostRequest` the services check against
TikTok's rules; what the page shows of those rules is in :mod:`.post_display`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from starlette.datastructures import FormData

from ...accounts import AccountsError, AccountView, Context, NeedsReconnect, access_token_for
from ...posts import (
    Delivery,
    FieldError,
    PostInputError,
    PostKind,
    PostRejected,
    PostRequest,
    PostView,
    TikTokUnreachable,
)
from ...posts.compose import (
    format_local_time,
    parse_local_time,
)
from ...store.models import User
from ...tiktok import CreatorInfo, TikTokError

UNREACHABLE = (
    "TikTok could not be reached to load this account's current settings, so nothing can be "
    "posted from this page right now: reload it in a minute."
)
CHECKBOXES = (
    "allow_comment",
    "allow_duet",
    "allow_stitch",
    "commercial_content",
    "brand_organic",
    "brand_content",
    "is_aigc",
    "auto_add_music",
)
# Fields a direct post has and an inbox draft leaves to the TikTok app (§4.3, §4.4).
_DIRECT_ONLY = (
    "privacy_level",
    "allow_comment",
    "allow_duet",
    "allow_stitch",
    "commercial_content",
    "brand_organic",
    "brand_content",
    "auto_add_music",
)


# --- The creator, now (§8 1) ------------------------------------------------------------------


@dataclass(frozen=True)
class CreatorState:
    """An account with its creator_info fetched just now, or why it cannot post now."""

    account: AccountView
    info: CreatorInfo | None
    problem: str | None = None
    reconnect: bool = False

    @property
    def can_post(self) -> bool:
        return self.info is not None and self.problem is None

    @property
    def nickname(self) -> str:
        if self.info is not None and self.info.creator_nickname:
            return self.info.creator_nickname
        return self.account.nickname or self.account.label

    @property
    def avatar_url(self) -> str | None:
        if self.info is not None and self.info.creator_avatar_url:
            return self.info.creator_avatar_url
        return self.account.avatar_url


def load_creator(ctx: Context, user: User, account: AccountView) -> CreatorState:
    """Fetch creator_info for the page being rendered (§4.1: "must be called when rendering
    the posting page"); a refusal becomes the reason shown instead of the form (§8 1b)."""
    if account.status != "connected":
        reason = account.status_reason or "TikTok no longer accepts this account's authorization."
        return CreatorState(account, None, f"{reason} Connect the account again.", True)
    try:
        token = access_token_for(ctx, user, account.id)
        return CreatorState(account, ctx.tiktok.creator_info(token))
    except NeedsReconnect as exc:
        return CreatorState(account, None, str(exc), True)
    except AccountsError as exc:
        return CreatorState(account, None, str(exc))
    except TikTokError as exc:
        if exc.retryable or exc.needs_token_refresh:
            return CreatorState(account, None, UNREACHABLE)
        # §4.1, §8 1b: the creator can't post now (cap, ban): stop and say why.
        said = f" TikTok said: {exc.message}" if exc.message else ""
        reconnect = exc.code == "scope_not_authorized"
        return CreatorState(account, None, exc.advice + said, reconnect)


# --- What the person typed --------------------------------------------------------------------


@dataclass
class FormValues:
    """The form's fields as typed, kept to show them again next to any errors."""

    kind: PostKind
    mode: Delivery
    title: str = ""
    description: str = ""
    privacy_level: str = ""
    allow_comment: bool = False
    allow_duet: bool = False
    allow_stitch: bool = False
    commercial_content: bool = False
    brand_organic: bool = False
    brand_content: bool = False
    is_aigc: bool = False
    auto_add_music: bool = False
    cover_timestamp_ms: str = ""
    photo_cover: str = "1"  # counted from 1 on the page; photo_cover_index counts from 0
    when: str = "now"
    publish_at: str = ""  # the datetime-local value, on the user's wall clock

    @classmethod
    def from_form(cls, form: FormData, kind: PostKind, mode: Delivery) -> FormValues:
        def text(name: str, default: str = "") -> str:
            value = form.get(name)
            return value if isinstance(value, str) else default

        values = cls(
            kind=kind,
            mode=mode,
            title=text("title"),
            description=text("description"),
            privacy_level=text("privacy_level").strip(),
            cover_timestamp_ms=text("cover_timestamp_ms").strip(),
            photo_cover=text("photo_cover", "1").strip() or "1",
            when="schedule" if text("when") == "schedule" else "now",
            publish_at=text("publish_at").strip(),
        )
        for name in CHECKBOXES:
            setattr(values, name, form.get(name) in ("on", "true", "1"))
        return values

    @classmethod
    def from_post(cls, post: PostView, zone: str) -> FormValues:
        scheduled = post.publish_at is not None
        return cls(
            kind=PostKind(post.kind),
            mode=Delivery(post.mode),
            title=post.title,
            description=post.description,
            privacy_level=post.privacy_level or "",
            **{name: getattr(post, name) for name in CHECKBOXES},
            cover_timestamp_ms=""
            if post.cover_timestamp_ms is None
            else str(post.cover_timestamp_ms),
            photo_cover=str(post.photo_cover_index + 1),
            when="schedule" if scheduled else "now",
            publish_at=_picker_value(post.publish_at, zone) if post.publish_at else "",
        )

    @property
    def is_direct(self) -> bool:
        return self.mode is Delivery.DIRECT

    def fields(self, zone: str) -> dict[str, Any]:
        """The :class:`PostRequest` fields these values give (media apart); PostInputError
        lists every value that cannot be read."""
        errors: list[FieldError] = []
        fields: dict[str, Any] = {
            "title": self.title.replace("\r\n", "\n"),
            "description": self.description.replace("\r\n", "\n")
            if self.kind is PostKind.PHOTO
            else "",
            "is_aigc": self.is_aigc,
            "publish_at": _publish_at(self, zone, errors),
        }
        if self.is_direct:
            fields.update({name: getattr(self, name) for name in _DIRECT_ONLY})
            fields["privacy_level"] = self.privacy_level or None
            if self.kind is PostKind.VIDEO:
                fields.update(auto_add_music=False)
            else:
                fields.update(allow_duet=False, allow_stitch=False)  # §8 2c: comment only
        if self.kind is PostKind.VIDEO:
            fields["cover_timestamp_ms"] = _cover_ms(self.cover_timestamp_ms, errors)
            fields["is_aigc"] = self.is_aigc and self.is_direct  # an inbox init takes no post_info
        else:
            fields["photo_cover_index"] = _cover_index(self.photo_cover, errors)
        if errors:
            raise PostInputError(*errors)
        return fields

    def request(self, media: tuple[Any, ...], zone: str) -> PostRequest:
        return PostRequest(kind=self.kind, mode=self.mode, media=media, **self.fields(zone))


def _picker_value(moment: datetime, zone: str) -> str:
    """A UTC time as a datetime-local input's value, on the user's wall clock."""
    return format_local_time(moment, zone).replace(" ", "T", 1)


def _publish_at(values: FormValues, zone: str, errors: list[FieldError]) -> datetime | None:
    if values.when != "schedule":
        return None
    if not values.publish_at:
        errors.append(
            FieldError("publish_at", "choose the date and time to post, or pick “Post now”")
        )
        return None
    try:
        return parse_local_time(values.publish_at, zone)
    except PostInputError as exc:
        errors.extend(exc.errors)
        return None


def _cover_ms(text: str, errors: list[FieldError]) -> int | None:
    if not text:
        return None
    try:
        return int(text)
    except ValueError:
        errors.append(
            FieldError(
                "cover_timestamp_ms",
                f"{text!r} is not a number: give whole milliseconds, e.g. 1500",
            )
        )
        return None


def _cover_index(text: str, errors: list[FieldError]) -> int:
    try:
        number = int(text)
    except ValueError:
        number = 0
    if number < 1:
        errors.append(
            FieldError("photo_cover_index", "give the number of the cover photo, counting from 1")
        )
        return 0
    return number - 1


@dataclass
class FormErrors:
    """Field errors keyed by the form's field names, plus those that belong to no field."""

    by_field: dict[str, list[str]] = field(default_factory=dict)
    general: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.by_field or self.general)


@dataclass(frozen=True)
class Refused:
    """A form sent back: its errors, and the HTTP status of the page showing them."""

    errors: FormErrors
    status: int

    @classmethod
    def by_services(
        cls,
        exc: PostInputError | PostRejected | TikTokUnreachable,
        values: FormValues,
        photo_count: int = 0,
    ) -> Refused:
        """The services' refusal of the post: its problems beside the fields (422), or
        TikTok out of reach for creator_info (503)."""
        if isinstance(exc, TikTokUnreachable):
            return cls(FormErrors(general=[str(exc)]), 503)
        return cls(form_errors(list(exc.errors), values, photo_count), 422)


# FieldError.field → the form field it is shown beside.
_FIELD_OF = {"account_id": "account", "account": "account", "photo_cover_index": "photo_cover"}
FORM_FIELDS = frozenset(
    {
        "account",
        "media",
        "title",
        "description",
        "privacy_level",
        "cover_timestamp_ms",
        "photo_cover",
        "publish_at",
        *CHECKBOXES,
    }
)


def form_errors(errors: list[FieldError], values: FormValues, photo_count: int = 0) -> FormErrors:
    found = FormErrors()
    for error in errors:
        name, message = _FIELD_OF.get(error.field, error.field), error.message
        if name.startswith("media["):
            position = int(name[6:-1]) if name[6:-1].isdigit() else 0
            name, message = "media", f"Photo {position + 1}: {message}"
        elif name == "photo_cover" and photo_count:
            message = f"choose a cover photo number from 1 to {photo_count}"
        if name in FORM_FIELDS and (name not in _DIRECT_ONLY or values.is_direct):
            found.by_field.setdefault(name, []).append(_sentence(message))
        else:
            found.general.append(_sentence(f"{error.field}: {message}"))
    return found


def _sentence(message: str) -> str:
    message = message.strip()
    return message[:1].upper() + message[1:] if message else message
