"""What a person asks to post, the local-time helpers for when, and how it becomes a TikTok
request.

A :class:`PostRequest` is what the compose page, the CLI and CSV import fill in. It is checked
by :mod:`autoposter.posts.validation` before anything is queued, and turned into the TikTok
client's request objects by :func:`build_init` when the post is sent.

Times are stored in UTC and typed by people in their own time zone (DESIGN "Data and
secrets"): :func:`parse_local_time` and :func:`format_local_time` convert, and refuse a local
time that does not exist or happens twice on a daylight-saving night rather than guess.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from autoposter.tiktok import PhotoPostInfo, PostMode, PrivacyLevel, VideoPostInfo


class PostKind(enum.StrEnum):
    VIDEO = "video"
    PHOTO = "photo"


class Delivery(enum.StrEnum):
    """Publish straight to the profile, or send to the creator's TikTok inbox as a draft
    (§4.3; for photos that is the ``MEDIA_UPLOAD`` post mode, §4.4)."""

    DIRECT = "direct"
    INBOX = "inbox"


@dataclass(frozen=True)
class FieldError:
    """One problem with one field of a post, in words a person can act on.

    ``field`` is a :class:`PostRequest` attribute name; photos are ``media[0]``, ``media[1]``…
    """

    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"


class PostInputError(ValueError):
    """Input that cannot even be read (an unknown kind, a local time that does not exist)."""

    def __init__(self, *errors: FieldError) -> None:
        self.errors = list(errors)
        super().__init__("; ".join(str(e) for e in errors))


@dataclass(frozen=True)
class PostRequest:
    """One post as composed: a video (direct or inbox draft) or 1–35 photos (direct or
    MEDIA_UPLOAD).

    Interactions are off and the commercial-content toggle is off unless the person turns them
    on (§8 2c, 3); ``privacy_level`` has no default (§8 2b) and stays ``None`` for drafts,
    whose settings the creator picks in the TikTok app. ``publish_at`` is an aware datetime
    (kept in UTC) or ``None`` for "now".

    An inbox video's ``title`` is kept for the person (to paste in the app) but not sent: the
    inbox init takes only source_info (§4.3). Every other setting a mode does not send is
    refused by validation rather than silently dropped.
    """

    kind: PostKind
    mode: Delivery
    media: tuple[Path, ...]
    title: str = ""  # the caption of a video, the title of a photo post
    description: str = ""  # photo posts only (§4.4)
    privacy_level: PrivacyLevel | str | None = None
    allow_comment: bool = False
    allow_duet: bool = False
    allow_stitch: bool = False
    commercial_content: bool = False  # §8 3: "this content promotes yourself, a brand, …"
    brand_organic: bool = False  # "Your brand"
    brand_content: bool = False  # "Branded content" (paid partnership)
    is_aigc: bool = False
    cover_timestamp_ms: int | None = None  # videos
    auto_add_music: bool = False  # direct photo posts
    photo_cover_index: int = 0  # photos, counting from 0
    publish_at: datetime | None = field(default=None)

    def __post_init__(self) -> None:
        object.__setattr__(self, "kind", _enum(PostKind, self.kind, "kind"))
        object.__setattr__(self, "mode", _enum(Delivery, self.mode, "mode"))
        media = (self.media,) if isinstance(self.media, str | Path) else self.media
        object.__setattr__(self, "media", tuple(Path(p) for p in media))
        privacy = self.privacy_level
        if isinstance(privacy, str) and not isinstance(privacy, PrivacyLevel):
            cleaned = privacy.strip().upper()
            known = cleaned in tuple(PrivacyLevel)
            object.__setattr__(
                self, "privacy_level", PrivacyLevel(cleaned) if known else (cleaned or None)
            )
        moment = self.publish_at
        if moment is not None and moment.tzinfo is not None:
            object.__setattr__(self, "publish_at", moment.astimezone(UTC))

    @property
    def is_direct(self) -> bool:
        return self.mode is Delivery.DIRECT


def _enum(kind: type[PostKind] | type[Delivery], value: object, name: str) -> enum.StrEnum:
    try:
        return kind(str(value).strip().lower())
    except ValueError:
        choices = " or ".join(member.value for member in kind)
        raise PostInputError(
            FieldError(name, f"{value!r} is not a {name}: use {choices}")
        ) from None


# --- commercial content disclosure (§8 3, 4) ----------------------------------------------

MUSIC_DECLARATION = "By posting, you agree to TikTok's Music Usage Confirmation."
BRANDED_DECLARATION = (
    "By posting, you agree to TikTok's Branded Content Policy and Music Usage Confirmation."
)


def disclosure_label(request: PostRequest) -> str | None:
    """The label TikTok will show (§8 3), for the compose page; ``None`` when undisclosed."""
    noun = "video" if request.kind is PostKind.VIDEO else "photo"
    if request.commercial_content and request.brand_content:
        return f"Your {noun} will be labeled as 'Paid partnership'"
    if request.commercial_content and request.brand_organic:
        return f"Your {noun} will be labeled as 'Promotional content'"
    return None


def declaration(request: PostRequest) -> str:
    """The consent line shown before the publish button (§8 4)."""
    if request.commercial_content and request.brand_content:
        return BRANDED_DECLARATION
    return MUSIC_DECLARATION


# --- mapping to the TikTok client ---------------------------------------------------------


@dataclass(frozen=True)
class VideoInit:
    """A video init: ``post_info`` for a direct post (``init_direct_video``), ``None`` for an
    inbox draft (``init_inbox_video`` sends only source_info, §4.3)."""

    post_info: VideoPostInfo | None


@dataclass(frozen=True)
class PhotoInit:
    """The arguments of ``TikTokClient.init_photos`` other than the token and image URLs."""

    post_info: PhotoPostInfo
    mode: PostMode
    photo_cover_index: int
    is_aigc: bool


def build_init(request: PostRequest) -> VideoInit | PhotoInit:
    """The client's request objects for a request that passed validation.

    Allowed interactions become ``disable_*`` flags (an interaction is disabled unless the
    person turned it on, §8 2c); settings TikTok does not take for the mode are left out.
    The source stays the engine's choice: a ``FileUpload``/``PullFromUrl`` for a video, the
    hosted photo URLs for ``init_photos``.
    """
    privacy = PrivacyLevel(request.privacy_level) if request.privacy_level else None
    if not request.is_direct:
        privacy = None  # drafts get their privacy in the TikTok app (§4.3, §4.4)
    elif privacy is None:
        raise PostInputError(
            FieldError("privacy_level", "a direct post needs a privacy level: validate it first")
        )
    if request.kind is PostKind.VIDEO:
        if privacy is None:
            return VideoInit(post_info=None)
        return VideoInit(
            VideoPostInfo(
                privacy_level=privacy,
                title=request.title,
                disable_comment=not request.allow_comment,
                disable_duet=not request.allow_duet,
                disable_stitch=not request.allow_stitch,
                video_cover_timestamp_ms=request.cover_timestamp_ms,
                brand_content_toggle=request.commercial_content and request.brand_content,
                brand_organic_toggle=request.commercial_content and request.brand_organic,
                is_aigc=request.is_aigc,
            )
        )
    return PhotoInit(
        post_info=PhotoPostInfo(
            privacy_level=privacy,
            title=request.title,
            description=request.description,
            disable_comment=not request.allow_comment,
            auto_add_music=request.auto_add_music,
            brand_content_toggle=request.commercial_content and request.brand_content,
            brand_organic_toggle=request.commercial_content and request.brand_organic,
        ),
        mode=PostMode.DIRECT_POST if request.is_direct else PostMode.MEDIA_UPLOAD,
        photo_cover_index=request.photo_cover_index,
        is_aigc=request.is_aigc,
    )


# --- local time <-> UTC -------------------------------------------------------------------

LOCAL_TIME_EXAMPLE = "2026-12-01 18:00"


def time_zone(name: str, field: str = "time_zone") -> ZoneInfo:
    """The IANA zone ``name`` (``Europe/Berlin``), or a :class:`PostInputError` saying so."""
    try:
        return ZoneInfo(name.strip())
    except (ZoneInfoNotFoundError, ValueError):
        raise PostInputError(
            FieldError(
                field, f"{name!r} is not a known time zone: use an IANA name like Europe/Berlin"
            )
        ) from None


def parse_local_time(text: str, zone: str, field: str = "publish_at") -> datetime:
    """A person's wall-clock time in ``zone`` (``"2026-12-01 18:00"``) as an aware UTC datetime.

    A time the clocks skip (spring forward) or pass twice (fall back) is refused with the
    fix in the message; a time that happens twice may carry its UTC offset to say which
    (``"2026-10-25 02:30+01:00"``), which is how :func:`format_local_time` writes it.
    """
    tz = time_zone(zone)
    try:
        parsed = datetime.fromisoformat(text.strip())
    except ValueError:
        parsed = None
    if parsed is None or ":" not in text:
        raise PostInputError(
            FieldError(
                field, f"{text!r} is not a date and time: write it like {LOCAL_TIME_EXAMPLE}"
            )
        )
    wall = parsed.replace(tzinfo=None)
    offsets = _offsets(wall, tz)
    if parsed.tzinfo is not None:
        return _with_offset(parsed, offsets, tz, field)
    if len(offsets) == 1 and _exists(wall, tz):
        return wall.replace(tzinfo=tz).astimezone(UTC)
    raise PostInputError(FieldError(field, _unclear_time_message(wall, tz, offsets)))


def format_local_time(moment: datetime, zone: str) -> str:
    """``moment`` on the wall clocks of ``zone``, as :func:`parse_local_time` reads it back.

    Seconds appear only when not zero; the UTC offset only when the wall time happens twice.
    """
    if moment.tzinfo is None:
        raise ValueError("format_local_time needs an aware datetime (UTC), not a naive one")
    tz = time_zone(zone)
    local = moment.astimezone(tz)
    wall = local.replace(tzinfo=None, microsecond=0)
    text = wall.strftime("%Y-%m-%d %H:%M:%S" if wall.second else "%Y-%m-%d %H:%M")
    if len(_offsets(wall, tz)) > 1:
        text += _offset_text(local.utcoffset())
    return text


def _offsets(wall: datetime, tz: ZoneInfo) -> list[timedelta]:
    """The UTC offsets ``tz`` could mean at this wall time: two around a clock change."""
    found: list[timedelta] = []
    for fold in (0, 1):
        offset = wall.replace(tzinfo=tz, fold=fold).utcoffset()
        if offset is not None and offset not in found:
            found.append(offset)
    return found


def _exists(wall: datetime, tz: ZoneInfo, fold: int = 0) -> bool:
    """Whether the clocks of ``tz`` ever show ``wall`` (they skip some times in spring)."""
    moment = wall.replace(tzinfo=tz, fold=fold).astimezone(UTC)
    return moment.astimezone(tz).replace(tzinfo=None) == wall


def _with_offset(parsed: datetime, offsets: list[timedelta], tz: ZoneInfo, field: str) -> datetime:
    if parsed.utcoffset() in offsets and _exists(parsed.replace(tzinfo=None), tz):
        return parsed.astimezone(UTC)
    used = " or ".join(_offset_text(o) for o in offsets)
    raise PostInputError(
        FieldError(
            field,
            f"{parsed.isoformat(' ')} does not match {tz.key}, which is at UTC{used} then: "
            "leave the offset out or correct it",
        )
    )


def _unclear_time_message(wall: datetime, tz: ZoneInfo, offsets: list[timedelta]) -> str:
    shown = wall.strftime("%Y-%m-%d %H:%M")
    change = abs(offsets[1] - offsets[0]) if len(offsets) > 1 else timedelta(0)
    if _exists(wall, tz, 0) and _exists(wall, tz, 1):
        first, second = (shown + _offset_text(o) for o in offsets)
        return (
            f"{shown} happens twice in {tz.key} (the clocks go back {_span(change)} that "
            f"night): pick another time, or say which one with its UTC offset: "
            f"{first!r} (the first) or {second!r} (the second)"
        )
    later = wall.replace(tzinfo=tz).astimezone(UTC).astimezone(tz).strftime("%H:%M")
    return (
        f"{shown} does not exist in {tz.key}: the clocks skip forward {_span(change)} that "
        f"night. Pick another time, e.g. {later}"
    )


def _span(delta: timedelta) -> str:
    minutes = int(delta.total_seconds()) // 60
    if minutes % 60 == 0:
        hours = minutes // 60
        return f"{hours} hour" + ("s" if hours != 1 else "")
    return f"{minutes} minutes"


def _offset_text(offset: timedelta | None) -> str:
    seconds = int((offset or timedelta(0)).total_seconds())
    sign = "-" if seconds < 0 else "+"
    hours, rest = divmod(abs(seconds), 3600)
    return f"{sign}{hours:02d}:{rest // 60:02d}"
