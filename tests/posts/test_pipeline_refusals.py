"""Final TikTok refusals at send time end the post ``failed`` at once, with TikTok's reason and
a sentence the author can act on; nothing is retried or initialised twice."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx

from autoposter.posts import post_history
from autoposter.sandbox import RunningSandbox
from tests.engine import Harness, MakeHarness, client_with_hooks, on_path, sandbox_publishes
from tests.posts.support import video_post


def change_creator(sandbox: RunningSandbox, key: str = "public", **seed: Any) -> None:
    """The creator changes something in the TikTok app (each sandbox owns its seeds)."""
    creator = sandbox.world.creator_by_key(key)
    assert creator is not None
    creator.seed = replace(creator.seed, **seed)


def post_through_other_apps(sandbox: RunningSandbox, count: int, key: str = "public") -> None:
    creator = sandbox.world.creator_by_key(key)
    assert creator is not None
    now = sandbox.world.now()
    creator.post_times.extend(now - 60.0 * (i + 1) for i in range(count))


def assert_failed_at_once(harness: Harness, post_id: int, code: str, advice: str) -> None:
    post = harness.finish(post_id)
    assert (post.status, post.fail_code) == ("failed", code), post.fail_message
    assert advice in (post.fail_message or "")
    assert post.fail_reason  # what TikTok said
    assert post.attempts == 0  # final: not retried
    assert harness.media_files() == []
    last = post_history(harness.ctx, harness.user, post_id)[-1]
    assert (last.to_status, last.detail) == ("failed", post.fail_message)


def test_a_creator_banned_before_the_post_was_due_fails_it(harness: Harness, clip: Path) -> None:
    post = harness.compose(video_post(clip))
    change_creator(harness.sandbox, banned=True)
    assert_failed_at_once(
        harness, post.id, "spam_risk_user_banned_from_posting", "banned this account"
    )
    assert "banned from posting" in (harness.post(post.id).fail_reason or "")
    assert sandbox_publishes(harness.sandbox) == []


def test_a_creator_at_tiktoks_daily_cap_fails_the_post_with_when_to_retry(
    harness: Harness, clip: Path
) -> None:
    post = harness.compose(video_post(clip))
    post_through_other_apps(harness.sandbox, 15)  # §6: the cap is shared by every app
    assert_failed_at_once(harness, post.id, "spam_risk_too_many_posts", "try again in 24 hours")


def test_an_unaudited_app_cannot_post_to_a_public_account(
    make_harness: MakeHarness, clip: Path
) -> None:
    harness = make_harness(audited=False)
    # §4.1 [OBS]: an unaudited app is offered SELF_ONLY only, so that passes our checks.
    post = harness.compose(video_post(clip, privacy_level="SELF_ONLY"))
    assert_failed_at_once(
        harness,
        post.id,
        "unaudited_client_can_only_post_to_private_accounts",
        "switch the TikTok account to private",
    )


def test_the_unaudited_mode_posts_privately_to_a_private_account(
    make_harness: MakeHarness, clip: Path
) -> None:
    harness = make_harness(audited=False, creator="private")
    post = harness.finish(harness.compose(video_post(clip, privacy_level="SELF_ONLY")).id)
    assert post.status == "published", post.fail_message
    (publish,) = sandbox_publishes(harness.sandbox)
    assert publish["privacy_level"] == "SELF_ONLY"
    assert publish["post_ids"] == []  # never public while unaudited (§6)


def test_an_account_made_private_before_sending_fails_the_check_at_send_time(
    harness: Harness, clip: Path
) -> None:
    post = harness.compose(video_post(clip))  # PUBLIC_TO_EVERYONE
    change_creator(harness.sandbox, private_account=True)
    assert_failed_at_once(harness, post.id, "validation", "Change it and post it again")
    assert "privacy_level" in (harness.post(post.id).fail_reason or "")
    assert sandbox_publishes(harness.sandbox) == []


def test_tiktoks_privacy_mismatch_at_init_fails_the_post(
    make_harness: MakeHarness, clip: Path
) -> None:
    # The creator turns the account private between creator_info and the init.
    made: list[Harness] = []

    def go_private(request: httpx.Request) -> None:
        change_creator(made[0].sandbox, private_account=True)

    harness = make_harness(client=client_with_hooks(request=[on_path("/video/init/", go_private)]))
    made.append(harness)
    post = harness.compose(video_post(clip))
    assert_failed_at_once(
        harness, post.id, "privacy_level_option_mismatch", "privacy_level_options"
    )


def test_a_video_tiktok_fails_in_processing_ends_with_tiktoks_fail_reason(
    make_harness: MakeHarness, clip: Path
) -> None:
    # The creator's limit drops to 1 s after our check: TikTok fails it in processing (§4.9).
    made: list[Harness] = []

    def shorten(request: httpx.Request) -> None:
        change_creator(made[0].sandbox, max_video_post_duration_sec=1)

    harness = make_harness(client=client_with_hooks(request=[on_path("/video/init/", shorten)]))
    made.append(harness)
    post = harness.compose(video_post(clip))
    assert_failed_at_once(harness, post.id, "duration_check_failed", "too long or too short")
    (publish,) = sandbox_publishes(harness.sandbox)
    assert (publish["status"], publish["fail_reason"]) == ("FAILED", "duration_check_failed")


def test_an_account_whose_access_was_removed_fails_its_posts_with_the_fix(
    harness: Harness, clip: Path
) -> None:
    post = harness.compose(video_post(clip))
    # The creator removes the app in TikTok; the token we hold is dead before its expiry.
    response = httpx.post(f"{harness.sandbox.url}/sandbox/api/creators/public/deauthorize")
    assert response.status_code == 200, response.text
    post_after = harness.finish(post.id)
    assert (post_after.status, post_after.fail_code) == ("failed", "account_needs_reconnect")
    assert "connect the account again" in (post_after.fail_message or "")
