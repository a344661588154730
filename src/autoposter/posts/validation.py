"""Check a post against TikTok's rules before it is queued, and again before it is sent.

:func:`validate` runs when a post is composed or imported; :func:`validate_for_sending` runs
at send time against a fresh creator_info (§8 1: "use the latest creator_info"), so a creator
who has meanwhile turned comments off, made the account private or lost the longer video
limit gets a clear failure instead of a TikTok error. Both return every problem at once as
:class:`FieldError` values; an empty list means valid.

The rules: §4.2–§4.4 (fields and lengths), §4.10 (media, via :mod:`autoposter.media`) and §8
(the Content Sharing Guidelines: privacy from the creator's options with no default,
interactions impossible to turn on where the creator disabled them, photo posts only have
Allow Comment, branded content can't be private, a disclosure needs one of its boxes).
Settings TikTok does not take for a kind or mode are refused rather than silently dropped.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from autoposter.media import inspect_image, inspect_video
from autoposter.tiktok import CreatorInfo, PrivacyLevel, utf16_length
from autoposter.tiktok.posting import (
    INT32_MAX,
    MAX_PHOTO_DESCRIPTION,
    MAX_PHOTO_TITLE,
    MAX_PHOTOS,
    MAX_VIDEO_TITLE,
)

from .compose import FieldError, PostKind, PostRequest

# A post composed "for now" reaches the server a little later; only clearly past times fail.
PAST_GRACE = timedelta(seconds=60)

PRIVACY_LABELS = {
    PrivacyLevel.PUBLIC_TO_EVERYONE: "Everyone",
    PrivacyLevel.MUTUAL_FOLLOW_FRIENDS: "Friends",
    PrivacyLevel.FOLLOWER_OF_CREATOR: "Followers",
    PrivacyLevel.SELF_ONLY: "Only me",
}

_DRAFT = (
    "an inbox draft is finished by the creator in the TikTok app, where this is chosen: "
    "leave it off, or post directly (mode direct)"
)
_INTERACTIONS = (
    ("allow_comment", "comment_disabled", "comments", "Allow Comment"),
    ("allow_duet", "duet_disabled", "duets", "Allow Duet"),
    ("allow_stitch", "stitch_disabled", "stitches", "Allow Stitch"),
)


def validate(
    request: PostRequest, creator_info: CreatorInfo | None, now: datetime
) -> list[FieldError]:
    """Every problem with ``request`` before it is queued; ``now`` is an aware datetime.

    ``creator_info`` is the account's latest creator_info (§4.1); it may be ``None`` only
    for inbox drafts, which do not need it (§4.0).
    """
    return [*validate_for_sending(request, creator_info), *_publish_at_errors(request, now)]


def validate_for_sending(
    request: PostRequest, creator_info: CreatorInfo | None
) -> list[FieldError]:
    """The same rules at send time, against a creator_info fetched just now; the time the
    post was due is no longer checked. Media files are probed again (headers only)."""
    return [
        *_creator_info_errors(request, creator_info),
        *_not_taken_errors(request),
        *_text_errors(request),
        *_privacy_errors(request, creator_info),
        *_interaction_errors(request, creator_info),
        *_commercial_errors(request),
        *_media_errors(request, creator_info),
    ]


def _creator_info_errors(
    request: PostRequest, creator_info: CreatorInfo | None
) -> list[FieldError]:
    if not request.is_direct or creator_info is not None:
        return []
    message = (
        "a direct post is checked against the account's current TikTok settings "
        "(creator_info), which could not be loaded: reload them and try again"
    )
    return [FieldError("account", message)]


def _not_taken(request: PostRequest) -> dict[str, str]:
    """The fields TikTok does not take for this kind and mode, and why."""
    reasons: dict[str, str] = {}
    if request.kind is PostKind.VIDEO:
        reasons["description"] = "only photo posts have a description: put the text in the title"
        reasons["auto_add_music"] = "TikTok adds music only to direct photo posts: turn it off"
        reasons["photo_cover_index"] = (
            "only photo posts have a cover photo: pick a video frame with cover_timestamp_ms"
        )
        drafted = ["privacy_level", "allow_comment", "allow_duet", "allow_stitch"]
        drafted += ["commercial_content", "brand_organic", "brand_content"]
        drafted += ["cover_timestamp_ms", "is_aigc"]  # an inbox init sends only source_info
    else:
        # §8 2c: photo posts show only Allow Comment.
        reasons["allow_duet"] = "photo posts have no duets: turn Allow Duet off"
        reasons["allow_stitch"] = "photo posts have no stitches: turn Allow Stitch off"
        reasons["cover_timestamp_ms"] = (
            "a photo post's cover is chosen with photo_cover_index, not a timestamp"
        )
        drafted = ["privacy_level", "allow_comment", "auto_add_music"]
        drafted += ["commercial_content", "brand_organic", "brand_content"]  # §4.4
    if not request.is_direct:
        reasons.update(dict.fromkeys(drafted, _DRAFT))
    return reasons


def _not_taken_errors(request: PostRequest) -> list[FieldError]:
    errors = []
    for name, reason in _not_taken(request).items():
        value = getattr(request, name)
        is_set = value is not None if name == "cover_timestamp_ms" else bool(value)
        if is_set:
            errors.append(FieldError(name, reason))
    return errors


def _text_errors(request: PostRequest) -> list[FieldError]:
    if request.kind is PostKind.VIDEO:
        limits = [("title", "caption", MAX_VIDEO_TITLE)]
    else:
        limits = [("title", "title", MAX_PHOTO_TITLE)]
        limits.append(("description", "description", MAX_PHOTO_DESCRIPTION))
    errors = []
    for name, noun, limit in limits:
        length = utf16_length(getattr(request, name))
        if length > limit:
            message = (
                f"the {noun} is {length} characters long as TikTok counts them (UTF-16 units: "
                f"most emoji count 2); TikTok allows {limit}: shorten it by {length - limit}"
            )
            errors.append(FieldError(name, message))
    return errors


def _privacy_errors(request: PostRequest, creator_info: CreatorInfo | None) -> list[FieldError]:
    if not request.is_direct:
        return []
    value = request.privacy_level
    offered = creator_info.privacy_level_options if creator_info else tuple(PrivacyLevel)
    choices = ", ".join(_privacy_label(o) for o in offered)
    if value is None:
        # §8 2b: chosen by the person, never defaulted.
        return [FieldError("privacy_level", f"choose who can see this post: {choices}")]
    if value not in tuple(PrivacyLevel):
        return [FieldError("privacy_level", f"{value!r} is not a privacy level: use {choices}")]
    if creator_info is not None and value not in offered:
        message = (
            f"{_who(creator_info)} cannot post with {_privacy_label(value)} now "
            f"(TikTok offers {choices}): choose one of those"
        )
        return [FieldError("privacy_level", message)]
    return []


def _interaction_errors(request: PostRequest, creator_info: CreatorInfo | None) -> list[FieldError]:
    if not request.is_direct or creator_info is None:
        return []
    taken = _not_taken(request)
    errors = []
    for name, disabled_flag, noun, switch in _INTERACTIONS:
        if name in taken or not getattr(request, name):
            continue
        if getattr(creator_info, disabled_flag):
            # §8 2c: greyed out where creator_info reports it disabled.
            message = (
                f"{_who(creator_info)} has turned {noun} off in TikTok, so {switch} must stay "
                "off: turn it off here (or change the setting in the TikTok app first)"
            )
            errors.append(FieldError(name, message))
    return errors


def _commercial_errors(request: PostRequest) -> list[FieldError]:
    if not request.is_direct:
        return []
    errors = []
    boxes = request.brand_organic or request.brand_content
    if request.commercial_content and not boxes:
        # §8 3: toggle on with neither box ticked cannot be published.
        message = (
            "you turned on the commercial content disclosure: indicate whether this post "
            "promotes yourself (brand_organic, 'Your brand'), a third party (brand_content, "
            "'Branded content'), or both, or turn the disclosure off"
        )
        errors.append(FieldError("commercial_content", message))
    for name, label in (("brand_organic", "Your brand"), ("brand_content", "Branded content")):
        if getattr(request, name) and not request.commercial_content:
            message = (
                f"'{label}' is part of the commercial content disclosure: turn "
                "commercial_content on, or untick it"
            )
            errors.append(FieldError(name, message))
    if request.brand_content and request.privacy_level == PrivacyLevel.SELF_ONLY:
        # §8 3: the hover text TikTok requires, then the way out.
        message = (
            "Branded content visibility cannot be set to private: choose another privacy "
            "level, or untick 'Branded content'"
        )
        errors.append(FieldError("privacy_level", message))
    return errors


def _media_errors(request: PostRequest, creator_info: CreatorInfo | None) -> list[FieldError]:
    if request.kind is PostKind.VIDEO:
        return _video_errors(request, creator_info)
    return _photo_errors(request)


def _video_errors(request: PostRequest, creator_info: CreatorInfo | None) -> list[FieldError]:
    if len(request.media) != 1:
        count = len(request.media)
        message = f"a video post takes exactly one video file, not {count}"
        return [FieldError("media", message + ("" if count else ": add the video"))]
    # §8 1c: a direct post must fit the creator's limit; a draft can be trimmed in the app.
    limit = creator_info.max_video_post_duration_sec if creator_info and request.is_direct else None
    info, problems = inspect_video(request.media[0], limit)
    errors = [FieldError("media", problem.message) for problem in problems]
    cover = request.cover_timestamp_ms
    if cover is None or "cover_timestamp_ms" in _not_taken(request):
        return errors
    if isinstance(cover, bool) or not isinstance(cover, int) or not 0 <= cover <= INT32_MAX:
        message = f"{cover!r} is not a time in the video: give whole milliseconds from 0"
        errors.append(FieldError("cover_timestamp_ms", message))
    elif info is not None and info.duration_sec is not None and cover > info.duration_sec * 1000:
        message = (
            f"{cover} ms is after the end of the {info.duration_sec:.2f}-s video: choose a "
            "moment within it"
        )
        errors.append(FieldError("cover_timestamp_ms", message))
    return errors


def _photo_errors(request: PostRequest) -> list[FieldError]:
    count = len(request.media)
    if count == 0:
        return [FieldError("media", "a photo post needs at least one photo: add one")]
    errors = []
    if count > MAX_PHOTOS:
        message = (
            f"a photo post takes at most {MAX_PHOTOS} photos, not {count}: "
            f"remove {count - MAX_PHOTOS}"
        )
        errors.append(FieldError("media", message))
    for index, path in enumerate(request.media):
        _, problems = inspect_image(path)
        errors += [FieldError(f"media[{index}]", problem.message) for problem in problems]
    cover = request.photo_cover_index
    if isinstance(cover, bool) or not isinstance(cover, int) or not 0 <= cover < count:
        message = (
            f"{cover!r} is not one of the {count} photos: photo_cover_index counts from 0, "
            f"so use 0–{count - 1}"
        )
        errors.append(FieldError("photo_cover_index", message))
    return errors


def _publish_at_errors(request: PostRequest, now: datetime) -> list[FieldError]:
    if now.tzinfo is None:
        raise ValueError("validate needs an aware 'now' (UTC), not a naive datetime")
    moment = request.publish_at
    if moment is None:
        return []
    if moment.tzinfo is None:
        message = "the time has no time zone: convert the person's local time with its zone"
        return [FieldError("publish_at", message)]
    if moment < now - PAST_GRACE:
        shown = moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
        message = f"{shown} is in the past: choose a later time, or leave it empty to post now"
        return [FieldError("publish_at", message)]
    return []


def _privacy_label(value: str) -> str:
    try:
        return f"{PRIVACY_LABELS[PrivacyLevel(value)]} ({value})"
    except ValueError:
        return repr(value)


def _who(creator_info: CreatorInfo) -> str:
    if creator_info.creator_nickname:
        return creator_info.creator_nickname
    if creator_info.creator_username:
        return f"@{creator_info.creator_username}"
    return "this account"
