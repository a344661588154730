"""``posts.list_posts_page``, the keyset pagination behind GET /api/v1/posts and the
dashboard's list: every post exactly once, in order, on both databases — and each page read
through the index, so its cost does not grow with the number of posts."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event

from autoposter.accounts import Context, create_user
from autoposter.config import Settings
from autoposter.posts import InvalidCursor, list_posts_page
from autoposter.store import Database, upgrade
from autoposter.store.models import User
from tests.api.listing import insert_posts
from tests.databases import database_for

BASE = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)


@pytest.fixture(params=["sqlite", "postgresql"])
def ctx(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Context]:
    for url in database_for(request.param, tmp_path):
        upgrade(url)
        context = Context(Settings(data_dir=tmp_path, database_url=url), Database(url))
        yield context
        context.close()


@pytest.fixture
def user(ctx: Context) -> User:
    return create_user(ctx, "ana", "correct horse battery")


def every_page(ctx: Context, user: User, **options: Any) -> list[list[int]]:
    pages, cursor = [], None
    while True:
        page = list_posts_page(ctx, user, cursor=cursor, **options)
        pages.append([p.id for p in page.items])
        if page.next_cursor is None:
            return pages
        cursor = page.next_cursor


def test_every_post_comes_once_newest_first_ties_broken_by_id(ctx: Context, user: User) -> None:
    times: list[datetime | None] = [BASE + timedelta(minutes=m % 4) for m in range(11)]
    ids = insert_posts(ctx, user.id, None, times, created_at=BASE)
    drafts = insert_posts(
        ctx, user.id, None, [None] * 3, status="draft", created_at=BASE + timedelta(minutes=2)
    )
    pages = every_page(ctx, user, limit=4)
    flat = [i for page in pages for i in page]
    expected = sorted(
        [(BASE + timedelta(minutes=(i % 4)), post_id) for i, post_id in enumerate(ids)]
        + [(BASE + timedelta(minutes=2), post_id) for post_id in drafts],
        reverse=True,
    )
    assert flat == [post_id for _, post_id in expected]
    assert [len(page) for page in pages] == [4, 4, 4, 2]


def test_a_page_holds_what_fits_and_the_limit_is_bounded(ctx: Context, user: User) -> None:
    insert_posts(ctx, user.id, None, [BASE] * 3, created_at=BASE)
    assert len(list_posts_page(ctx, user, limit=0).items) == 1
    assert list_posts_page(ctx, user, limit=3).next_cursor is None


def test_a_forged_cursor_is_refused(ctx: Context, user: User) -> None:
    with pytest.raises(InvalidCursor, match="next_cursor"):
        list_posts_page(ctx, user, cursor="WyIyMDMwLTAxLTAxVDEyOjAwOjAwIiwxXQ")  # naive time


def test_a_page_reads_the_index_instead_of_sorting_every_post(ctx: Context, user: User) -> None:
    if ctx.db.dialect != "sqlite":
        pytest.skip("the plan is checked on SQLite; PostgreSQL picks plans by table size")
    insert_posts(
        ctx, user.id, None, [BASE + timedelta(minutes=i) for i in range(5)], created_at=BASE
    )
    first = list_posts_page(ctx, user, limit=2)
    statements: list[tuple[str, Any]] = []

    def capture(_conn: Any, _cursor: Any, statement: str, params: Any, *_: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT POSTS."):
            statements.append((statement, params))

    event.listen(ctx.db.engine, "before_cursor_execute", capture)
    try:
        list_posts_page(ctx, user, limit=2, cursor=first.next_cursor)
    finally:
        event.remove(ctx.db.engine, "before_cursor_execute", capture)
    (statement, params), *_ = statements
    with ctx.db.engine.connect() as connection:
        raw = connection.connection.dbapi_connection
        assert raw is not None
        rows = raw.execute(f"EXPLAIN QUERY PLAN {statement}", params)
        plan = " / ".join(str(row[-1]) for row in rows)
    assert "ix_posts_user_id_when" in plan, plan
    assert "TEMP B-TREE" not in plan, plan  # no sort of all the user's posts


def test_several_statuses_come_merged_newest_first_across_pages(ctx: Context, user: User) -> None:
    minutes = [BASE + timedelta(minutes=m) for m in range(9)]
    failed = insert_posts(ctx, user.id, None, minutes[0::3], status="failed", created_at=BASE)
    queued = insert_posts(ctx, user.id, None, minutes[1::3], status="queued", created_at=BASE)
    insert_posts(ctx, user.id, None, minutes[2::3], status="published", created_at=BASE)
    pages = every_page(ctx, user, status=["failed", "queued"], limit=2)
    flat = [i for page in pages for i in page]
    by_time = dict(zip(failed, minutes[0::3], strict=True)) | dict(
        zip(queued, minutes[1::3], strict=True)
    )
    assert flat == sorted(by_time, key=lambda i: by_time[i], reverse=True)
    assert [len(page) for page in pages] == [2, 2, 2]


def test_a_rare_status_is_read_from_its_own_index_range(ctx: Context, user: User) -> None:
    if ctx.db.dialect != "sqlite":
        pytest.skip("the plan is checked on SQLite; PostgreSQL picks plans by table size")
    insert_posts(ctx, user.id, None, [BASE] * 3, status="queued", created_at=BASE)
    statements: list[tuple[str, Any]] = []

    def capture(_conn: Any, _cursor: Any, statement: str, params: Any, *_: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT POSTS."):
            statements.append((statement, params))

    event.listen(ctx.db.engine, "before_cursor_execute", capture)
    try:
        list_posts_page(ctx, user, status="queued", limit=2)
    finally:
        event.remove(ctx.db.engine, "before_cursor_execute", capture)
    (statement, params), *_ = statements
    with ctx.db.engine.connect() as connection:
        raw = connection.connection.dbapi_connection
        assert raw is not None
        plan = " / ".join(
            str(r[-1]) for r in raw.execute(f"EXPLAIN QUERY PLAN {statement}", params)
        )
    assert "ix_posts_user_id_status_when" in plan, plan
    assert "TEMP B-TREE" not in plan, plan
