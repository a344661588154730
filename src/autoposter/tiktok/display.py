"""Display API v2 (§3): the creator's profile and public videos."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Sequence

from .models import AccessToken, UserInfo, Video, VideoPage, bearer_token
from .transport import Transport

log = logging.getLogger("autoposter.tiktok")

USER_FIELDS_BASIC = ("open_id", "union_id", "avatar_url", "display_name")
VIDEO_FIELDS = (
    "id",
    "create_time",
    "cover_image_url",
    "share_url",
    "video_description",
    "duration",
    "height",
    "width",
    "title",
    "embed_link",
    "like_count",
    "comment_count",
    "share_count",
    "view_count",
)
MAX_PAGE = 20  # §3.2 max_count
MAX_QUERY_IDS = 20  # §3.3


def _fields(fields: Iterable[str]) -> str:
    names = [f.strip() for f in fields if f.strip()]
    if not names:
        raise ValueError("ask for at least one field")
    return ",".join(names)


class DisplayApi:
    """The Display calls. Mixed into :class:`TikTokClient`; needs ``_transport``."""

    _transport: Transport

    def user_info(self, token: AccessToken, fields: Iterable[str] = USER_FIELDS_BASIC) -> UserInfo:
        """GET /v2/user/info/ (§3.1); fields beyond user.info.basic need more scopes (§2)."""
        data = self._transport.api(
            "GET",
            "/v2/user/info/",
            token=bearer_token(token),
            operation="user info",
            params={"fields": _fields(fields)},
        )
        user = data.get("user")
        return UserInfo.from_json(user if isinstance(user, dict) else {})

    def list_videos(
        self,
        token: AccessToken,
        fields: Iterable[str] = VIDEO_FIELDS,
        *,
        cursor: int | None = None,
        max_count: int = MAX_PAGE,
    ) -> VideoPage:
        """One page of the creator's public videos, newest first (§3.2)."""
        if not 1 <= max_count <= MAX_PAGE:
            raise ValueError(f"max_count must be 1–{MAX_PAGE}, not {max_count}")
        body: dict[str, int] = {"max_count": max_count}
        if cursor is not None:
            body["cursor"] = cursor
        data = self._transport.api(
            "POST",
            "/v2/video/list/",
            token=bearer_token(token),
            operation="video list",
            params={"fields": _fields(fields)},
            body=body,
        )
        raw_cursor = data.get("cursor")
        return VideoPage(
            videos=[Video.from_json(v) for v in data.get("videos") or [] if isinstance(v, dict)],
            cursor=int(raw_cursor) if isinstance(raw_cursor, int | str) else None,
            has_more=bool(data.get("has_more", False)),
        )

    def iter_videos(
        self, token: AccessToken, fields: Iterable[str] = VIDEO_FIELDS, *, max_count: int = MAX_PAGE
    ) -> Iterator[Video]:
        """Every public video, following ``cursor`` while ``has_more`` (§3.2)."""
        fields = tuple(fields)
        cursor: int | None = None
        seen_cursors: set[int] = set()
        while True:
            page = self.list_videos(token, fields, cursor=cursor, max_count=max_count)
            yield from page.videos
            if not page.has_more or page.cursor is None:
                return
            if page.cursor in seen_cursors:
                # A cursor that does not move would loop forever; stop with what we have.
                log.warning("video list cursor %d repeated; stopping the listing", page.cursor)
                return
            seen_cursors.add(page.cursor)
            cursor = page.cursor

    def query_videos(
        self, token: AccessToken, ids: Sequence[str | int], fields: Iterable[str] = VIDEO_FIELDS
    ) -> list[Video]:
        """The creator's videos with these ids (§3.3), asking 20 ids at a time.

        Ids TikTok does not return (not the creator's, deleted) are simply absent.
        """
        fields_param = _fields(fields)
        found: list[Video] = []
        id_strings = [str(i) for i in ids]
        for start in range(0, len(id_strings), MAX_QUERY_IDS):
            batch = id_strings[start : start + MAX_QUERY_IDS]
            data = self._transport.api(
                "POST",
                "/v2/video/query/",
                token=bearer_token(token),
                operation="video query",
                params={"fields": fields_param},
                body={"filters": {"video_ids": batch}},
            )
            found.extend(
                Video.from_json(v) for v in data.get("videos") or [] if isinstance(v, dict)
            )
        return found
