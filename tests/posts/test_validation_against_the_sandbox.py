"""Validation with creator_info fetched from the sandbox over HTTP, and validated posts sent
through the TikTok client: what passes here, the sandbox publishes; what fails here, it fails."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

from autoposter.posts.compose import PhotoInit, VideoInit, build_init
from autoposter.posts.validation import validate, validate_for_sending
from autoposter.sandbox import RunningSandbox
from autoposter.tiktok import FileUpload, plan_chunks
from tests.conftest import StartSandbox
from tests.fileserver import MediaServer
from tests.posts.support import NOW, fields_of, message_for, photo_post, video_post
from tests.tiktok.support import client_for, connect, publish, wait_for_status

FINAL = {"PUBLISH_COMPLETE", "SEND_TO_USER_INBOX", "FAILED"}


def test_a_creator_who_turned_comments_off_meanwhile_fails_before_sending(
    sandbox: RunningSandbox, clip: Path
) -> None:
    post = video_post(clip, allow_comment=True)
    with client_for(sandbox) as client:
        tokens = connect(client, sandbox, "public")
        assert validate(post, client.creator_info(tokens), NOW) == []
        # The creator sets comments to "No one" in the TikTok app before the post is due.
        # (A copy of the seed: the default seeds are shared by every sandbox of the run.)
        creator = sandbox.world.creator_by_key("public")
        assert creator is not None
        creator.seed = replace(creator.seed, comment_disabled=True)
        errors = validate_for_sending(post, client.creator_info(tokens))
    assert message_for(errors, "allow_comment").startswith(
        "Sunny Studio has turned comments off in TikTok, so Allow Comment must stay off"
    )


def test_a_private_accounts_options_refuse_public_and_offer_followers(
    sandbox: RunningSandbox, clip: Path
) -> None:
    with client_for(sandbox) as client:
        info = client.creator_info(connect(client, sandbox, "private"))
    assert fields_of(validate(video_post(clip), info, NOW)) == ["privacy_level"]
    followers = video_post(clip, privacy_level="FOLLOWER_OF_CREATOR")
    assert validate(followers, info, NOW) == []


def test_a_validated_direct_video_is_published(sandbox: RunningSandbox, clip: Path) -> None:
    post = video_post(clip, allow_comment=True, cover_timestamp_ms=500)
    with client_for(sandbox) as client:
        tokens = connect(client, sandbox)
        assert validate(post, client.creator_info(tokens), NOW) == []
        init = build_init(post)
        assert isinstance(init, VideoInit) and init.post_info is not None
        plan = plan_chunks(clip.stat().st_size)
        ticket = client.init_direct_video(tokens, init.post_info, FileUpload(plan))
        assert ticket.upload_url is not None
        client.upload_file(ticket.upload_url, clip, plan)
        done = wait_for_status(client, tokens, ticket.publish_id, FINAL)
    assert done.status == "PUBLISH_COMPLETE", done.fail_reason
    assert publish(sandbox, ticket.publish_id)["privacy_level"] == "PUBLIC_TO_EVERYONE"


def test_a_validated_draft_reaches_the_inbox(sandbox: RunningSandbox, clip: Path) -> None:
    post = video_post(clip, mode="inbox")
    assert validate(post, None, NOW) == []
    assert build_init(post) == VideoInit(post_info=None)
    with client_for(sandbox) as client:
        tokens = connect(client, sandbox)
        plan = plan_chunks(clip.stat().st_size)
        ticket = client.init_inbox_video(tokens, FileUpload(plan))
        assert ticket.upload_url is not None
        client.upload_file(ticket.upload_url, clip, plan)
        done = wait_for_status(client, tokens, ticket.publish_id, FINAL)
    assert done.status == "SEND_TO_USER_INBOX", done.fail_reason


def test_a_video_over_the_creators_limit_is_refused_here_as_the_sandbox_fails_it(
    start_sandbox: StartSandbox, tmp_path: Path, clip: Path
) -> None:
    seeds = tmp_path / "creators.json"
    brief = {"key": "brief", "username": "one.second", "display_name": "One Second"}
    seeds.write_text(json.dumps([{**brief, "max_video_post_duration_sec": 1}]))
    sandbox = start_sandbox(creators_file=seeds)
    post = video_post(clip)
    with client_for(sandbox) as client:
        tokens = connect(client, sandbox, "brief")
        errors = validate(post, client.creator_info(tokens), NOW)
        assert fields_of(errors) == ["media"]
        # Sent anyway, TikTok (here the sandbox) fails it after the upload (§4.9).
        init = build_init(post)
        assert isinstance(init, VideoInit) and init.post_info is not None
        plan = plan_chunks(clip.stat().st_size)
        ticket = client.init_direct_video(tokens, init.post_info, FileUpload(plan))
        assert ticket.upload_url is not None
        client.upload_file(ticket.upload_url, clip, plan)
        done = wait_for_status(client, tokens, ticket.publish_id, FINAL)
    assert (done.status, done.fail_reason) == ("FAILED", "duration_check_failed")


def test_validated_photos_are_published_from_their_urls(
    start_sandbox: StartSandbox, media_server: MediaServer, photos: tuple[Path, ...]
) -> None:
    sandbox = start_sandbox(verified_url_prefixes=[media_server.url])
    post = photo_post(photos, description="#sketch", allow_comment=True, photo_cover_index=2)
    urls = [media_server.add(path.name, path) for path in post.media]
    with client_for(sandbox) as client:
        tokens = connect(client, sandbox)
        assert validate(post, client.creator_info(tokens), NOW) == []
        init = build_init(post)
        assert isinstance(init, PhotoInit)
        ticket = client.init_photos(
            tokens,
            urls,
            init.post_info,
            mode=init.mode,
            photo_cover_index=init.photo_cover_index,
            is_aigc=init.is_aigc,
        )
        done = wait_for_status(client, tokens, ticket.publish_id, FINAL)
    assert done.status == "PUBLISH_COMPLETE", done.fail_reason
