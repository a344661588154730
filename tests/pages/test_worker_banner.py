"""The dashboard says so when no worker runs: the posts list, a post's page, its edit form,
the compose form and the calendar carry a banner saying posts will not go out and how to
start a worker; with a fresh worker heartbeat there is none."""

from __future__ import annotations

from pathlib import Path

import pytest

from autoposter.posts.workers import STALE_AFTER, register
from tests.pages.conftest import Dashboard
from tests.pages.post_pages import page_of
from tests.posts.support import video_post

BANNER = "no_worker"


@pytest.fixture
def post_id(dashboard: Dashboard, clip: Path) -> int:
    return dashboard.harness.compose(video_post(clip)).id


def pages(post_id: int) -> list[str]:
    return ["/posts", f"/posts/{post_id}", f"/posts/{post_id}/edit", "/compose", "/calendar"]


def test_without_a_worker_the_post_pages_say_posts_will_not_go_out(
    dashboard: Dashboard, post_id: int
) -> None:
    for path in pages(post_id):
        page = page_of(dashboard.get(path))
        assert BANNER in page, path
        banner = page[BANNER].text
        assert "No worker is running, so posts will not go out." in banner
        assert "autoposter worker" in banner and "autoposter run" in banner


def test_with_a_fresh_heartbeat_there_is_no_banner(dashboard: Dashboard, post_id: int) -> None:
    register(dashboard.harness.ctx, threads=2)

    for path in pages(post_id):
        response = dashboard.get(path)
        assert response.status_code == 200, path
        assert BANNER not in page_of(response), path


def test_the_banner_comes_back_once_the_worker_stops_beating(
    dashboard: Dashboard, post_id: int
) -> None:
    register(dashboard.harness.ctx, threads=2)
    dashboard.harness.clock.advance(STALE_AFTER.total_seconds() + 1)

    assert BANNER in page_of(dashboard.get("/posts"))


def test_pages_not_about_sending_posts_have_no_banner(dashboard: Dashboard) -> None:
    for path in ("/accounts", "/settings"):
        assert BANNER not in page_of(dashboard.get(path)), path
