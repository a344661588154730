"""The calendar places each post on the user's own day and hour, in a month grid or a week."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from autoposter.accounts import set_time_zone
from autoposter.posts import PostView
from autoposter.web.pages import calendar as calendar_pages
from tests.pages.conftest import Dashboard, PostMedia
from tests.pages.post_pages import Page, page_of
from tests.posts.support import video_post


def at(dashboard: Dashboard, media: PostMedia, moment: datetime, title: str = "") -> PostView:
    return dashboard.harness.compose(video_post(media.clip, publish_at=moment, title=title))


def day_posts(page: Page, day: str) -> list[str]:
    return [str(a.get("id")) for a in page[f"day_{day}"].all("a")]


def test_the_month_places_a_post_on_the_users_local_day(
    dashboard: Dashboard, post_media: PostMedia
) -> None:
    harness = dashboard.harness
    set_time_zone(harness.ctx, harness.user, "Asia/Tokyo")
    post = at(dashboard, post_media, datetime(2031, 1, 15, 23, 30, tzinfo=UTC), "late")
    page = page_of(dashboard.get("/calendar", params={"view": "month", "date": "2031-01-01"}))
    assert page["calendar_title"].text == "January 2031"
    assert day_posts(page, "2031-01-15") == []
    assert day_posts(page, "2031-01-16") == [f"cal_post_{post.id}"]  # 08:30 in Tokyo
    link = page[f"cal_post_{post.id}"]
    assert link.get("href") == f"/posts/{post.id}"
    assert "status-scheduled" in str(link.get("class"))
    assert link.all("time")[0].text == "08:30"
    # The grid is whole weeks from Monday: 30 December 2030 to 3 February 2031.
    days = [n.get("data-date") for n in page["calendar"].all("div") if n.get("data-date")]
    assert (days[0], days[-1], len(days)) == ("2030-12-30", "2031-02-02", 35)


def test_the_week_places_a_post_across_a_day_boundary(
    dashboard: Dashboard, post_media: PostMedia
) -> None:
    harness = dashboard.harness
    set_time_zone(harness.ctx, harness.user, "America/Los_Angeles")
    post = at(dashboard, post_media, datetime(2031, 1, 16, 3, 0, tzinfo=UTC))  # 19:00 the 15th
    page = page_of(dashboard.get("/calendar", params={"view": "week", "date": "2031-01-16"}))
    assert page["calendar"].get("data-view") == "week"
    assert page["calendar_title"].text == "13–19 January 2031"
    assert day_posts(page, "2031-01-15") == [f"cal_post_{post.id}"]
    assert day_posts(page, "2031-01-16") == []
    assert page[f"cal_post_{post.id}"].all("time")[0].text == "19:00"


def test_posts_of_a_day_are_in_time_order(dashboard: Dashboard, post_media: PostMedia) -> None:
    evening = at(dashboard, post_media, datetime(2031, 1, 15, 19, tzinfo=UTC))
    morning = at(dashboard, post_media, datetime(2031, 1, 15, 8, tzinfo=UTC))
    page = page_of(dashboard.get("/calendar", params={"view": "week", "date": "2031-01-15"}))
    assert day_posts(page, "2031-01-15") == [f"cal_post_{morning.id}", f"cal_post_{evening.id}"]


def test_only_the_visible_range_is_shown(dashboard: Dashboard, post_media: PostMedia) -> None:
    inside = at(dashboard, post_media, datetime(2031, 1, 15, 12, tzinfo=UTC))
    outside = at(dashboard, post_media, datetime(2031, 3, 15, 12, tzinfo=UTC))
    text = dashboard.get("/calendar", params={"date": "2031-01-15"}).text
    assert f"cal_post_{inside.id}" in text and f"cal_post_{outside.id}" not in text


def test_previous_next_and_today_move_by_the_view(dashboard: Dashboard) -> None:
    month = page_of(dashboard.get("/calendar", params={"view": "month", "date": "2031-01-15"}))
    assert month["cal_previous"].get("href") == "/calendar?view=month&date=2030-12-01"
    assert month["cal_next"].get("href") == "/calendar?view=month&date=2031-02-01"
    assert month["view_week"].get("href") == "/calendar?view=week&date=2031-01-15"
    week = page_of(dashboard.get("/calendar", params={"view": "week", "date": "2031-01-15"}))
    assert week["cal_previous"].get("href") == "/calendar?view=week&date=2031-01-08"
    assert week["cal_next"].get("href") == "/calendar?view=week&date=2031-01-22"
    today = dashboard.harness.clock().date().isoformat()
    assert week["cal_today"].get("href") == f"/calendar?view=week&date={today}"
    assert "today" in str(page_of(dashboard.get("/calendar"))[f"day_{today}"].get("class"))


def test_a_bad_date_says_so_and_shows_today(dashboard: Dashboard) -> None:
    response = dashboard.get("/calendar", params={"date": "someday"})
    assert response.status_code == 400
    page = page_of(response)
    assert "is not a date" in page["calendar_problem"].text
    assert f"day_{dashboard.harness.clock().date().isoformat()}" in page


def test_a_crowded_range_is_capped_and_says_so(
    dashboard: Dashboard, post_media: PostMedia, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(calendar_pages, "MOST_POSTS", 1)
    monkeypatch.setattr(calendar_pages, "PAGE", 1)
    for hour in (8, 9):
        at(dashboard, post_media, datetime(2031, 1, 15, hour, tzinfo=UTC))
    page = page_of(dashboard.get("/calendar", params={"date": "2031-01-15"}))
    assert len(day_posts(page, "2031-01-15")) == 1
    assert "Only the first 1 posts" in page["calendar_capped"].text
