"""Content Posting through the client against the sandbox: inits, status, cancel (§4)."""

from __future__ import annotations

from pathlib import Path

import pytest

from autoposter.sandbox import RunningSandbox
from autoposter.tiktok import (
    FileUpload,
    InvalidPublishId,
    PhotoPostInfo,
    PostMode,
    PrivacyLevel,
    PrivacyLevelMismatch,
    PublishIdNotAuthorized,
    PublishNotCancellable,
    PullFromUrl,
    ScopeNotAuthorized,
    UrlOwnershipUnverified,
    VideoPostInfo,
    plan_chunks,
)
from tests.conftest import StartSandbox
from tests.fileserver import MediaServer
from tests.media import make_image, make_video

from .support import client_for, connect, poll, publish, publishes, wait_for_status

SELF_ONLY = VideoPostInfo(PrivacyLevel.SELF_ONLY, title="first post #sandbox")
PUBLIC = VideoPostInfo(PrivacyLevel.PUBLIC_TO_EVERYONE, title="hello world")


@pytest.fixture
def video(tmp_path: Path) -> Path:
    return make_video(tmp_path / "clip.mp4")


@pytest.fixture
def pulling(start_sandbox: StartSandbox, media_server: MediaServer) -> RunningSandbox:
    return start_sandbox(verified_url_prefixes=[media_server.url])


def test_creator_info_lists_what_the_creator_may_choose(sandbox: RunningSandbox) -> None:
    with client_for(sandbox) as client:
        info = client.creator_info(connect(client, sandbox, "private"))
    assert info.creator_username == "quiet.notes"
    assert info.creator_nickname == "Quiet Notes"
    assert info.privacy_level_options == (
        "FOLLOWER_OF_CREATOR",
        "MUTUAL_FOLLOW_FRIENDS",
        "SELF_ONLY",
    )
    assert info.duet_disabled and info.stitch_disabled and not info.comment_disabled
    assert info.max_video_post_duration_sec == 600
    assert info.creator_avatar_url.startswith("http")


def test_a_direct_post_uploads_and_publishes(sandbox: RunningSandbox, video: Path) -> None:
    with client_for(sandbox) as client:
        tokens = connect(client, sandbox)
        plan = plan_chunks(video.stat().st_size)
        ticket = client.init_direct_video(tokens, PUBLIC, FileUpload(plan))
        assert ticket.publish_id.startswith("v_pub_file~")
        assert ticket.upload_url and ticket.upload_url not in repr(ticket)
        assert client.fetch_status(tokens, ticket.publish_id).status == "PROCESSING_UPLOAD"
        client.upload_file(ticket.upload_url, video, plan)
        # §4.7: the public post id appears once moderation has passed.
        done = poll(
            lambda: client.fetch_status(tokens, ticket.publish_id),
            lambda s: s.status == "FAILED" or bool(s.post_ids),
        )
    assert done.status == "PUBLISH_COMPLETE"
    assert done.uploaded_bytes == video.stat().st_size
    assert len(done.post_ids) == 1 and len(str(done.post_ids[0])) == 19
    assert publish(sandbox, ticket.publish_id)["post_ids"] == [str(done.post_ids[0])]


def test_a_self_only_post_never_gets_a_public_post_id(sandbox: RunningSandbox, video: Path) -> None:
    with client_for(sandbox) as client:
        tokens = connect(client, sandbox)
        plan = plan_chunks(video.stat().st_size)
        ticket = client.init_direct_video(tokens, SELF_ONLY, FileUpload(plan))
        assert ticket.upload_url
        client.upload_file(ticket.upload_url, video, plan)
        done = wait_for_status(client, tokens, ticket.publish_id, {"PUBLISH_COMPLETE", "FAILED"})
    assert done.status == "PUBLISH_COMPLETE" and done.post_ids == ()


def test_a_direct_post_can_be_pulled_from_a_verified_url(
    pulling: RunningSandbox, media_server: MediaServer, video: Path
) -> None:
    url = media_server.add("clip.mp4", video)
    with client_for(pulling) as client:
        tokens = connect(client, pulling)
        ticket = client.init_direct_video(tokens, SELF_ONLY, PullFromUrl(url))
        done = wait_for_status(client, tokens, ticket.publish_id, {"PUBLISH_COMPLETE", "FAILED"})
    assert ticket.publish_id.startswith("v_pub_url~") and ticket.upload_url is None
    assert done.status == "PUBLISH_COMPLETE"
    assert done.downloaded_bytes == video.stat().st_size


def test_an_unverified_url_is_url_ownership_unverified(sandbox: RunningSandbox) -> None:
    with client_for(sandbox) as client:
        tokens = connect(client, sandbox)
        with pytest.raises(UrlOwnershipUnverified) as caught:
            client.init_direct_video(
                tokens, SELF_ONLY, PullFromUrl("https://elsewhere.example/x.mp4")
            )
    assert caught.value.http_status == 403 and "verify" in str(caught.value)
    assert publishes(sandbox) == []


def test_an_inbox_draft_is_delivered_to_the_inbox(sandbox: RunningSandbox, video: Path) -> None:
    with client_for(sandbox) as client:
        tokens = connect(client, sandbox)
        plan = plan_chunks(video.stat().st_size)
        ticket = client.init_inbox_video(tokens, FileUpload(plan))
        assert ticket.upload_url
        client.upload_file(ticket.upload_url, video, plan)
        done = wait_for_status(client, tokens, ticket.publish_id, {"SEND_TO_USER_INBOX", "FAILED"})
    assert ticket.publish_id.startswith("v_inbox_file~")
    assert done.status == "SEND_TO_USER_INBOX"


def test_inbox_drafts_need_the_upload_scope(sandbox: RunningSandbox) -> None:
    with client_for(sandbox) as client:
        tokens = connect(client, sandbox, scopes=("user.info.basic", "video.publish"))
        with pytest.raises(ScopeNotAuthorized):
            client.init_inbox_video(tokens, FileUpload(plan_chunks(1000)))


def test_photos_post_directly_from_urls(
    pulling: RunningSandbox, media_server: MediaServer, tmp_path: Path
) -> None:
    urls = [media_server.add(f"p{i}.jpg", make_image(tmp_path / f"p{i}.jpg")) for i in range(3)]
    info = PhotoPostInfo(PrivacyLevel.SELF_ONLY, title="three", description="#photos")
    with client_for(pulling) as client:
        tokens = connect(client, pulling)
        ticket = client.init_photos(tokens, urls, info, photo_cover_index=2, is_aigc=True)
        done = wait_for_status(client, tokens, ticket.publish_id, {"PUBLISH_COMPLETE", "FAILED"})
    assert ticket.publish_id.startswith("p_pub_url~")
    assert done.status == "PUBLISH_COMPLETE", done.fail_reason
    assert publish(pulling, ticket.publish_id)["media"] == "photo"


def test_photos_can_go_to_the_inbox_as_a_draft(
    pulling: RunningSandbox, media_server: MediaServer, tmp_path: Path
) -> None:
    url = media_server.add("p.webp", make_image(tmp_path / "p.webp"))
    with client_for(pulling) as client:
        tokens = connect(client, pulling)
        ticket = client.init_photos(
            tokens, [url], PhotoPostInfo(title="draft"), mode=PostMode.MEDIA_UPLOAD
        )
        done = wait_for_status(client, tokens, ticket.publish_id, {"SEND_TO_USER_INBOX", "FAILED"})
    assert ticket.publish_id.startswith("p_inbox_url~")
    assert done.status == "SEND_TO_USER_INBOX"


def test_a_privacy_level_the_creator_does_not_offer_is_a_mismatch(sandbox: RunningSandbox) -> None:
    with client_for(sandbox) as client:
        tokens = connect(client, sandbox, "private")
        with pytest.raises(PrivacyLevelMismatch) as caught:
            client.init_direct_video(tokens, PUBLIC, FileUpload(plan_chunks(1000)))
    assert "creator_info" in str(caught.value)


def test_status_of_an_unknown_publish_is_invalid_publish_id(sandbox: RunningSandbox) -> None:
    with client_for(sandbox) as client:
        tokens = connect(client, sandbox)
        with pytest.raises(InvalidPublishId) as caught:
            client.fetch_status(tokens, "v_pub_file~v2-1.1234567890123456789")
    assert caught.value.log_id


def test_another_creators_publish_is_not_theirs_to_read(sandbox: RunningSandbox) -> None:
    with client_for(sandbox) as client:
        owner = connect(client, sandbox, "public")
        other = connect(client, sandbox, "locked")
        ticket = client.init_direct_video(owner, SELF_ONLY, FileUpload(plan_chunks(1000)))
        with pytest.raises(PublishIdNotAuthorized):
            client.fetch_status(other, ticket.publish_id)
        with pytest.raises(PublishIdNotAuthorized):
            client.cancel(other, ticket.publish_id)


def test_a_downloading_pull_can_be_cancelled_once(
    pulling: RunningSandbox, media_server: MediaServer, video: Path
) -> None:
    media_server.add("slow.mp4", video)
    with client_for(pulling) as client:
        tokens = connect(client, pulling)
        ticket = client.init_direct_video(
            tokens, SELF_ONLY, PullFromUrl(media_server.stall_url("slow.mp4"))
        )
        client.cancel(tokens, ticket.publish_id)
        done = wait_for_status(client, tokens, ticket.publish_id, {"FAILED", "PUBLISH_COMPLETE"})
        assert done.status == "FAILED" and done.fail_reason == "publish_cancelled"
        assert done.failure is not None and not done.failure.retryable
        with pytest.raises(PublishNotCancellable):
            client.cancel(tokens, ticket.publish_id)
