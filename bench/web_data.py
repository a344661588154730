"""The bench's data sets: a data directory with ``posts`` posts, built in seconds.

One user (time zone Europe/Berlin) with 10 connected accounts, and a second user owning
every 200th post, so the ownership filter has rows to skip. The posts spread over a year,
11 months past and one ahead: past ones mostly published (or in the inbox), some failed,
cancelled or expired; future ones scheduled. The rare statuses come in the same numbers
whatever the size, so a filtered page lists as many rows on 1,000 posts as on 100,000 and
the growth check compares like with like: 60 to 80 drafts among the future posts (1 in 120
of them at 100,000 posts), and the 24 or so posts nearest to now in flight (within an hour
either side at 100,000). Each has one status event and one media row (two for photo posts).
Rows go in with SQLAlchemy Core ``insert()`` in batches of 5,000 inside one transaction.
Used by ``bench/web.py``.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, insert, select, update

from autoposter.accounts import Context, create_api_token, create_user
from autoposter.config import load_settings
from autoposter.posts.listing import encode_cursor
from autoposter.store import upgrade
from autoposter.store.models import (
    CANCELLED,
    DRAFT,
    EXPIRED,
    FAILED,
    IN_INBOX,
    POST_WHEN,
    PROCESSING,
    PUBLISHED,
    QUEUED,
    SCHEDULED,
    UPLOADING,
    Post,
    PostMedia,
    PostStatusEvent,
    TikTokAccount,
    User,
)
from autoposter.web.pages.session import session_cookie_for

ACCOUNTS = 10
OTHER_USER_EVERY = 200  # every 200th post is the second user's
BATCH = 5000
PAGE_SIZE = 50  # the lists' default page (contract: limit=50)
YEAR, AHEAD = timedelta(days=365), timedelta(days=35)  # the posts' times, and how far ahead
DRAFTS = 80  # at most, in expectation: more than a page
IN_FLIGHT = 24  # about: queued, uploading or processing


@dataclass
class DataSet:
    """A data directory holding ``posts`` posts, and what a client needs to read them."""

    directory: Path
    posts: int
    secret_key: str
    token: str = ""
    cookie: str = ""
    account_id: int = 0
    cursors: dict[str, str] = field(default_factory=dict)

    @property
    def data_dir(self) -> Path:
        return self.directory / "data"


def build_dataset(directory: Path, posts: int, secret_key: str) -> DataSet:
    """A data directory upgraded like ``autoposter db upgrade``, filled with ``posts`` posts;
    the session cookie is signed with ``secret_key``, which the server must be given."""
    dataset = DataSet(directory, posts, secret_key)
    settings = load_settings(data_dir=str(dataset.data_dir), secret_key=secret_key)
    upgrade(settings.database)
    ctx = Context.from_settings(settings)
    try:
        user = create_user(ctx, "bench", "bench password 123")
        other = create_user(ctx, "other", "other password 123")
        now = datetime.now(UTC)
        with ctx.db.engine.begin() as connection:
            zone = update(User).where(User.id == user.id).values(time_zone="Europe/Berlin")
            connection.execute(zone)
            accounts = insert_accounts(connection, user.id, range(1, ACCOUNTS + 1), now)
            (other_account,) = insert_accounts(connection, other.id, [ACCOUNTS + 1], now)
            insert_posts(connection, posts, now, (user.id, accounts), (other.id, other_account))
        dataset.token = create_api_token(ctx, user, "bench").token
        dataset.cookie = session_cookie_for(ctx, user)
        dataset.account_id = accounts[0]
        dataset.cursors = cursors_into(ctx, user.id, posts)
    finally:
        ctx.close()
    return dataset


def insert_accounts(
    connection: Connection, user_id: int, ids: range | list[int], now: datetime
) -> list[int]:
    """Connected accounts as rows only: listing posts never asks TikTok anything."""
    rows = [
        {
            "id": i,
            "user_id": user_id,
            "open_id": f"bench-open-id-{i}",
            "username": f"creator.{i}",
            "nickname": f"Creator {i}",
            "avatar_url": f"https://example.invalid/avatar/{i}.jpg",
            "scopes": "user.info.basic,user.info.profile,video.publish,video.upload",
            "access_expires_at": now + timedelta(hours=24),
            "access_lifetime": 86400,
            "refresh_expires_at": now + timedelta(days=365),
            "token_version": 1,
            "status": "connected",
            "connected_at": now - timedelta(days=400),
            "updated_at": now,
        }
        for i in ids
    ]
    connection.execute(insert(TikTokAccount), rows)
    return list(ids)


def insert_posts(
    connection: Connection,
    count: int,
    now: datetime,
    owner: tuple[int, list[int]],
    other: tuple[int, int],
) -> None:
    """``count`` posts with their events and media, BATCH posts per executemany."""
    rng = random.Random(count)
    posts: list[dict[str, Any]] = []
    events: list[dict[str, Any]] = []
    media: list[dict[str, Any]] = []
    media_id = 1
    for post_id in range(1, count + 1):
        if post_id % OTHER_USER_EVERY == 0:
            user_id, account_id = other
        else:
            user_id, account_id = owner[0], rng.choice(owner[1])
        post = post_row(rng, post_id, user_id, account_id, count, now)
        posts.append(post)
        events.append(event_row(post))
        files = media_rows(post, media_id)
        media.extend(files)
        media_id += len(files)
        if len(posts) == BATCH or post_id == count:
            connection.execute(insert(Post), posts)
            connection.execute(insert(PostStatusEvent), events)
            connection.execute(insert(PostMedia), media)
            posts, events, media = [], [], []


PRIVACY_LEVELS = ("PUBLIC_TO_EVERYONE", "MUTUAL_FOLLOW_FRIENDS", "SELF_ONLY")
ENDED = (PUBLISHED, IN_INBOX, FAILED, CANCELLED, EXPIRED)
REFUSED = "TikTok refused more posts today for this account: try again tomorrow."


def post_row(
    rng: random.Random, post_id: int, user_id: int, account_id: int, count: int, now: datetime
) -> dict[str, Any]:
    """One post, going out at a time spread evenly over a year that ends a month from now.
    Columns left out take their defaults (or NULL)."""
    when = now + AHEAD - YEAR + YEAR * ((post_id - 1 + rng.random()) / count)
    mode = "inbox" if rng.random() < 0.1 else "direct"
    kind = "photo" if rng.random() < 0.2 else "video"
    status = status_for(rng, when, now, mode, count)
    started = status not in (DRAFT, SCHEDULED)
    created = when - timedelta(minutes=rng.randrange(5, 4 * 24 * 60))
    failed = status == FAILED
    return {
        "id": post_id,
        "user_id": user_id,
        "account_id": account_id,
        "kind": kind,
        "mode": mode,
        "title": f"Post {post_id}: behind the scenes #autoposter #bench",
        "description": "A day at the studio, with the outtakes. " * rng.randrange(1, 5),
        "privacy_level": None if mode == "inbox" else rng.choice(PRIVACY_LEVELS),
        "allow_comment": True,
        "allow_duet": kind == "video",
        "cover_timestamp_ms": 1000 if kind == "video" else None,
        "auto_add_music": kind == "photo",
        "publish_at": None if status == DRAFT and rng.random() < 0.5 else when,
        "status": status,
        "publish_id": f"v_pub_file~v2-1.{7_300_000_000 + post_id}" if started else None,
        "source": "FILE_UPLOAD" if started else None,
        "tiktok_post_ids": [str(7_400_000_000_000 + post_id)] if status == PUBLISHED else [],
        "fail_code": "spam_risk_too_many_posts" if failed else None,
        "fail_reason": "spam_risk_too_many_posts" if failed else None,
        "fail_message": REFUSED if failed else None,
        "attempts": 1 if started else 0,
        "created_at": created,
        "updated_at": when if started else created,
    }


def status_for(rng: random.Random, when: datetime, now: datetime, mode: str, count: int) -> str:
    in_flight = YEAR / count * IN_FLIGHT / 2  # either side of now
    if when > now + in_flight:
        return DRAFT if rng.random() < DRAFTS / (count * AHEAD / YEAR) else SCHEDULED
    if when > now - in_flight:
        return rng.choice((QUEUED, UPLOADING, PROCESSING))
    roll = rng.random()
    if roll < 0.08:
        return FAILED
    if roll < 0.13:
        return CANCELLED
    if roll < 0.15:
        return EXPIRED
    return IN_INBOX if mode == "inbox" else PUBLISHED


def event_row(post: dict[str, Any]) -> dict[str, Any]:
    """The post's latest status change (one event per post: its id is the post's)."""
    status = post["status"]
    before = {DRAFT: None, SCHEDULED: DRAFT, QUEUED: SCHEDULED}.get(status, QUEUED)
    return {
        "id": post["id"],
        "post_id": post["id"],
        "from_status": before,
        "to_status": status,
        "at": post["updated_at"],
        "detail": post["fail_message"] or "",
    }


def media_rows(post: dict[str, Any], first_id: int) -> list[dict[str, Any]]:
    photo = post["kind"] == "photo"
    suffix = "jpg" if photo else "mp4"
    return [
        {
            "id": first_id + position,
            "post_id": post["id"],
            "position": position,
            "stored_path": f"{post['id']}/{position}.{suffix}",
            "original_name": f"IMG_{post['id']:06d}_{position}.{suffix}",
            "size_bytes": 850_000 if photo else 24_000_000,
            "content_type": "image/jpeg" if photo else "video/mp4",
            "deleted_at": post["updated_at"] if post["status"] in ENDED else None,
        }
        for position in range(2 if photo else 1)
    ]


def cursors_into(ctx: Context, user_id: int, posts: int) -> dict[str, str]:
    """The cursors the list hands out for page 2, a page half-way down and the last page
    (each the key of the previous page's last post), made by the listing's own encoder."""
    owned = posts - posts // OTHER_USER_EVERY
    ranks = {"page_2": PAGE_SIZE, "middle": owned // 2, "last": owned - PAGE_SIZE // 2}
    found = {}
    with ctx.db.session() as session:
        for name, rank in ranks.items():
            newest_first = select(POST_WHEN, Post.id).where(Post.user_id == user_id)
            newest_first = newest_first.order_by(POST_WHEN.desc(), Post.id.desc())
            when, post_id = session.execute(newest_first.offset(rank - 1).limit(1)).one()
            found[name] = encode_cursor(when, post_id)
    return found
