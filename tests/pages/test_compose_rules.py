"""The compose page meets every rule of TikTok's Content Sharing Guidelines (§8), one test a
rule: the page shows it, and the server refuses what breaks it."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import update

from autoposter.posts.compose import BRANDED_DECLARATION, MUSIC_DECLARATION
from autoposter.store.models import TikTokAccount
from tests.engine import MakeHarness, client_with_hooks, on_path, sandbox_publishes
from tests.pages.conftest import Dashboard, PostMedia, signed_in_client
from tests.pages.post_pages import compose, compose_draft, option_values, page_of

PUBLIC_OPTIONS = ["PUBLIC_TO_EVERYONE", "MUTUAL_FOLLOW_FRIENDS", "SELF_ONLY"]
PRIVATE_OPTIONS = ["FOLLOWER_OF_CREATOR", "MUTUAL_FOLLOW_FRIENDS", "SELF_ONLY"]


def open_compose(dashboard: Dashboard, creator: str | None = None, **query: str) -> Any:
    if creator is not None:
        query["account"] = str(dashboard.harness.connect(creator))
    response = dashboard.get("/compose", params=query)
    assert response.status_code == 200, response.text[:500]
    return page_of(response)


# --- §8 1: the latest creator_info, the creator shown, the creator able to post --------------


def test_creator_info_is_fetched_every_time_the_page_opens(make_harness: MakeHarness) -> None:
    calls: list[str] = []
    hook = on_path("/creator_info/", lambda request: calls.append(request.url.path))
    harness = make_harness(client=client_with_hooks(request=[hook]))
    client, _ = signed_in_client(harness)
    with client:
        assert client.get("/compose").status_code == 200
        assert len(calls) == 1
        assert client.get("/compose").status_code == 200
        assert len(calls) == 2


def test_the_page_shows_the_creators_nickname_and_avatar(dashboard: Dashboard) -> None:
    page = open_compose(dashboard)
    assert page["creator_nickname"].text == "Sunny Studio"
    assert page["creator_username"].text == "@sunny.studio"
    avatar = str(page["creator_avatar"].get("src"))
    assert avatar.startswith(dashboard.harness.sandbox.url)
    assert httpx.get(avatar).status_code == 200


@pytest.mark.parametrize("creator", ["capped", "banned"])
def test_a_creator_who_cannot_post_now_is_told_why_and_publishing_is_off(
    dashboard: Dashboard, creator: str
) -> None:
    page = open_compose(dashboard, creator)
    assert "try" in page["creator_problem"].text.lower() or "ban" in page["creator_problem"].text
    assert page["submit_button"].has("disabled")


def test_an_account_needing_reconnection_says_so_and_links_to_accounts(
    dashboard: Dashboard,
) -> None:
    harness = dashboard.harness
    with harness.ctx.db.session() as session:
        session.execute(
            update(TikTokAccount)
            .where(TikTokAccount.id == harness.account_id)
            .values(status="needs_reconnect", status_reason="The creator revoked access.")
        )
    page = open_compose(dashboard)
    assert "The creator revoked access." in page["creator_problem"].text
    assert page["reconnect_link"].get("href") == "/accounts"
    assert page["submit_button"].has("disabled")


def test_the_duration_limit_is_checked_before_upload_and_on_the_server(
    dashboard: Dashboard, post_media: PostMedia
) -> None:
    page = open_compose(dashboard, "short")
    # §8 1c: the page knows the limit for the script's check when a file is picked …
    assert page["compose_form"].get("data-max-duration") == "60"
    assert "60 seconds" in page["duration_limit"].text
    # … and the server refuses a longer video whatever the browser did.
    account = dashboard.harness.connect("short")
    response = compose(
        dashboard, [post_media.long_clip], account_id=account, privacy_level="SELF_ONLY"
    )
    assert response.status_code == 422
    assert "60" in page_of(response)["media_error"].text
    assert sandbox_publishes(dashboard.harness.sandbox) == []


# --- §8 2: metadata -----------------------------------------------------------------------


def test_the_caption_limit_is_tiktoks_in_utf16_units(
    dashboard: Dashboard, post_media: PostMedia
) -> None:
    page = open_compose(dashboard)
    assert page["title"].get("maxlength") == "2200"  # HTML counts UTF-16 units, as TikTok
    photo = open_compose(dashboard, kind="photo")
    assert (photo["title"].get("maxlength"), photo["description"].get("maxlength")) == (
        "90",
        "4000",
    )
    too_long = "😀" * 1101  # 1,101 characters, 2,202 UTF-16 units
    response = compose(
        dashboard, [post_media.clip], title=too_long, privacy_level="PUBLIC_TO_EVERYONE"
    )
    assert response.status_code == 422
    assert "2200" in page_of(response)["title_error"].text


@pytest.mark.parametrize(
    ("creator", "offered"), [("public", PUBLIC_OPTIONS), ("private", PRIVATE_OPTIONS)]
)
def test_privacy_offers_exactly_the_creators_options_with_none_chosen(
    dashboard: Dashboard, creator: str, offered: list[str]
) -> None:
    page = open_compose(dashboard, creator)
    select = page["privacy_level"]
    assert select.get("name") == "privacy_level" and select.has("required")
    assert option_values(page, "privacy_level") == offered
    placeholder, *choices = select.all("option")
    # §8 2b: no default: only the disabled, empty placeholder is selected.
    assert (placeholder.get("value"), placeholder.has("disabled")) == ("", True)
    assert not any(option.has("selected") for option in choices)


def test_privacy_is_required_for_a_direct_post(dashboard: Dashboard, post_media: PostMedia) -> None:
    response = compose(dashboard, [post_media.clip], title="no privacy chosen")
    assert response.status_code == 422
    assert "Choose who can see this post" in page_of(response)["privacy_level_error"].text


def test_interactions_start_unchecked_and_enabled(dashboard: Dashboard) -> None:
    page = open_compose(dashboard)
    for name in ("allow_comment", "allow_duet", "allow_stitch"):
        box = page[name]
        assert box.get("type") == "checkbox"
        assert not box.has("checked") and not box.has("disabled")


def test_interactions_the_creator_turned_off_are_disabled_and_refused(
    dashboard: Dashboard, post_media: PostMedia
) -> None:
    page = open_compose(dashboard, "locked")
    for name in ("allow_comment", "allow_duet", "allow_stitch"):
        assert page[name].has("disabled"), name
        assert "Turned off" in page[f"{name}_why"].text
    account = dashboard.harness.connect("locked")
    response = compose(
        dashboard,
        [post_media.clip],
        account_id=account,
        privacy_level="PUBLIC_TO_EVERYONE",
        allow_comment=True,
    )
    assert response.status_code == 422
    assert "turned comments off" in page_of(response)["allow_comment_error"].text


def test_a_photo_post_offers_only_allow_comment(
    dashboard: Dashboard, post_media: PostMedia
) -> None:
    page = open_compose(dashboard, kind="photo")
    assert "allow_comment" in page
    assert "allow_duet" not in page and "allow_stitch" not in page
    post_id = compose_draft(
        dashboard, post_media.photos, kind="photo", allow_duet=True, allow_stitch=True
    )
    stored = dashboard.harness.post(post_id)
    assert (stored.allow_duet, stored.allow_stitch) == (False, False)


def test_the_music_usage_declaration_is_linked_before_the_button(dashboard: Dashboard) -> None:
    page = open_compose(dashboard)
    declaration = page["declaration"]
    assert declaration.text == MUSIC_DECLARATION
    (link,) = declaration.all("a")
    assert "music-usage-confirmation" in str(link.get("href"))


# --- §8 3 and 4: commercial content disclosure and the declaration ----------------------------


def test_the_disclosure_is_off_with_your_brand_and_branded_content_options(
    dashboard: Dashboard,
) -> None:
    page = open_compose(dashboard)
    toggle = page["commercial_content"]
    assert toggle.get("type") == "checkbox" and not toggle.has("checked")
    for name, label in (("brand_organic", "Your brand"), ("brand_content", "Branded content")):
        assert not page[name].has("checked")
        assert label in page.root.text
    form = page["compose_form"]
    assert form.get("data-label-organic") == "Your video will be labeled as 'Promotional content'"
    assert form.get("data-label-paid") == "Your video will be labeled as 'Paid partnership'"
    assert page["disclosure_label"].has("hidden")


def test_a_disclosure_without_a_choice_cannot_be_published(
    dashboard: Dashboard, post_media: PostMedia
) -> None:
    page = open_compose(dashboard)
    hover = page["submit_button"].get("data-needs-choice")
    assert hover == page["needs_choice"].text
    assert "promotes yourself, a third party, or both" in str(hover)
    response = compose(
        dashboard,
        [post_media.clip],
        privacy_level="PUBLIC_TO_EVERYONE",
        commercial_content=True,
    )
    assert response.status_code == 422
    assert "Your brand" in page_of(response)["commercial_content_error"].text


@pytest.mark.parametrize(
    ("boxes", "label"),
    [
        ({"brand_organic": True}, "Your video will be labeled as 'Promotional content'"),
        ({"brand_content": True}, "Your video will be labeled as 'Paid partnership'"),
        (
            {"brand_organic": True, "brand_content": True},
            "Your video will be labeled as 'Paid partnership'",
        ),
    ],
)
def test_the_label_follows_the_disclosure(
    dashboard: Dashboard, post_media: PostMedia, boxes: dict[str, bool], label: str
) -> None:
    # Sent without a privacy level, the form comes back showing the chosen disclosure.
    response = compose(dashboard, [post_media.clip], commercial_content=True, **boxes)
    assert response.status_code == 422
    assert page_of(response)["disclosure_label"].text == label


def test_branded_content_cannot_be_private(dashboard: Dashboard, post_media: PostMedia) -> None:
    response = compose(
        dashboard,
        [post_media.clip],
        privacy_level="SELF_ONLY",
        commercial_content=True,
        brand_content=True,
    )
    assert response.status_code == 422
    page = page_of(response)
    assert "Branded content visibility cannot be set to private" in page["privacy_level_error"].text
    (only_me,) = [o for o in page["privacy_level"].all("option") if o.get("value") == "SELF_ONLY"]
    assert only_me.has("disabled") and not only_me.has("selected")
    assert only_me.get("title") == "Branded content visibility cannot be set to private."
    assert not page["self_only_note"].has("hidden")


@pytest.mark.parametrize(
    ("boxes", "declaration"),
    [
        ({}, MUSIC_DECLARATION),
        ({"commercial_content": True, "brand_organic": True}, MUSIC_DECLARATION),
        ({"commercial_content": True, "brand_content": True}, BRANDED_DECLARATION),
        (
            {"commercial_content": True, "brand_organic": True, "brand_content": True},
            BRANDED_DECLARATION,
        ),
    ],
)
def test_the_declaration_matches_the_selection(
    dashboard: Dashboard, post_media: PostMedia, boxes: dict[str, bool], declaration: str
) -> None:
    response = compose(dashboard, [post_media.clip], **boxes)  # no privacy: comes back
    page = page_of(response)
    assert page["declaration"].text == declaration
    # The script swaps in the other wording as boxes are ticked; both are on the page.
    assert {page["declaration_music"].text, page["declaration_branded"].text} == {
        MUSIC_DECLARATION,
        BRANDED_DECLARATION,
    }


# --- §8 5: awareness and control ----------------------------------------------------------


def test_nothing_reaches_tiktok_before_the_author_confirms(
    dashboard: Dashboard, post_media: PostMedia
) -> None:
    harness = dashboard.harness
    post_id = compose_draft(dashboard, [post_media.clip])
    harness.work()
    assert harness.post(post_id).status == "draft"
    assert sandbox_publishes(harness.sandbox) == []
    page = page_of(dashboard.get(f"/posts/{post_id}/confirm"))
    assert page["confirm_button"].text == "Publish now"
    assert page["confirm_form"].get("action") == f"/posts/{post_id}/confirm"
    dashboard.post(f"/posts/{post_id}/confirm")
    assert harness.finish(post_id).status == "published"
    assert len(sandbox_publishes(harness.sandbox)) == 1


def test_the_preview_shows_the_stored_media_without_javascript(
    dashboard: Dashboard, post_media: PostMedia
) -> None:
    post_id = compose_draft(dashboard, [post_media.clip])
    page = page_of(dashboard.get(f"/posts/{post_id}/confirm"))
    (video,) = page["media_preview"].all("video")
    response = dashboard.get(str(video.get("src")))
    assert response.status_code == 200
    assert response.headers["content-type"] == "video/mp4"
    assert response.content == post_media.clip.read_bytes()


def test_the_page_says_processing_can_take_a_few_minutes(
    dashboard: Dashboard, post_media: PostMedia
) -> None:
    assert "a few minutes" in open_compose(dashboard)["processing_note"].text
    post_id = compose_draft(dashboard, [post_media.clip])
    confirm_page = page_of(dashboard.get(f"/posts/{post_id}/confirm"))
    assert "a few minutes" in confirm_page["processing_note"].text


def test_the_page_needs_a_signed_in_user(dashboard: Dashboard) -> None:
    response = httpx.get(f"{dashboard.url}/compose")
    assert response.status_code == 303
    assert response.headers["location"].startswith("/signin?next=")


def test_an_unknown_account_is_not_found(dashboard: Dashboard) -> None:
    assert dashboard.get("/compose", params={"account": "999"}).status_code == 404
