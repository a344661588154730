"""Photo posts: TikTok pulls each photo from a signed, expiring link under the public URL's
verified /media/ prefix (§4.4, §4.6), served by Autoposter's web app."""

from __future__ import annotations

from pathlib import Path

import httpx

from tests.engine import Harness, MakeHarness, client_with_hooks, on_path, sandbox_publishes
from tests.posts.support import photo_post


def test_a_direct_photo_post_is_published_from_signed_links(
    harness: Harness, photos: tuple[Path, ...]
) -> None:
    composed = harness.compose(photo_post(photos, allow_comment=True, photo_cover_index=1))
    post = harness.finish(composed.id)
    assert post.status == "published", post.fail_message
    (publish,) = sandbox_publishes(harness.sandbox)
    assert (publish["media"], publish["source"]) == ("photo", "PULL_FROM_URL")
    assert publish["downloaded_bytes"] == sum(p.stat().st_size for p in photos)
    assert publish["times_published"] == 1
    assert harness.media_files() == []  # TikTok has them: deleted


def test_a_photo_draft_goes_to_the_inbox(harness: Harness, photos: tuple[Path, ...]) -> None:
    post = harness.finish(harness.compose(photo_post(photos[:2], mode="inbox")).id)
    assert post.status == "in_inbox", post.fail_message
    (publish,) = sandbox_publishes(harness.sandbox)
    assert (publish["mode"], publish["status"]) == ("MEDIA_UPLOAD", "SEND_TO_USER_INBOX")


def test_an_unverified_prefix_fails_with_the_verification_steps(
    make_harness: MakeHarness, photos: tuple[Path, ...]
) -> None:
    harness = make_harness(verified_url_prefixes=[])
    post = harness.finish(harness.compose(photo_post(photos[:1])).id)
    assert (post.status, post.fail_code) == ("failed", "url_ownership_unverified")
    assert "URL properties" in (post.fail_message or "")
    assert f"{harness.ctx.settings.public_url}/media/" in (post.fail_message or "")


def test_photos_tiktok_cannot_download_fail_with_tiktoks_reason(
    make_harness: MakeHarness, photos: tuple[Path, ...]
) -> None:
    gone: list[Harness] = []

    def remove_media(request: httpx.Request) -> None:
        for path in gone[0].media_files():
            path.unlink()  # the links now answer 404, so TikTok's pull fails

    harness = make_harness(
        client=client_with_hooks(request=[on_path("/content/init/", remove_media)])
    )
    gone.append(harness)
    post = harness.finish(harness.compose(photo_post(photos[:1])).id)
    assert (post.status, post.fail_code) == ("failed", "photo_pull_failed")
    assert "could not download a photo" in (post.fail_message or "")
    assert "post it again" in (post.fail_message or "")


def test_a_lost_photo_init_is_never_sent_again(
    make_harness: MakeHarness, photos: tuple[Path, ...]
) -> None:
    def lose_answer(response: httpx.Response) -> None:
        raise httpx.RemoteProtocolError("connection reset", request=response.request)

    harness = make_harness(
        client=client_with_hooks(response=[on_path("/content/init/", lose_answer)])
    )
    post = harness.finish(harness.compose(photo_post(photos[:1])).id)
    # TikTok did accept it (and may publish it): a second init could post it twice.
    assert (post.status, post.fail_code) == ("failed", "outcome_unknown")
    assert "Check the creator's TikTok profile" in (post.fail_message or "")
    assert len(sandbox_publishes(harness.sandbox)) == 1
