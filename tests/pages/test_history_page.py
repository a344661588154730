"""An account's published videos, listed live from TikTok's Display API (§3.2)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import update

from autoposter.sandbox.state import Video
from autoposter.store.models import NEEDS_RECONNECT, TikTokAccount
from autoposter.web.pages.history import PAGE_SIZE, short_count
from tests.engine import MakeHarness
from tests.pages.conftest import Dashboard, signed_in_client
from tests.pages.visitor import text_of
from tests.tiktok.support import set_faults

VIDEOS = PAGE_SIZE + 3  # more than one page


@pytest.fixture
def dashboard(make_harness: MakeHarness, tmp_path: Path) -> Iterator[Dashboard]:
    creators = tmp_path / "creators.json"
    creators.write_text(
        json.dumps(
            [
                {
                    "key": "public",
                    "username": "sunny.studio",
                    "display_name": "Sunny Studio",
                    "existing_videos": VIDEOS,
                },
                {
                    "key": "quiet",
                    "username": "quiet.notes",
                    "display_name": "Quiet Notes",
                    "existing_videos": 0,
                },
            ]
        )
    )
    harness = make_harness(creators_file=creators)
    client, csrf = signed_in_client(harness)
    with client:
        yield Dashboard(harness, client, csrf)


def videos_path(dashboard: Dashboard, account_id: int | None = None) -> str:
    return f"/accounts/{account_id or dashboard.harness.account_id}/videos"


def shown_video_ids(html: str) -> list[str]:
    return re.findall(r'id="video-(\d+)"', html)


def sandbox_videos(dashboard: Dashboard, key: str = "public") -> list[Video]:
    creator = dashboard.harness.sandbox.world.creator_by_key(key)
    assert creator is not None
    return sorted(creator.videos, key=lambda v: v.create_time, reverse=True)


def test_the_newest_videos_show_with_cover_title_counts_and_link(dashboard: Dashboard) -> None:
    newest = sandbox_videos(dashboard)[0]

    page = dashboard.get(videos_path(dashboard))

    assert page.status_code == 200
    assert len(shown_video_ids(page.text)) == PAGE_SIZE
    card = page.text.split(f'id="video-{newest.id}"')[1].split("</li>")[0]
    assert f"/sandbox/covers/{newest.id}.svg" in card
    assert newest.title in card
    assert f"https://www.tiktok.com/@sunny.studio/video/{newest.id}" in card
    assert f'class="count-views">{short_count(newest.view_count)}<' in card
    assert f'class="count-likes">{short_count(newest.like_count)}<' in card
    assert f'class="count-comments">{short_count(newest.comment_count)}<' in card
    assert f'class="count-shares">{short_count(newest.share_count)}<' in card


def test_load_more_follows_tiktoks_cursor_to_the_older_videos(dashboard: Dashboard) -> None:
    first = dashboard.get(videos_path(dashboard)).text
    more = re.search(r'id="load-more" href="([^"]+)"', first)
    assert more is not None

    second = dashboard.get(more.group(1).replace("&amp;", "&")).text

    ids = shown_video_ids(first) + shown_video_ids(second)
    assert ids == [v.id for v in sandbox_videos(dashboard)]
    assert 'id="load-more"' not in second
    assert 'id="back-to-newest"' in second


def test_an_account_without_videos_says_so(dashboard: Dashboard) -> None:
    account_id = dashboard.harness.connect("quiet")

    page = dashboard.get(videos_path(dashboard, account_id))

    assert page.status_code == 200
    assert "TikTok lists no public videos for this account yet" in text_of(page.text)


def test_counts_read_the_way_tiktok_shows_them() -> None:
    assert [short_count(n) for n in (None, 0, 999, 1000, 1234, 56_000, 5_600_000)] == [
        "–",
        "0",
        "999",
        "1K",
        "1.2K",
        "56K",
        "5.6M",
    ]


def test_a_creator_who_did_not_grant_video_list_is_asked_to_reconnect(
    dashboard: Dashboard,
) -> None:
    harness = dashboard.harness
    with harness.ctx.db.session() as session:
        account = session.get(TikTokAccount, harness.account_id)
        assert account is not None
        account.scopes = "user.info.basic,user.info.profile,video.publish"

    page = dashboard.get(videos_path(dashboard))

    assert page.status_code == 409
    assert "The creator did not grant video.list" in text_of(page.text)
    assert 'id="videos-reconnect"' in page.text


def test_an_account_needing_reconnect_says_so_with_a_reconnect_button(
    dashboard: Dashboard,
) -> None:
    harness = dashboard.harness
    with harness.ctx.db.session() as session:
        session.execute(
            update(TikTokAccount)
            .where(TikTokAccount.id == harness.account_id)
            .values(status=NEEDS_RECONNECT, status_reason="TikTok refused the refresh token.")
        )

    page = dashboard.get(videos_path(dashboard))

    assert page.status_code == 409
    assert "TikTok refused the refresh token." in text_of(page.text)
    assert 'id="videos-reconnect"' in page.text


def test_tiktok_unreachable_is_a_503_with_try_again(dashboard: Dashboard) -> None:
    set_faults(dashboard.harness.sandbox, error_5xx_rate=1.0)

    page = dashboard.get(videos_path(dashboard))

    assert page.status_code == 503
    assert "TikTok could not be reached to list the videos" in text_of(page.text)
    assert 'id="videos-retry"' in page.text


def test_a_cursor_that_is_not_a_number_is_a_400_not_a_crash(dashboard: Dashboard) -> None:
    page = dashboard.get(videos_path(dashboard) + "?cursor=abc")

    assert page.status_code == 400
    assert "cursor is not a number" in text_of(page.text)


def test_history_turned_off_by_the_operator_says_so(make_harness: MakeHarness) -> None:
    harness = make_harness(settings={"features": ("direct_post", "inbox")})
    client, _ = signed_in_client(harness)

    page = client.get(f"/accounts/{harness.account_id}/videos")

    assert page.status_code == 404
    assert "Published videos are turned off on this installation" in text_of(page.text)
