"""Composing through the dashboard: compose → confirm → TikTok, for a video, an inbox draft
and photos; scheduling on the user's wall clock; problems sent back beside their fields."""

from __future__ import annotations

from datetime import UTC, datetime

from autoposter.accounts import set_time_zone
from tests.engine import MakeHarness, sandbox_publishes
from tests.pages.conftest import Dashboard, PostMedia, signed_in_client
from tests.pages.post_pages import compose, compose_draft, confirm, draft_id, page_of
from tests.tiktok.support import poll


def test_a_video_goes_from_compose_to_published_with_its_link(
    make_harness: MakeHarness, post_media: PostMedia
) -> None:
    harness = make_harness(processing_delay=0.0, moderation_delay=0.0, webhooks=True)
    client, csrf = signed_in_client(harness)
    with client:
        dashboard = Dashboard(harness, client, csrf)
        post_id = compose_draft(dashboard, [post_media.clip], title="sunny #sketch")
        confirm(dashboard, post_id)
        assert harness.finish(post_id).status == "published"
        post = poll(lambda: harness.post(post_id), lambda p: bool(p.tiktok_post_ids))
        page = page_of(dashboard.get(f"/posts/{post_id}"))
    assert page["post_status"].get("data-status") == "published"
    (tiktok_id,) = post.tiktok_post_ids
    url = f"https://www.tiktok.com/@sunny.studio/video/{tiktok_id}"
    assert page["live_link"].get("href") == url


def test_confirming_says_the_post_is_on_its_way(
    dashboard: Dashboard, post_media: PostMedia
) -> None:
    post_id = compose_draft(dashboard, [post_media.clip])
    confirm(dashboard, post_id)
    page = page_of(dashboard.get(f"/posts/{post_id}"))
    assert "sending to TikTok now" in page.text
    assert "a few minutes" in page.text


def test_an_inbox_draft_ends_in_the_creators_inbox(
    dashboard: Dashboard, post_media: PostMedia
) -> None:
    form = page_of(dashboard.get("/compose", params={"mode": "inbox"}))
    assert "privacy_level" not in form  # the creator chooses it in the TikTok app
    assert "Open the notification in the TikTok app" in form["inbox_note"].text
    post_id = draft_id(compose(dashboard, [post_media.clip], mode="inbox", title="finish me"))
    page = page_of(dashboard.get(f"/posts/{post_id}/confirm"))
    assert page["confirm_button"].text == "Send to inbox"
    assert "declaration" not in page
    confirm(dashboard, post_id)
    assert dashboard.harness.finish(post_id).status == "in_inbox"
    post_page = page_of(dashboard.get(f"/posts/{post_id}"))
    assert "Open the notification in the TikTok app" in post_page["in_inbox"].text


def test_a_photo_post_is_published_with_its_cover(
    dashboard: Dashboard, post_media: PostMedia
) -> None:
    post_id = compose_draft(
        dashboard,
        post_media.photos,
        kind="photo",
        title="three sketches",
        description="from the weekend #sketch",
        photo_cover="2",
        allow_comment=True,
    )
    page = page_of(dashboard.get(f"/posts/{post_id}/confirm"))
    images = page["media_preview"].all("img")
    assert len(images) == 3
    assert dashboard.get(str(images[2].get("src"))).headers["content-type"] == "image/webp"
    assert "cover" in page["media_preview"].all("figcaption")[1].text
    confirm(dashboard, post_id)
    post = dashboard.harness.finish(post_id)
    assert (post.status, post.photo_cover_index, post.allow_comment) == ("published", 1, True)
    (publish,) = sandbox_publishes(dashboard.harness.sandbox)
    assert publish["media"] == "photo"


def test_a_scheduled_post_goes_out_at_the_users_local_time(
    dashboard: Dashboard, post_media: PostMedia
) -> None:
    harness = dashboard.harness
    set_time_zone(harness.ctx, harness.user, "Europe/Berlin")
    form = page_of(dashboard.get("/compose"))
    assert form["time_zone"].text == "Europe/Berlin"
    post_id = compose_draft(
        dashboard, [post_media.clip], when="schedule", publish_at="2031-07-01T18:30"
    )
    assert harness.post(post_id).publish_at == datetime(2031, 7, 1, 16, 30, tzinfo=UTC)
    review = page_of(dashboard.get(f"/posts/{post_id}/confirm"))
    assert review["confirm_button"].text == "Schedule"
    assert "2031-07-01 18:30" in review["post_when"].text
    confirm(dashboard, post_id)
    page = page_of(dashboard.get(f"/posts/{post_id}"))
    assert "Scheduled for 2031-07-01 18:30 (Europe/Berlin)" in page.text
    assert page["post_status"].get("data-status") == "scheduled"
    harness.work()
    assert sandbox_publishes(harness.sandbox) == []  # not due yet


def test_problems_come_back_beside_their_fields_with_the_values_kept(
    dashboard: Dashboard, post_media: PostMedia
) -> None:
    response = compose(
        dashboard,
        [post_media.clip],
        title="keep this caption",
        allow_comment=True,
        cover_timestamp_ms="soon",
    )
    assert response.status_code == 422
    page = page_of(response)
    assert "is not a number" in page["cover_timestamp_ms_error"].text
    assert page["title"].text == "keep this caption"
    assert page["allow_comment"].has("checked")
    assert page["cover_timestamp_ms"].get("value") == "soon"
    assert "choose the file again" in page["form_errors"].text  # files are not kept
    # The form's own problems fixed, TikTok's rules come next, still beside their fields.
    response = compose(dashboard, [post_media.clip], title="keep this caption")
    assert "Choose who can see this post" in page_of(response)["privacy_level_error"].text


def test_a_time_in_the_past_is_refused(dashboard: Dashboard, post_media: PostMedia) -> None:
    response = compose(
        dashboard,
        [post_media.clip],
        privacy_level="PUBLIC_TO_EVERYONE",
        when="schedule",
        publish_at="2020-01-01T10:00",
    )
    assert response.status_code == 422
    assert "in the past" in page_of(response)["publish_at_error"].text
    assert page_of(response)["when_schedule"].has("checked")


def test_scheduling_needs_a_date_and_time(dashboard: Dashboard, post_media: PostMedia) -> None:
    response = compose(
        dashboard, [post_media.clip], privacy_level="PUBLIC_TO_EVERYONE", when="schedule"
    )
    assert response.status_code == 422
    assert "Choose the date and time" in page_of(response)["publish_at_error"].text


def test_a_post_without_its_file_is_refused(dashboard: Dashboard) -> None:
    response = compose(dashboard, [], privacy_level="PUBLIC_TO_EVERYONE")
    assert response.status_code == 422
    assert "add the video" in page_of(response)["media_error"].text


def test_the_upload_script_is_answered_with_where_to_go(
    dashboard: Dashboard, post_media: PostMedia
) -> None:
    data = {"account_id": str(dashboard.harness.account_id), "kind": "video", "mode": "direct"}
    data["privacy_level"] = "SELF_ONLY"
    response = dashboard.client.post(
        "/compose",
        data=data,
        files=[("media", ("clip.mp4", post_media.clip.read_bytes(), "video/mp4"))],
        headers={"X-Requested-With": "XMLHttpRequest", "X-CSRF-Token": dashboard.csrf},
    )
    assert response.status_code == 200
    location = response.json()["location"]
    assert location.endswith("/confirm")
    assert dashboard.get(location).status_code == 200


def test_the_schedules_warnings_are_shown_before_confirming(
    make_harness: MakeHarness, post_media: PostMedia
) -> None:
    harness = make_harness(settings={"daily_post_cap": 1})
    client, csrf = signed_in_client(harness)
    with client:
        dashboard = Dashboard(harness, client, csrf)
        confirm(dashboard, compose_draft(dashboard, [post_media.clip]))
        second = compose_draft(dashboard, [post_media.clip])
        page = page_of(dashboard.get(f"/posts/{second}/confirm"))
        again = page_of(dashboard.get(f"/posts/{second}/confirm"))  # a reload keeps them
    assert "more than 1 direct posts" in page["quota_warnings"].text
    assert again["quota_warnings"].text == page["quota_warnings"].text


def test_a_draft_left_unconfirmed_expires(dashboard: Dashboard, post_media: PostMedia) -> None:
    post_id = compose_draft(dashboard, [post_media.clip])
    page = page_of(dashboard.get(f"/posts/{post_id}/confirm"))
    assert "expires" in page["confirm_deadline"].text
    dashboard.harness.advance(31 * 60)
    assert "expired" in page_of(dashboard.get(f"/posts/{post_id}/confirm"))["expired"].text
    response = dashboard.post(f"/posts/{post_id}/confirm")
    assert (response.status_code, response.headers["location"]) == (303, "/compose")
    assert dashboard.harness.post(post_id).status == "expired"
    assert "expired" in dashboard.get("/compose").text


def test_a_confirmed_posts_confirmation_page_leads_to_the_post(
    dashboard: Dashboard, post_media: PostMedia
) -> None:
    post_id = compose_draft(dashboard, [post_media.clip])
    confirm(dashboard, post_id)
    response = dashboard.get(f"/posts/{post_id}/confirm")
    assert (response.status_code, response.headers["location"]) == (303, f"/posts/{post_id}")
