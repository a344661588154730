"""Content Posting API (§4): creator info, video and photo inits, status, cancel.

Request objects validate what TikTok would refuse before anything is sent. Inits are never
re-sent once they may have reached TikTok (see transport.py): a second init could publish
the same content twice.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from .chunks import ChunkPlan
from .errors import RequestValidationError, UnexpectedResponse
from .models import AccessToken, CreatorInfo, PublishStatus, PublishTicket, bearer_token
from .transport import Replay, Transport

MAX_VIDEO_TITLE = 2200  # §4.2, UTF-16 code units
MAX_PHOTO_TITLE = 90  # §4.4
MAX_PHOTO_DESCRIPTION = 4000  # §4.4
MAX_PHOTOS = 35  # §4.4
INT32_MAX = 2**31 - 1


class PrivacyLevel(enum.StrEnum):
    PUBLIC_TO_EVERYONE = "PUBLIC_TO_EVERYONE"
    MUTUAL_FOLLOW_FRIENDS = "MUTUAL_FOLLOW_FRIENDS"
    FOLLOWER_OF_CREATOR = "FOLLOWER_OF_CREATOR"
    SELF_ONLY = "SELF_ONLY"


class PostMode(enum.StrEnum):
    """Photo posts (§4.4): publish directly, or send to the creator's inbox as a draft."""

    DIRECT_POST = "DIRECT_POST"
    MEDIA_UPLOAD = "MEDIA_UPLOAD"


def utf16_length(text: str) -> int:
    """Length as TikTok counts it: UTF-16 code units (an emoji outside the BMP counts 2)."""
    return len(text.encode("utf-16-le")) // 2


def _check_text(name: str, text: str, limit: int) -> None:
    length = utf16_length(text)
    if length > limit:
        raise RequestValidationError(
            f"the {name} is {length} UTF-16 units long; TikTok allows {limit}: shorten it"
        )


def _privacy(value: PrivacyLevel | str) -> PrivacyLevel:
    try:
        return PrivacyLevel(value)
    except ValueError:
        options = ", ".join(p.value for p in PrivacyLevel)
        raise RequestValidationError(
            f"unknown privacy level {value!r}: use one of {options} (as creator_info offers)"
        ) from None


def _check_branding(privacy: PrivacyLevel | None, brand_content: bool) -> None:
    # §8 item 3: branded content (paid partnership) cannot be private.
    if brand_content and privacy is PrivacyLevel.SELF_ONLY:
        raise RequestValidationError(
            "Branded content visibility cannot be set to private: choose another privacy "
            "level or turn off brand_content_toggle"
        )


@dataclass(frozen=True)
class VideoPostInfo:
    """``post_info`` of a direct video post (§4.2). No field is pre-chosen for the creator
    (§8): privacy is required, interactions are allowed unless disabled here."""

    privacy_level: PrivacyLevel
    title: str = ""
    disable_comment: bool = False
    disable_duet: bool = False
    disable_stitch: bool = False
    video_cover_timestamp_ms: int | None = None
    brand_content_toggle: bool = False
    brand_organic_toggle: bool = False
    is_aigc: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "privacy_level", _privacy(self.privacy_level))
        _check_text("video title", self.title, MAX_VIDEO_TITLE)
        cover = self.video_cover_timestamp_ms
        if cover is not None and (isinstance(cover, bool) or not 0 <= cover <= INT32_MAX):
            raise RequestValidationError(
                "video_cover_timestamp_ms must be a whole number of milliseconds ≥ 0, "
                f"not {cover!r}"
            )
        _check_branding(self.privacy_level, self.brand_content_toggle)

    def to_json(self) -> dict[str, Any]:
        info: dict[str, Any] = {
            "privacy_level": self.privacy_level.value,
            "disable_comment": self.disable_comment,
            "disable_duet": self.disable_duet,
            "disable_stitch": self.disable_stitch,
            "brand_content_toggle": self.brand_content_toggle,
            "brand_organic_toggle": self.brand_organic_toggle,
            "is_aigc": self.is_aigc,
        }
        if self.title:
            info["title"] = self.title
        if self.video_cover_timestamp_ms is not None:
            info["video_cover_timestamp_ms"] = self.video_cover_timestamp_ms
        return info


@dataclass(frozen=True)
class PhotoPostInfo:
    """``post_info`` of a photo post (§4.4). ``privacy_level`` is required for DIRECT_POST;
    the interaction, music and brand fields only apply to DIRECT_POST."""

    privacy_level: PrivacyLevel | None = None
    title: str = ""
    description: str = ""
    disable_comment: bool = False
    auto_add_music: bool = False
    brand_content_toggle: bool = False
    brand_organic_toggle: bool = False

    def __post_init__(self) -> None:
        if self.privacy_level is not None:
            object.__setattr__(self, "privacy_level", _privacy(self.privacy_level))
        _check_text("photo title", self.title, MAX_PHOTO_TITLE)
        _check_text("photo description", self.description, MAX_PHOTO_DESCRIPTION)
        _check_branding(self.privacy_level, self.brand_content_toggle)

    def to_json(self, mode: PostMode) -> dict[str, Any]:
        info: dict[str, Any] = {}
        if self.title:
            info["title"] = self.title
        if self.description:
            info["description"] = self.description
        if mode is PostMode.DIRECT_POST:
            if self.privacy_level is None:
                raise RequestValidationError(
                    "a direct photo post needs a privacy_level chosen by the creator"
                )
            info.update(
                privacy_level=self.privacy_level.value,
                disable_comment=self.disable_comment,
                auto_add_music=self.auto_add_music,
                brand_content_toggle=self.brand_content_toggle,
                brand_organic_toggle=self.brand_organic_toggle,
            )
        return info


@dataclass(frozen=True)
class FileUpload:
    """Send the bytes ourselves in chunks (§4.5); the init returns an upload_url."""

    plan: ChunkPlan

    def source_info(self) -> dict[str, Any]:
        return dict(self.plan.source_info())


@dataclass(frozen=True)
class PullFromUrl:
    """TikTok downloads the video from a URL on a verified domain or prefix (§4.6)."""

    video_url: str

    def __post_init__(self) -> None:
        if not self.video_url:
            raise RequestValidationError("PULL_FROM_URL needs the video's URL")

    def source_info(self) -> dict[str, Any]:
        return {"source": "PULL_FROM_URL", "video_url": self.video_url}


VideoSource = FileUpload | PullFromUrl


def _check_photos(photo_images: Sequence[str], cover_index: int) -> list[str]:
    images = list(photo_images)
    if not 1 <= len(images) <= MAX_PHOTOS:
        raise RequestValidationError(f"a photo post has 1–{MAX_PHOTOS} photos, not {len(images)}")
    if any(not isinstance(url, str) or not url for url in images):
        raise RequestValidationError("every photo needs a non-empty URL")
    if isinstance(cover_index, bool) or not 0 <= cover_index < len(images):
        raise RequestValidationError(
            f"photo_cover_index {cover_index!r} is not the index of one of the "
            f"{len(images)} photos (it counts from 0)"
        )
    return images


class PostingApi:
    """The Content Posting calls. Mixed into :class:`TikTokClient`; needs ``_transport``."""

    _transport: Transport

    def creator_info(self, token: AccessToken) -> CreatorInfo:
        """Query what the creator may post now (§4.1); call it when rendering the post page.

        Its cap and ban errors arrive on HTTP 200 and raise like any other (§4.1).
        """
        data = self._transport.api(
            "POST",
            "/v2/post/publish/creator_info/query/",
            token=bearer_token(token),
            operation="creator info query",
            body={},
        )
        return CreatorInfo.from_json(data)

    def init_direct_video(
        self, token: AccessToken, post_info: VideoPostInfo, source: VideoSource
    ) -> PublishTicket:
        """Start a direct video post (§4.2). Store ``publish_id`` before uploading."""
        body = {"post_info": post_info.to_json(), "source_info": source.source_info()}
        return self._init("/v2/post/publish/video/init/", token, body, "direct video init", source)

    def init_inbox_video(self, token: AccessToken, source: VideoSource) -> PublishTicket:
        """Send a video to the creator's inbox as a draft (§4.3): the body is source_info only."""
        body = {"source_info": source.source_info()}
        return self._init(
            "/v2/post/publish/inbox/video/init/", token, body, "inbox video init", source
        )

    def init_photos(
        self,
        token: AccessToken,
        photo_images: Sequence[str],
        post_info: PhotoPostInfo,
        *,
        mode: PostMode = PostMode.DIRECT_POST,
        photo_cover_index: int = 0,
        is_aigc: bool = False,
    ) -> PublishTicket:
        """Start a photo post from URLs (§4.4); ``is_aigc`` sits at the top level there."""
        images = _check_photos(photo_images, photo_cover_index)
        mode = PostMode(mode)
        body: dict[str, Any] = {
            "media_type": "PHOTO",
            "post_mode": mode.value,
            "post_info": post_info.to_json(mode),
            "source_info": {
                "source": "PULL_FROM_URL",
                "photo_images": images,
                "photo_cover_index": photo_cover_index,
            },
        }
        if is_aigc:
            body["is_aigc"] = True
        return self._init("/v2/post/publish/content/init/", token, body, "photo init", None)

    def fetch_status(self, token: AccessToken, publish_id: str) -> PublishStatus:
        """The publish's status (§4.7); post ids stay exact 19-digit ints."""
        data = self._transport.api(
            "POST",
            "/v2/post/publish/status/fetch/",
            token=bearer_token(token),
            operation="publish status fetch",
            body={"publish_id": publish_id},
        )
        return PublishStatus.from_json(data)

    def cancel(self, token: AccessToken, publish_id: str) -> None:
        """Cancel an ongoing PULL_FROM_URL download (§4.8); not re-sent if the answer is lost."""
        self._transport.api(
            "POST",
            "/v2/post/publish/cancel/",
            token=bearer_token(token),
            operation="publish cancel",
            replay=Replay.NEVER,
            body={"publish_id": publish_id},
        )

    def _init(
        self,
        path: str,
        token: AccessToken,
        body: dict[str, Any],
        operation: str,
        source: VideoSource | None,
    ) -> PublishTicket:
        data = self._transport.api(
            "POST",
            path,
            token=bearer_token(token),
            operation=operation,
            replay=Replay.NEVER,
            body=body,
        )
        publish_id = data.get("publish_id")
        if not isinstance(publish_id, str) or not publish_id:
            raise UnexpectedResponse(f"the {operation} answer has no publish_id")
        upload_url = data.get("upload_url")
        if isinstance(source, FileUpload) and (not isinstance(upload_url, str) or not upload_url):
            raise UnexpectedResponse(
                f"the {operation} accepted publish {publish_id} but sent no upload_url"
            )
        return PublishTicket(
            publish_id=publish_id, upload_url=upload_url if isinstance(upload_url, str) else None
        )
