"""Each rule of TikTok's Content Sharing Guidelines (§8) on the compose page, one test each, in
Chromium on a fresh page: what the Direct Post audit reviewer will click through.

The user and their sandbox creators are set up through the services (the journey in
test_journey.py connects through the browser); the user signs in through the sign-in page
once and every test starts a fresh browser context with that session.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

import av
import httpx
import pytest

from autoposter.accounts import create_user
from autoposter.posts import get_post, list_posts_page
from autoposter.store.models import User
from tests.accounts.support import connect_account
from tests.browser.conftest import (
    Screenshots,
    Stack,
    eventually,
    keep_failure_screenshot,
    new_context,
)
from tests.media import make_video

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

USERNAME = "rules"
PASSWORD = "correct horse battery"
CREATORS = ("public", "private", "locked", "short", "capped")
MUSIC_DECLARATION = "By posting, you agree to TikTok's Music Usage Confirmation."
BRANDED_DECLARATION = (
    "By posting, you agree to TikTok's Branded Content Policy and Music Usage Confirmation."
)
BRANDED_NOT_PRIVATE = "Branded content visibility cannot be set to private."


@dataclass(frozen=True)
class Composer:
    """The signed-in user, their connected creators and the browser session to reuse."""

    user: User
    accounts: dict[str, int]
    session: dict[str, Any]  # Playwright storage state: the sign-in cookies


@pytest.fixture(scope="module")
def composer(browser: Browser, stack: Stack) -> Composer:
    user = create_user(stack.ctx, USERNAME, PASSWORD)
    accounts = {
        key: connect_account(stack.ctx, stack.sandbox, user, creator=key).account.id
        for key in CREATORS
    }
    context = new_context(browser, stack)
    page = context.new_page()
    page.goto("/signin")
    page.fill("#username", USERNAME)
    page.fill("#password", PASSWORD)
    page.click("#signin-submit")
    page.wait_for_url("**/posts")
    session = context.storage_state()
    context.close()
    return Composer(user, accounts, dict(session))


@pytest.fixture(autouse=True)
def a_minute_apart(stack: Stack) -> None:
    """TikTok allows 20 creator_info queries a minute per token (§6) and every compose page
    asks once: each test starts a sandbox minute after the last, as a person would."""
    response = httpx.post(f"{stack.sandbox.url}/sandbox/api/clock/advance", json={"seconds": 61})
    assert response.status_code == 200, response.text


@pytest.fixture
def page(
    browser: Browser,
    stack: Stack,
    composer: Composer,
    screenshots: Screenshots,
    request: pytest.FixtureRequest,
) -> Iterator[Page]:
    context = new_context(browser, stack, storage_state=composer.session)
    opened = context.new_page()
    yield opened
    keep_failure_screenshot(request, opened, screenshots)
    context.close()


def open_compose(page: Page, composer: Composer, creator: str, kind: str = "video") -> None:
    page.goto(f"/compose?account={composer.accounts[creator]}&kind={kind}")
    assert page.inner_text("#creator_nickname")  # the form is for a known creator


# --- §8 1: the creator, now --------------------------------------------------------------


def test_creator_info_is_fetched_each_time_the_page_opens(
    page: Page, stack: Stack, composer: Composer
) -> None:
    # The sandbox signs each creator_info avatar link to expire two hours after it is
    # issued (§4.1): a later expiry after the clock moves proves a fresh query.
    open_compose(page, composer, "public")
    first = avatar_expiry(page)
    httpx.post(f"{stack.sandbox.url}/sandbox/api/clock/advance", json={"seconds": 600})
    page.reload()
    assert avatar_expiry(page) >= first + 600


def test_the_creators_nickname_and_avatar_are_shown(
    page: Page, stack: Stack, composer: Composer, screenshots: Screenshots
) -> None:
    open_compose(page, composer, "public")
    assert page.inner_text("#creator_nickname") == "Sunny Studio"
    assert page.inner_text("#creator_username") == "@sunny.studio"
    avatar = page.locator("#creator_avatar")
    assert (avatar.get_attribute("src") or "").startswith(stack.sandbox.url)
    assert avatar.evaluate("img => img.complete && img.naturalWidth > 0")
    screenshots.take(page, "creator")


def test_a_creator_who_cannot_post_now_is_told_so_and_cannot_submit(
    page: Page, composer: Composer, screenshots: Screenshots
) -> None:
    open_compose(page, composer, "capped")  # 15 posts in the last day (§4.1, §8 1b)
    assert "can't post from here right now" in page.inner_text("#creator_problem")
    assert page.is_disabled("#submit_button")
    assert page.is_visible("#blocked_hint")
    screenshots.take(page, "capped")


def test_the_duration_limit_is_shown(page: Page, composer: Composer) -> None:
    open_compose(page, composer, "short")
    assert "60 seconds" in page.inner_text("#duration_limit")
    assert page.get_attribute("#compose_form", "data-max-duration") == "60"


def test_a_video_over_the_limit_is_refused_before_upload(
    page: Page,
    stack: Stack,
    composer: Composer,
    long_video_file: Path,
    screenshots: Screenshots,
) -> None:
    open_compose(page, composer, "short")  # §8 1c: 60 seconds at most
    sent = RequestLog(page)
    page.set_input_files("#media", str(long_video_file))
    error = page.locator("#duration_error")
    error.wait_for(state="visible")
    assert "61 seconds" in error.inner_text()
    assert "up to 60 seconds" in error.inner_text()
    page.select_option("#privacy_level", "SELF_ONLY")
    assert page.is_disabled("#submit_button")
    page.click("#submit_button", force=True)
    page.evaluate("document.getElementById('compose_form').requestSubmit()")
    assert ("POST", "/compose") not in sent.settled()
    account = composer.accounts["short"]
    assert list_posts_page(stack.ctx, composer.user, account_id=account).items == []
    screenshots.take(page, "refused")


# --- §8 2: privacy and interactions -----------------------------------------------------


@pytest.mark.parametrize("creator", ["public", "private"])
def test_the_privacy_select_has_no_selected_value(
    page: Page, stack: Stack, composer: Composer, creator: str
) -> None:
    open_compose(page, composer, creator)
    assert page.input_value("#privacy_level") == ""
    placeholder = page.locator("#privacy_level option").first
    assert placeholder.get_attribute("value") == ""
    assert placeholder.is_disabled()  # it cannot be chosen back either
    offered = page.locator("#privacy_level option:not([value=''])")
    values = [offered.nth(i).get_attribute("value") for i in range(offered.count())]
    found = stack.sandbox.world.creator_by_key(creator)
    assert found is not None
    assert values == found.privacy_level_options()  # exactly TikTok's options, in order


def test_a_post_with_no_privacy_chosen_is_not_sent(
    page: Page, composer: Composer, video_file: Path
) -> None:
    open_compose(page, composer, "public")
    sent = RequestLog(page)
    page.set_input_files("#media", str(video_file))
    page.click("#submit_button")
    assert page.evaluate("document.getElementById('privacy_level').validationMessage")
    assert ("POST", "/compose") not in sent.settled()


def test_interaction_toggles_start_off(page: Page, composer: Composer) -> None:
    open_compose(page, composer, "public")
    for name in ("allow_comment", "allow_duet", "allow_stitch"):
        assert not page.is_checked(f"#{name}"), f"{name} is on by default"
        assert page.is_enabled(f"#{name}"), f"{name} is disabled for a creator who allows it"
    page.check("#allow_duet")  # each one the person can turn on
    assert page.is_checked("#allow_duet")


def test_locked_creator_disables_duet_and_stitch(
    page: Page, composer: Composer, screenshots: Screenshots
) -> None:
    open_compose(page, composer, "locked")  # comments, duets and stitches off in TikTok
    for name in ("allow_duet", "allow_stitch", "allow_comment"):
        assert page.is_disabled(f"#{name}"), f"{name} is not disabled"
        assert not page.is_checked(f"#{name}")
        assert "Turned off" in page.inner_text(f"#{name}_why")
    page.click("label[for=allow_duet]", force=True)
    assert not page.is_checked("#allow_duet")
    screenshots.take(page, "locked")


def test_photo_posts_offer_only_comments(page: Page, composer: Composer) -> None:
    open_compose(page, composer, "public", kind="photo")
    assert page.locator("#allow_comment").count() == 1
    assert not page.is_checked("#allow_comment")
    assert page.locator("#allow_duet, #allow_stitch").count() == 0
    assert page.inner_text("fieldset.interactions").split() == ["Allow", "viewers", "to", "Comment"]


# --- §8 3 and 4: commercial content and the declaration ---------------------------------


def test_the_disclosure_offers_your_brand_and_branded_content_with_their_labels(
    page: Page, composer: Composer, screenshots: Screenshots
) -> None:
    open_compose(page, composer, "public")
    assert not page.is_checked("#commercial_content")  # off by default
    assert page.is_hidden("#commercial_options")
    page.check("#commercial_content")
    assert page.is_visible("#commercial_options")
    assert "Your brand" in page.inner_text("label[for=brand_organic]")
    assert "Branded content" in page.inner_text("label[for=brand_content]")
    # On with nothing ticked: publishing is off, and the hover text says why.
    assert page.is_disabled("#submit_button")
    assert "promotes yourself, a third party, or both" in (
        page.get_attribute("#submit_button", "title") or ""
    )
    page.check("#brand_organic")
    label = page.locator("#disclosure_label")
    assert label.inner_text() == "Your video will be labeled as 'Promotional content'"
    assert page.is_enabled("#submit_button")
    page.check("#brand_content")
    assert label.inner_text() == "Your video will be labeled as 'Paid partnership'"
    page.uncheck("#brand_organic")
    assert label.inner_text() == "Your video will be labeled as 'Paid partnership'"
    screenshots.take(page, "paid-partnership")
    page.uncheck("#commercial_content")
    assert label.is_hidden()
    assert not page.is_checked("#brand_content")


def test_branded_content_disables_only_me(
    page: Page, composer: Composer, screenshots: Screenshots
) -> None:
    open_compose(page, composer, "public")
    only_me = page.locator("#privacy_level option[value=SELF_ONLY]")
    assert only_me.is_enabled()
    page.check("#commercial_content")
    page.check("#brand_content")
    assert only_me.is_disabled()
    assert only_me.get_attribute("title") == BRANDED_NOT_PRIVATE
    assert BRANDED_NOT_PRIVATE in page.inner_text("#self_only_note")
    screenshots.take(page, "only-me-disabled")
    page.uncheck("#brand_content")
    assert only_me.is_enabled()


def test_only_me_disables_branded_content(page: Page, composer: Composer) -> None:
    open_compose(page, composer, "public")
    page.select_option("#privacy_level", "SELF_ONLY")
    page.check("#commercial_content")
    assert page.is_disabled("#brand_content")
    assert BRANDED_NOT_PRIVATE in page.inner_text("#brand_content_why")
    page.select_option("#privacy_level", "PUBLIC_TO_EVERYONE")
    assert page.is_enabled("#brand_content")


def test_the_declaration_follows_the_selection(page: Page, composer: Composer) -> None:
    open_compose(page, composer, "public")
    declaration = page.locator("#declaration")
    assert declaration.inner_text() == MUSIC_DECLARATION
    assert "music-usage-confirmation" in (declaration.locator("a").get_attribute("href") or "")
    page.check("#commercial_content")
    page.check("#brand_organic")
    assert declaration.inner_text() == MUSIC_DECLARATION  # your brand only
    page.check("#brand_content")
    assert declaration.inner_text() == BRANDED_DECLARATION  # both
    page.uncheck("#brand_organic")
    assert declaration.inner_text() == BRANDED_DECLARATION  # branded content only
    assert declaration.locator("a").count() == 2
    page.uncheck("#commercial_content")
    assert declaration.inner_text() == MUSIC_DECLARATION


# --- §8 5: preview, consent, processing, progress ----------------------------------------


def test_the_preview_shows_the_chosen_video(
    page: Page, composer: Composer, video_file: Path, screenshots: Screenshots
) -> None:
    open_compose(page, composer, "public")
    page.set_input_files("#media", str(video_file))
    video = page.locator("#preview video")
    video.wait_for()
    assert (video.get_attribute("src") or "").startswith("blob:")  # the chosen file itself
    assert video_file.name in (video.get_attribute("aria-label") or "")
    page.wait_for_function("document.querySelector('#preview video').readyState >= 1")
    assert video.evaluate("v => Math.round(v.duration)") == 2
    screenshots.take(page, "preview")


def test_processing_can_take_a_few_minutes_is_said_before_publishing(
    page: Page, composer: Composer
) -> None:
    open_compose(page, composer, "public")
    note = page.inner_text("#processing_note")
    assert "may take a few minutes to process" in note


def test_nothing_is_sent_before_consent(
    page: Page, stack: Stack, composer: Composer, video_file: Path, screenshots: Screenshots
) -> None:
    open_compose(page, composer, "public")
    page.set_input_files("#media", str(video_file))
    page.select_option("#privacy_level", "SELF_ONLY")
    page.click("#submit_button")
    page.wait_for_url("**/posts/*/confirm")
    post_id = int(page.url.rsplit("/", 2)[-2])
    before = len(stack.publishes())
    # Composed and reviewed, not confirmed: no worker may pick it up, TikTok has nothing.
    assert post_id not in stack.worker.engine.dispatch()
    assert get_post(stack.ctx, composer.user, post_id).status == "draft"
    assert len(stack.publishes()) == before
    assert page.inner_text("#declaration") == MUSIC_DECLARATION
    assert "may take a few minutes" in page.inner_text("#processing_note")
    screenshots.take(page, "review")
    page.click("#confirm_button")  # the explicit consent (§8 5c)
    page.wait_for_url(f"**/posts/{post_id}")
    eventually(
        lambda: len(stack.publishes()),
        lambda count: count == before + 1,
        seconds=30,
        what="the sandbox's publishes after consent",
    )


def test_the_consent_line_comes_before_the_publish_button(
    page: Page, composer: Composer, video_file: Path, screenshots: Screenshots
) -> None:
    open_compose(page, composer, "public")
    page.set_input_files("#media", str(video_file))
    page.select_option("#privacy_level", "MUTUAL_FOLLOW_FRIENDS")
    page.click("#submit_button")
    page.wait_for_url("**/posts/*/confirm")
    screenshots.take(page, "review")
    line = page.locator("#declaration").bounding_box()
    button = page.locator("#confirm_button").bounding_box()
    assert line is not None and button is not None
    # §8 2d: "Before the publish button, a consent line" — read before pressing it.
    assert line["y"] + line["height"] <= button["y"], (
        "the consent line (#declaration) is shown below the Publish button, not before it"
    )


def test_upload_progress_is_shown(
    page: Page, composer: Composer, large_video_file: Path, screenshots: Screenshots
) -> None:
    open_compose(page, composer, "public")
    page.set_input_files("#media", str(large_video_file))
    page.select_option("#privacy_level", "SELF_ONLY")
    slow_uploads(page, bytes_per_second=4 * 1024 * 1024)  # about 1.7 s for this file
    assert page.is_hidden("#upload_status")
    page.click("#submit_button")
    page.wait_for_function(
        "(() => { const bar = document.getElementById('upload_progress');"
        " return bar && bar.value > 0 && bar.value < 100; })()"
    )
    assert page.is_visible("#upload_status")
    assert page.inner_text("#upload_percent").endswith("%")
    screenshots.take(page, "uploading")
    page.wait_for_url("**/posts/*/confirm")


# --- Helpers ------------------------------------------------------------------------------


class RequestLog:
    """The requests a page sends, as (method, path)."""

    def __init__(self, page: Page) -> None:
        self._page = page
        self._seen: list[tuple[str, str]] = []
        page.on("request", lambda r: self._seen.append((r.method, urlsplit(r.url).path)))

    def settled(self) -> list[tuple[str, str]]:
        """Everything sent so far: a probe request goes last, so anything sent before it has
        been reported by the time the probe has."""
        probe = f"/static/probe-{len(self._seen)}"
        self._page.evaluate("url => fetch(url).then(r => r.status)", probe)
        assert ("GET", probe) in self._seen
        return list(self._seen)


def avatar_expiry(page: Page) -> int:
    src = page.get_attribute("#creator_avatar", "src") or ""
    return int(parse_qs(urlsplit(src).query)["x-expires"][0])


def slow_uploads(page: Page, *, bytes_per_second: int) -> None:
    """Chromium's own network throttling (DevTools protocol), so progress has time to show."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send(
        "Network.emulateNetworkConditions",
        {
            "offline": False,
            "latency": 0,
            "downloadThroughput": -1,
            "uploadThroughput": bytes_per_second,
        },
    )


@pytest.fixture(scope="module")
def long_video_file(media_folder: Path) -> Path:
    """61 seconds: one over the `short` creator's limit (small and quick to make)."""
    return make_video(media_folder / "long.mp4", width=360, height=360, fps=23, seconds=61)


@pytest.fixture(scope="module")
def large_video_file(media_folder: Path) -> Path:
    """About 7 MB of noise in one valid second of video: big enough to show progress."""
    path = media_folder / "noise.mp4"
    with av.open(str(path), "w") as out:
        stream = out.add_stream("libx264", rate=Fraction(24))
        stream.width, stream.height, stream.pix_fmt = 540, 960, "yuv420p"
        stream.options = {"crf": "30", "preset": "ultrafast"}
        for index in range(24):
            frame = av.VideoFrame(540, 960, "yuv420p")
            for plane in frame.planes:
                plane.update(os.urandom(plane.buffer_size))
            frame.pts = index
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    return path
