"""GET /api/v1/posts: newest first, a page at a time with an opaque cursor, filtered by
account, status and time — and only ever the caller's posts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from tests.api.conftest import Api, error_of, field_messages
from tests.api.listing import insert_posts

BASE = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)


def hours(*offsets: int) -> list[datetime | None]:
    return [BASE + timedelta(hours=h) for h in offsets]


def all_pages(api: Api, **params: Any) -> list[list[int]]:
    pages, cursor = [], None
    while True:
        query = {**params, **({"cursor": cursor} if cursor else {})}
        response = api.ana.http.get("/posts", params=query)
        assert response.status_code == 200, response.text
        body = response.json()
        pages.append([p["id"] for p in body["items"]])
        cursor = body["next_cursor"]
        if cursor is None:
            return pages


def test_pages_go_newest_first_and_cover_every_post_once(api: Api) -> None:
    ctx, ana = api.harness.ctx, api.ana
    ids = insert_posts(ctx, ana.user.id, ana.account_id, hours(*range(7)), created_at=BASE)
    pages = all_pages(api, limit=3)
    assert pages == [ids[6:3:-1], ids[3:0:-1], ids[0:1]]


def test_posts_with_the_same_time_keep_a_stable_order_across_pages(api: Api) -> None:
    ctx, ana = api.harness.ctx, api.ana
    same = insert_posts(ctx, ana.user.id, ana.account_id, hours(5, 5, 5, 5), created_at=BASE)
    drafts = insert_posts(
        ctx, ana.user.id, ana.account_id, [None, None], status="draft", created_at=BASE
    )
    flat = [i for page in all_pages(api, limit=2) for i in page]
    assert flat == sorted(same, reverse=True) + sorted(drafts, reverse=True)


def test_the_last_page_has_no_cursor(api: Api) -> None:
    body = api.ana.http.get("/posts").json()
    assert body == {"items": [], "next_cursor": None}


def test_filters_by_status_account_and_time(api: Api) -> None:
    ctx, ana = api.harness.ctx, api.ana
    scheduled = insert_posts(ctx, ana.user.id, ana.account_id, hours(1, 2, 3), created_at=BASE)
    failed = insert_posts(
        ctx, ana.user.id, ana.account_id, hours(4), status="failed", created_at=BASE
    )
    orphan = insert_posts(ctx, ana.user.id, None, hours(5), status="published", created_at=BASE)

    def ids(**params: Any) -> list[int]:
        return [i for page in all_pages(api, **params) for i in page]

    assert ids(status="failed") == failed
    assert ids(status=["failed", "published"]) == orphan + failed
    assert ids(account_id=ana.account_id) == failed + scheduled[::-1]
    window = ids(since="2030-01-01T14:00:00Z", until="2030-01-01 16:00")  # 16:00 excluded
    assert window == [scheduled[2], scheduled[1]]


def test_a_second_user_sees_none_of_the_first_users_posts(api: Api) -> None:
    ctx, ana = api.harness.ctx, api.ana
    insert_posts(ctx, ana.user.id, ana.account_id, hours(1, 2), created_at=BASE)
    assert api.bo.http.get("/posts").json()["items"] == []
    assert api.bo.http.get("/posts", params={"account_id": ana.account_id}).json()["items"] == []


def test_a_cursor_that_was_not_handed_out_is_invalid_input(api: Api) -> None:
    for cursor in ("nonsense", "W10", "WyJ5ZXN0ZXJkYXkiLDFd", "!!!"):
        error = error_of(
            api.ana.http.get("/posts", params={"cursor": cursor}), 422, "invalid_input"
        )
        assert "next_cursor" in field_messages(error)["cursor"]


def test_bad_list_parameters_are_invalid_input(api: Api) -> None:
    cases: list[tuple[dict[str, Any], str]] = [
        ({"limit": 0}, "limit"),
        ({"limit": 201}, "limit"),
        ({"limit": "ten"}, "limit"),
        ({"status": "sent"}, "status[0]"),
        ({"account_id": "me"}, "account_id"),
        ({"since": "last week"}, "since"),
        ({"until": "2030-02-30 10:00"}, "until"),
    ]
    for params, field in cases:
        error = error_of(api.ana.http.get("/posts", params=params), 422, "invalid_input")
        assert field in field_messages(error), params
