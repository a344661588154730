"""Between the API's JSON and the post services: request bodies into :class:`PostRequest`
fields, times typed by people into UTC, and post views into the JSON the API answers with.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from ...posts import Composed as ComposedPost
from ...posts import HistoryEntry, PostRequest, PostView, QuotaWarning
from ...posts.compose import parse_local_time
from ...store.models import User
from .errors import invalid_input
from .schemas import (
    Composed,
    HistoryItem,
    Post,
    PostCreate,
    PostUpdate,
    ScheduleWarning,
)

# Times outside these years are typos (and near datetime's limits, overflows).
FIRST_YEAR, LAST_YEAR = 1970, 2099
_REQUEST_FIELDS = {f.name for f in dataclasses.fields(PostRequest)} - {"media"}
_BRANDS = ("brand_organic", "brand_content")


# --- Into the services --------------------------------------------------------------------


def parse_time(text: str | None, user: User, field: str) -> datetime | None:
    """An ISO 8601 time with an offset, or a wall-clock time in the user's zone, as UTC."""
    if text is None or not text.strip():
        return None
    try:
        moment: datetime | None = datetime.fromisoformat(text.strip())
    except ValueError:
        moment = None
    try:
        if moment is not None and moment.tzinfo is not None:
            moment = moment.astimezone(UTC)
        else:
            moment = parse_local_time(text, user.time_zone or "UTC", field)
    except OverflowError:
        moment = None
    if moment is None or not FIRST_YEAR <= moment.year <= LAST_YEAR:
        raise invalid_input(
            field,
            f"{text!r} is not a time Autoposter can use: pick one in {FIRST_YEAR}–{LAST_YEAR}",
        )
    return moment


def create_fields(body: PostCreate, user: User) -> dict[str, Any]:
    """The :class:`PostRequest` fields (media apart) of a new post."""
    values = {name: getattr(body, name) for name in _REQUEST_FIELDS}
    values["publish_at"] = parse_time(body.publish_at, user, "publish_at")
    if values["kind"] is None:
        del values["kind"]  # read from the media
    if values["commercial_content"] is None:
        # §8 3: ticking a box means disclosing; the API need not send the toggle too.
        values["commercial_content"] = body.brand_organic or body.brand_content
    return values


def update_fields(body: PostUpdate, user: User, current: PostView) -> dict[str, Any]:
    """The fields a PATCH changes; ``null`` for kind or mode means "leave it"."""
    given = body.model_fields_set & _REQUEST_FIELDS
    changes = {name: getattr(body, name) for name in given}
    for name in ("kind", "mode"):
        if changes.get(name, "") is None:
            del changes[name]
    if "publish_at" in changes:
        changes["publish_at"] = parse_time(body.publish_at, user, "publish_at")
    if changes.get("commercial_content", "") is None or (
        "commercial_content" not in changes and given & set(_BRANDS)
    ):
        brands = [changes.get(name, getattr(current, name)) for name in _BRANDS]
        changes["commercial_content"] = any(brands)
    return changes


def form_values(fields: Mapping[str, list[str]]) -> dict[str, Any]:
    """A multipart form's fields as the JSON body would hold them: ``media_ids`` may repeat
    or be comma-separated; an empty value is an absent one (but for text)."""
    values: dict[str, Any] = {}
    for name, texts in fields.items():
        if name == "media_ids":
            values[name] = [part.strip() for t in texts for part in t.split(",") if part.strip()]
        elif texts[-1] != "" or name in ("title", "description"):
            values[name] = texts[-1]
    return values


# --- Out of the services ------------------------------------------------------------------


def post_of(view: PostView, usernames: Mapping[int, str | None]) -> Post:
    username = usernames.get(view.account_id) if view.account_id is not None else None
    # Validated from the view's own fields (and its media's, read as attributes) in
    # pydantic's core rather than copied field by field here: the list does this fifty
    # times a page. Fields the schema does not name (user_id) are left out.
    fields = {**vars(view), "post_url": view.tiktok_url(username)}
    return Post.model_validate(fields, from_attributes=True)


def warnings_of(warnings: Iterable[QuotaWarning]) -> list[ScheduleWarning]:
    return [ScheduleWarning(code=w.code, message=w.message, fits_at=w.fits_at) for w in warnings]


def composed_of(composed: ComposedPost, usernames: Mapping[int, str | None]) -> Composed:
    return Composed(post=post_of(composed.post, usernames), warnings=warnings_of(composed.warnings))


def history_of(entries: Iterable[HistoryEntry]) -> list[HistoryItem]:
    return [
        HistoryItem(at=e.at, from_status=e.from_status, to_status=e.to_status, detail=e.detail)
        for e in entries
    ]
