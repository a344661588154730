"""The whole dashboard journey of a new user in Chromium (issue 6, browser acceptance): sign up
as the installation's first user, connect a sandbox creator through its authorize page,
compose a video post under TikTok's rules, publish it and see it reach "published", schedule
another for tomorrow 18:00 and find it in the calendar, disconnect, export, erase.

Each step is a helper with its own assertions and screenshots; the steps run in order, as
one person would take them. The composer's rules are checked one by one, on fresh pages, in
test_composer_rules.py.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import httpx
import pytest

from tests.browser.conftest import (
    Screenshots,
    Stack,
    keep_failure_screenshot,
    new_context,
)

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

USERNAME = "mira"
PASSWORD = "sketchbook lantern orbit"
ZONE = "Asia/Tokyo"  # not the server's UTC: schedules are typed on the user's wall clock
MUSIC_DECLARATION = "By posting, you agree to TikTok's Music Usage Confirmation."
PUBLISH_WAIT = 60.0  # seconds for a confirmed post to reach "published"


@pytest.fixture
def page(
    browser: Browser, stack: Stack, screenshots: Screenshots, request: pytest.FixtureRequest
) -> Iterator[Page]:
    """A new visitor: a fresh browser profile with no cookies."""
    context = new_context(browser, stack)
    opened = context.new_page()
    yield opened
    keep_failure_screenshot(request, opened, screenshots)
    context.close()


def test_a_new_user_signs_up_publishes_schedules_disconnects_exports_and_erases(
    page: Page, stack: Stack, screenshots: Screenshots, video_file: Path
) -> None:
    sign_up_as_first_user(page, screenshots)
    choose_time_zone(page, screenshots)
    account_id = connect_creator_on_sandbox(page, stack, screenshots, creator="public")
    published_id = compose_video_post(page, stack, screenshots, video_file)
    publish_now_and_see_it_published(page, stack, screenshots, published_id)
    scheduled_id, day = schedule_a_post_for_tomorrow_evening(page, screenshots, video_file)
    find_it_in_the_calendar(page, screenshots, scheduled_id, day)
    disconnect_after_reading_the_confirmation(page, stack, screenshots, account_id)
    export_my_data(page, screenshots, [published_id, scheduled_id])
    erase_my_data_and_land_signed_out(page, stack, screenshots)
    assert len(screenshots.taken) >= 15


# --- The steps ----------------------------------------------------------------------------


def sign_up_as_first_user(page: Page, shots: Screenshots) -> None:
    page.goto("/")
    page.wait_for_url("**/signin")
    page.click("#signup-link a")
    page.wait_for_url("**/signup")
    assert "administers this installation" in page.inner_text("#first-user-note")
    page.fill("#username", USERNAME)
    page.fill("#password", PASSWORD)
    page.fill("#password_confirm", PASSWORD)
    shots.take(page, "sign-up")
    page.click("#signup-submit")
    page.wait_for_url("**/accounts")
    notice = page.inner_text("main [role=status]")
    assert f"Welcome, {USERNAME}" in notice
    assert "administer this installation" in notice  # the first user is the admin
    assert page.inner_text("header .who") == USERNAME
    assert page.is_visible("#no-accounts")
    shots.take(page, "accounts-empty")


def choose_time_zone(page: Page, shots: Screenshots) -> None:
    page.click("nav[aria-label=Main] >> text=Settings")
    page.wait_for_url("**/settings")
    assert page.input_value("#time_zone") == "UTC"
    page.select_option("#time_zone", ZONE)
    page.click("#time-zone-save")
    page.wait_for_url("**/settings")
    assert f"Times are now shown and read in {ZONE}" in page.inner_text("main [role=status]")
    assert page.input_value("#time_zone") == ZONE
    shots.take(page, "settings-time-zone")


def connect_creator_on_sandbox(page: Page, stack: Stack, shots: Screenshots, creator: str) -> int:
    """Connect through the sandbox's Login Kit page (§1.1–§1.2), as a creator would."""
    page.goto("/accounts")
    page.click("#connect-button")
    page.wait_for_url(f"{stack.sandbox.url}/v2/auth/authorize/**")
    page.check(f"input[name=creator][value={creator}]")
    shots.take(page, "sandbox-authorize")
    page.click("button[name=decision][value=authorize]")
    page.wait_for_url(f"{stack.url}/accounts")
    assert "Connected" in page.inner_text("main [role=status]")
    card = page.locator("li.account")
    assert card.count() == 1
    assert card.locator(".nickname").inner_text() == "Sunny Studio"
    assert card.locator(".username").inner_text() == "@sunny.studio"
    assert card.locator("img.avatar").count() == 1
    account_id = int((card.get_attribute("id") or "").removeprefix("account-"))
    assert page.inner_text(f"#health-{account_id}") == "Connected"
    granted = page.inner_text(f"#scopes-{account_id}")
    for scope in ("user.info.basic", "video.publish", "video.upload", "video.list"):
        assert scope in granted
    assert scope_grants(stack, creator), "the sandbox does not show the app as authorized"
    shots.take(page, "accounts-connected")
    return account_id


def compose_video_post(page: Page, stack: Stack, shots: Screenshots, video: Path) -> int:
    """The compose page under §8's rules, then the review step; nothing is sent yet."""
    page.click("nav[aria-label=Main] >> text=Compose")
    page.wait_for_url("**/compose")
    # §8 1a: whose account; 1c: its duration limit; 2b: privacy with no default; 2c:
    # interactions off; 3: disclosure off; 4: the music declaration; 5d: processing note.
    assert page.inner_text("#creator_nickname") == "Sunny Studio"
    assert page.evaluate("document.getElementById('creator_avatar').naturalWidth") > 0
    assert "600 seconds" in page.inner_text("#duration_limit")
    assert page.input_value("#privacy_level") == ""
    for box in ("#allow_comment", "#allow_duet", "#allow_stitch", "#commercial_content"):
        assert not page.is_checked(box), f"{box} must start off"
    assert page.is_hidden("#commercial_options")
    assert page.inner_text("#declaration") == MUSIC_DECLARATION
    assert "a few minutes" in page.inner_text("#processing_note")
    shots.take(page, "compose-empty")

    page.set_input_files("#media", str(video))
    preview = page.locator("#preview video")
    preview.wait_for()
    page.wait_for_function("document.querySelector('#preview video').readyState >= 1")
    page.fill("#title", "Morning sketch #timelapse")
    page.select_option("#privacy_level", "PUBLIC_TO_EVERYONE")
    page.check("#allow_comment")
    shots.take(page, "compose-filled")
    page.click("#submit_button")
    page.wait_for_url(re.compile(r".*/posts/\d+/confirm$"))
    post_id = int(page.url.rsplit("/", 2)[-2])

    assert "Nothing has been sent to TikTok yet" in page.inner_text("main")
    assert page.inner_text("#confirm_button") == "Publish now"
    assert page.inner_text("#confirm_account") == "Sunny Studio"
    assert page.inner_text("#post_privacy") == "Everyone"
    assert page.inner_text("#post_interactions") == "comment"
    assert page.inner_text("#declaration") == MUSIC_DECLARATION
    assert page.locator("#media_preview video").count() == 1
    assert stack.publishes() == [], "something reached TikTok before the user confirmed"
    shots.take(page, "review")
    return post_id


def publish_now_and_see_it_published(
    page: Page, stack: Stack, shots: Screenshots, post_id: int
) -> None:
    page.click("#confirm_button")
    page.wait_for_url(f"**/posts/{post_id}")
    notice = page.inner_text("main [role=status]")
    assert "sending to TikTok now" in notice
    assert "a few minutes" in notice
    shots.take(page, "post-sending")
    wait_for_post_status(page, "published")
    live = page.locator("#live_link")
    reload_until(page, lambda: live.count() == 1, seconds=PUBLISH_WAIT, what="the live link")
    assert re.fullmatch(
        r"https://www\.tiktok\.com/@sunny\.studio/video/\d+", live.get_attribute("href") or ""
    )
    timeline = page.inner_text("#timeline")
    assert "Published" in timeline
    (publish,) = stack.publishes()
    assert (publish["creator_key"], publish["privacy_level"]) == ("public", "PUBLIC_TO_EVERYONE")
    assert publish["status"] == "PUBLISH_COMPLETE"
    shots.take(page, "post-published")


def schedule_a_post_for_tomorrow_evening(
    page: Page, shots: Screenshots, video: Path
) -> tuple[int, date]:
    tomorrow = datetime.now(ZoneInfo(ZONE)).date() + timedelta(days=1)
    page.goto("/compose")
    page.set_input_files("#media", str(video))
    page.fill("#title", "Evening timelapse")
    page.select_option("#privacy_level", "MUTUAL_FOLLOW_FRIENDS")
    assert page.is_hidden("#schedule_fields")
    page.check("#when_schedule")
    assert page.is_visible("#schedule_fields")
    assert page.inner_text("#time_zone") == ZONE
    page.fill("#publish_at", f"{tomorrow.isoformat()}T18:00")
    shots.take(page, "compose-scheduled")
    page.click("#submit_button")
    page.wait_for_url(re.compile(r".*/posts/\d+/confirm$"))
    post_id = int(page.url.rsplit("/", 2)[-2])
    assert page.inner_text("#confirm_button") == "Schedule"
    assert f"{tomorrow.isoformat()} 18:00" in page.inner_text("#post_when")
    page.click("#confirm_button")
    page.wait_for_url(f"**/posts/{post_id}")
    assert f"Scheduled for {tomorrow.isoformat()} 18:00 ({ZONE})" in page.inner_text(
        "main [role=status]"
    )
    assert page.get_attribute("#post_status", "data-status") == "scheduled"
    shots.take(page, "post-scheduled")
    return post_id, tomorrow


def find_it_in_the_calendar(page: Page, shots: Screenshots, post_id: int, day: date) -> None:
    page.click("nav[aria-label=Main] >> text=Calendar")
    page.wait_for_url("**/calendar")
    for view in ("week", "month"):
        page.click(f"#view_{view}")
        page.wait_for_url(f"**/calendar?view={view}*")
        if page.locator(f"#day_{day.isoformat()}").count() == 0:
            page.click("#cal_next")  # tomorrow starts the next week or month
        entry = page.locator(f"#day_{day.isoformat()} #cal_post_{post_id}")
        assert entry.count() == 1, f"post {post_id} is not on {day} in the {view} view"
        assert entry.locator("time").inner_text() == "18:00"
        assert "Evening timelapse" in entry.inner_text()
        assert "Scheduled" in (entry.get_attribute("title") or "")
        shots.take(page, f"calendar-{view}")


def disconnect_after_reading_the_confirmation(
    page: Page, stack: Stack, shots: Screenshots, account_id: int
) -> None:
    page.goto("/accounts")
    page.click(f"#disconnect-{account_id}")
    page.wait_for_url(f"**/accounts/{account_id}/disconnect")
    assert "Revokes Autoposter's access at TikTok" in page.inner_text("#consequence-revoke")
    assert "tokens" in page.inner_text("#consequence-delete")
    assert "1 post waiting to go out" in page.inner_text("#consequence-waiting")
    assert "stay on TikTok" in page.inner_text("#consequence-history")
    shots.take(page, "disconnect-confirmation")
    page.click("#disconnect-confirm")
    page.wait_for_url(f"{stack.url}/accounts")
    assert "revoked at TikTok" in page.inner_text("main [role=status]")
    assert page.is_visible("#no-accounts")
    assert not scope_grants(stack, "public"), "the sandbox still shows the app as authorized"
    shots.take(page, "accounts-disconnected")


def export_my_data(page: Page, shots: Screenshots, post_ids: list[int]) -> None:
    page.goto("/settings")
    with page.expect_download() as started:
        page.click("#export-button")
    download = started.value
    assert re.fullmatch(
        rf"autoposter-export-{USERNAME}-\d{{4}}-\d{{2}}-\d{{2}}\.json", download.suggested_filename
    )
    text = Path(download.path()).read_text(encoding="utf-8")
    document = json.loads(text)
    assert document["user"]["username"] == USERNAME
    posts = {post["id"]: post for post in document["posts"]}
    assert sorted(posts) == sorted(post_ids)
    assert [posts[i]["status"] for i in post_ids] == ["published", "scheduled"]
    assert PASSWORD not in text and "access_token" not in text
    shots.take(page, "settings-after-export")


def erase_my_data_and_land_signed_out(page: Page, stack: Stack, shots: Screenshots) -> None:
    page.click("#erase-link")
    page.wait_for_url("**/settings/erase")
    assert "No TikTok accounts are connected" in page.inner_text("#erase-accounts")
    assert "All your posts" in page.inner_text("#erase-posts")
    assert "API tokens" in page.inner_text("#erase-tokens")
    page.fill("#confirm_username", USERNAME + "x")
    page.click("#erase-confirm")
    assert "Nothing was erased" in page.inner_text("#erase-error")
    shots.take(page, "erase-confirmation")
    page.fill("#confirm_username", USERNAME)
    page.click("#erase-confirm")
    page.wait_for_url("**/goodbye")
    assert "erased" in page.inner_text("main [role=status]")
    assert page.locator("header .who").count() == 0  # signed out
    shots.take(page, "goodbye")
    page.goto("/posts")
    page.wait_for_url(re.compile(r".*/signin\?next=(/|%2F)posts$"))
    page.fill("#username", USERNAME)
    page.fill("#password", PASSWORD)
    page.click("#signin-submit")
    assert "not right" in page.inner_text("#signin-error")  # the login itself is gone
    shots.take(page, "signin-after-erase")


# --- Helpers ------------------------------------------------------------------------------


def scope_grants(stack: Stack, creator: str) -> list[str]:
    """The scopes the sandbox says the creator has granted the app now."""
    creators = httpx.get(f"{stack.sandbox.url}/sandbox/api/creators").json()["creators"]
    (found,) = [c for c in creators if c["key"] == creator]
    return list(found["authorized_scopes"])


def wait_for_post_status(page: Page, status: str, seconds: float = PUBLISH_WAIT) -> None:
    """Reload the post page until its badge says ``status`` (the worker moves it)."""
    badge = page.locator("#post_status")

    def reached() -> bool:
        current = badge.get_attribute("data-status")
        assert current not in ("failed", "expired", "cancelled"), page.inner_text("main")
        return current == status

    reload_until(page, reached, seconds=seconds, what=f"the post to be {status}")


def reload_until(page: Page, done: Callable[[], bool], *, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not done():
        assert time.monotonic() < deadline, f"waited {seconds} s for {what}"
        page.wait_for_timeout(250)
        page.reload()
