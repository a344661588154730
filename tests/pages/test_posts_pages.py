"""The posts list (filters, keyset pages) and a post's page: timeline, TikTok's reason when it
failed, edit and cancel while it has not started, and nobody else's posts."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest

from autoposter.accounts import create_user, set_time_zone
from autoposter.posts import PostView, cancel_post, create_post, list_posts, post_history
from autoposter.posts.compose import format_local_time
from autoposter.web.pages import posts as posts_pages
from tests.pages.conftest import Dashboard, PostMedia, signed_in_client
from tests.pages.post_pages import page_of
from tests.posts.support import video_post


def scheduled(dashboard: Dashboard, media: PostMedia, at: datetime, **fields: Any) -> PostView:
    """A confirmed post due at ``at`` (UTC), composed through the service."""
    account = fields.pop("account_id", None)
    return dashboard.harness.compose(video_post(media.clip, publish_at=at, **fields), account)


def row_ids(dashboard: Dashboard, **query: str) -> list[int]:
    page = page_of(dashboard.get("/posts", params=query))
    if "posts_table" not in page:
        return []
    rows = page["posts_table"].all("tr")[1:]
    return [int(str(row.get("id")).removeprefix("post_")) for row in rows]


# --- The list -------------------------------------------------------------------------------


def test_the_list_shows_status_account_caption_and_local_time(
    dashboard: Dashboard, post_media: PostMedia
) -> None:
    harness = dashboard.harness
    set_time_zone(harness.ctx, harness.user, "Asia/Tokyo")
    post = scheduled(dashboard, post_media, datetime(2031, 1, 15, 23, 30, tzinfo=UTC), title="hi")
    page = page_of(dashboard.get("/posts"))
    row = page[f"post_{post.id}"]
    assert row.get("data-status") == "scheduled"
    assert "Scheduled" in row.text and "@sunny.studio" in row.text and "hi" in row.text
    assert "2031-01-16 08:30" in row.text  # Tokyo is 9 hours ahead
    (link,) = [a for a in row.all("a") if a.get("href") == f"/posts/{post.id}"]
    assert link.text == "hi"


def test_the_list_filters_by_status_account_and_local_dates(
    dashboard: Dashboard, post_media: PostMedia
) -> None:
    harness = dashboard.harness
    private = harness.connect("private")
    january = scheduled(dashboard, post_media, datetime(2031, 1, 10, 12, tzinfo=UTC))
    february = scheduled(dashboard, post_media, datetime(2031, 2, 10, 12, tzinfo=UTC))
    other = scheduled(
        dashboard,
        post_media,
        datetime(2031, 1, 31, 23, tzinfo=UTC),
        account_id=private,
        privacy_level="SELF_ONLY",
    )
    cancel_post(harness.ctx, harness.user, other.id)
    assert row_ids(dashboard) == [february.id, other.id, january.id]
    assert row_ids(dashboard, status="cancelled") == [other.id]
    assert row_ids(dashboard, account=str(private)) == [other.id]
    assert row_ids(dashboard, **{"from": "2031-01-01", "to": "2031-01-31"}) == [
        other.id,
        january.id,
    ]
    # Days are the user's: at UTC+1, 23:00 UTC on the 31st is already February.
    set_time_zone(harness.ctx, harness.user, "Europe/Berlin")
    assert row_ids(dashboard, **{"from": "2031-02-01", "to": "2031-02-28"}) == [
        february.id,
        other.id,
    ]
    page = page_of(dashboard.get("/posts", params={"status": "cancelled"}))
    assert page["filter_status"].all("option")[0].has("selected") is False
    assert page["filter_clear"].get("href") == "/posts"


def test_older_posts_are_reached_through_the_cursor(
    dashboard: Dashboard, post_media: PostMedia, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(posts_pages, "PAGE_SIZE", 2)
    made = [
        scheduled(dashboard, post_media, datetime(2031, 1, day, 12, tzinfo=UTC)).id
        for day in (1, 2, 3)
    ]
    first = page_of(dashboard.get("/posts", params={"status": "scheduled"}))
    older = str(first["older_posts"].get("href"))
    assert "status=scheduled" in older and "cursor=" in older
    second = page_of(dashboard.get(older))
    assert "older_posts" not in second
    shown = [r.get("id") for p in (first, second) for r in p["posts_table"].all("tr")[1:]]
    assert shown == [f"post_{i}" for i in reversed(made)]


@pytest.mark.parametrize(
    ("query", "says"),
    [
        ({"cursor": "not-a-cursor"}, "start again from the newest posts"),
        ({"from": "yesterday"}, "is not a date"),
        ({"status": "lost"}, "is not a post status"),
    ],
)
def test_bad_filters_get_a_clear_400(
    dashboard: Dashboard, query: dict[str, str], says: str
) -> None:
    response = dashboard.get("/posts", params=query)
    assert response.status_code == 400
    assert says in page_of(response)["list_problem"].text


# --- A post's page --------------------------------------------------------------------------


def test_the_timeline_is_in_the_users_time_zone(
    dashboard: Dashboard, post_media: PostMedia
) -> None:
    harness = dashboard.harness
    set_time_zone(harness.ctx, harness.user, "America/Los_Angeles")
    post = harness.compose(video_post(post_media.clip, title="timeline"))
    harness.finish(post.id)
    page = page_of(dashboard.get(f"/posts/{post.id}"))
    timeline = page["timeline"]
    statuses = [b.get("data-status") for b in timeline.all("span")]
    assert statuses == ["published", "processing", "uploading", "queued", "scheduled", "draft"]
    first = post_history(harness.ctx, harness.user, post.id)[0]
    assert format_local_time(first.at, "America/Los_Angeles") in timeline.text
    assert "Times in America/Los_Angeles" in page.text


def test_a_failed_post_shows_tiktoks_reason_and_what_to_do(
    dashboard: Dashboard, post_media: PostMedia
) -> None:
    harness = dashboard.harness
    post = harness.compose(video_post(post_media.clip))
    creator = harness.sandbox.world.creator_by_key("public")
    assert creator is not None
    creator.seed = replace(creator.seed, banned=True)  # banned in the TikTok app meanwhile
    failed = harness.finish(post.id)
    assert failed.status == "failed"
    page = page_of(dashboard.get(f"/posts/{post.id}"))
    assert page["post_status"].get("data-status") == "failed"
    assert page["fail_message"].text == failed.fail_message
    assert "spam_risk_user_banned_from_posting" in page["fail_reason"].text
    assert "edit_link" not in page and "cancel_button" not in page


def test_a_post_being_sent_refreshes_itself_until_it_ends(
    dashboard: Dashboard, post_media: PostMedia
) -> None:
    harness = dashboard.harness
    post = harness.compose(video_post(post_media.clip))
    harness.engine.dispatch()  # due now: queued for a worker
    assert harness.post(post.id).status == "queued"
    page = page_of(dashboard.get(f"/posts/{post.id}"))
    refresh = [m for m in page.root.all("meta") if m.get("http-equiv") == "refresh"]
    assert [m.get("content") for m in refresh] == ["5"]
    harness.finish(post.id)
    ended = page_of(dashboard.get(f"/posts/{post.id}"))
    assert not [m for m in ended.root.all("meta") if m.get("http-equiv") == "refresh"]


def test_a_draft_offers_its_confirmation(dashboard: Dashboard, post_media: PostMedia) -> None:
    harness = dashboard.harness
    draft = create_post(harness.ctx, harness.user, harness.account_id, video_post(post_media.clip))
    page = page_of(dashboard.get(f"/posts/{draft.post.id}"))
    assert page["confirm_link"].get("href") == f"/posts/{draft.post.id}/confirm"
    assert "nothing is sent until you confirm" in page["unconfirmed"].text


# --- Edit and cancel ------------------------------------------------------------------------


def test_a_scheduled_post_can_be_edited(dashboard: Dashboard, post_media: PostMedia) -> None:
    harness = dashboard.harness
    set_time_zone(harness.ctx, harness.user, "Europe/Berlin")
    post = scheduled(dashboard, post_media, datetime(2031, 3, 1, 17, tzinfo=UTC), title="old")
    form = page_of(dashboard.get(f"/posts/{post.id}/edit"))
    assert form["title"].text == "old"
    assert form["publish_at"].get("value") == "2031-03-01T18:00"
    (chosen,) = [o for o in form["privacy_level"].all("option") if o.has("selected")]
    assert chosen.get("value") == "PUBLIC_TO_EVERYONE"  # the author's own earlier choice
    response = dashboard.post(
        f"/posts/{post.id}/edit",
        {
            "title": "new caption",
            "privacy_level": "MUTUAL_FOLLOW_FRIENDS",
            "allow_comment": "on",
            "when": "schedule",
            "publish_at": "2031-03-02T09:15",
        },
    )
    assert (response.status_code, response.headers["location"]) == (303, f"/posts/{post.id}")
    edited = harness.post(post.id)
    assert (edited.title, edited.privacy_level, edited.allow_comment) == (
        "new caption",
        "MUTUAL_FOLLOW_FRIENDS",
        True,
    )
    assert edited.publish_at == datetime(2031, 3, 2, 8, 15, tzinfo=UTC)
    assert "Saved." in dashboard.get(f"/posts/{post.id}").text


def test_editing_keeps_the_creators_rules(dashboard: Dashboard, post_media: PostMedia) -> None:
    harness = dashboard.harness
    locked = harness.connect("locked")
    post = scheduled(dashboard, post_media, datetime(2031, 3, 1, tzinfo=UTC), account_id=locked)
    form = page_of(dashboard.get(f"/posts/{post.id}/edit"))
    assert form["allow_comment"].has("disabled")
    response = dashboard.post(
        f"/posts/{post.id}/edit",
        {"privacy_level": "PUBLIC_TO_EVERYONE", "allow_comment": "on", "when": "now"},
    )
    assert response.status_code == 422
    assert "turned comments off" in page_of(response)["allow_comment_error"].text
    assert harness.post(post.id).allow_comment is False


def test_editing_a_draft_leads_back_to_its_confirmation(
    dashboard: Dashboard, post_media: PostMedia
) -> None:
    harness = dashboard.harness
    draft = create_post(harness.ctx, harness.user, harness.account_id, video_post(post_media.clip))
    response = dashboard.post(
        f"/posts/{draft.post.id}/edit",
        {"title": "better", "privacy_level": "SELF_ONLY", "when": "now"},
    )
    assert response.headers["location"] == f"/posts/{draft.post.id}/confirm"
    assert harness.post(draft.post.id).status == "draft"


def test_a_scheduled_post_can_be_cancelled(dashboard: Dashboard, post_media: PostMedia) -> None:
    post = scheduled(dashboard, post_media, datetime(2031, 3, 1, tzinfo=UTC))
    response = dashboard.post(f"/posts/{post.id}/cancel")
    assert response.headers["location"] == f"/posts/{post.id}"
    assert dashboard.harness.post(post.id).status == "cancelled"
    page = page_of(dashboard.get(f"/posts/{post.id}"))
    assert "nothing of this post was sent" in page.text
    assert "cancel_button" not in page


def test_a_published_post_can_be_neither_edited_nor_cancelled(
    dashboard: Dashboard, post_media: PostMedia
) -> None:
    harness = dashboard.harness
    post = harness.finish(harness.compose(video_post(post_media.clip)).id)
    page = page_of(dashboard.get(f"/posts/{post.id}"))
    assert "edit_link" not in page and "cancel_button" not in page
    edit = dashboard.get(f"/posts/{post.id}/edit")
    assert (edit.status_code, edit.headers["location"]) == (303, f"/posts/{post.id}")
    refused = dashboard.get(edit.headers["location"]).text
    assert "only a draft or a scheduled post can be edited" in refused
    cancel = dashboard.post(f"/posts/{post.id}/cancel")
    assert cancel.status_code == 303
    assert "can no longer be cancelled" in dashboard.get(f"/posts/{post.id}").text
    assert harness.post(post.id).status == "published"


def test_another_users_post_is_not_found(dashboard: Dashboard, post_media: PostMedia) -> None:
    harness = dashboard.harness
    draft = create_post(harness.ctx, harness.user, harness.account_id, video_post(post_media.clip))
    post_id = draft.post.id
    bo = create_user(harness.ctx, "bo", "correct horse battery")
    client, csrf = signed_in_client(harness, bo)
    with client:
        for path in ("", "/edit", "/confirm", "/media/0"):
            assert client.get(f"/posts/{post_id}{path}").status_code == 404, path
        for path in ("/cancel", "/confirm", "/edit"):
            response = client.post(f"/posts/{post_id}{path}", data={"csrf_token": csrf})
            assert response.status_code == 404, path
        assert f"post_{post_id}" not in client.get("/posts").text
    assert harness.post(post_id).status == "draft"


def test_every_post_form_refuses_a_request_without_its_csrf_token(
    dashboard: Dashboard, post_media: PostMedia
) -> None:
    harness = dashboard.harness
    draft = create_post(harness.ctx, harness.user, harness.account_id, video_post(post_media.clip))
    post_id = draft.post.id
    data = {"account_id": str(harness.account_id), "privacy_level": "SELF_ONLY", "when": "now"}
    files = [("media", ("clip.mp4", post_media.clip.read_bytes(), "video/mp4"))]
    for path in ("/compose", f"/posts/{post_id}/confirm", f"/posts/{post_id}/edit"):
        for token in ({}, {"csrf_token": "forged"}):
            response = dashboard.client.post(path, data={**data, **token}, files=files)
            assert response.status_code == 403, path
    forged = dashboard.client.post(f"/posts/{post_id}/cancel", headers={"X-CSRF-Token": "x"})
    assert forged.status_code == 403
    assert [p.id for p in list_posts(harness.ctx, harness.user)] == [post_id]
    assert harness.post(post_id).status == "draft"
