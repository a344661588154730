"""Caps, bans and audit rules arrive as typed errors that say who can fix them (§4.1, §6)."""

from __future__ import annotations

import pytest

from autoposter.sandbox import RunningSandbox
from autoposter.tiktok import (
    FileUpload,
    PostingBanned,
    PostingCapReached,
    PrivacyLevel,
    UnauditedClientPublicAccount,
    VideoPostInfo,
    plan_chunks,
)
from tests.conftest import StartSandbox

from .support import client_for, connect, publishes

SELF_ONLY = VideoPostInfo(PrivacyLevel.SELF_ONLY)
SMALL = FileUpload(plan_chunks(1000))


def test_creator_info_reports_a_ban_on_http_200(sandbox: RunningSandbox) -> None:
    with client_for(sandbox) as client:
        tokens = connect(client, sandbox, "banned")
        with pytest.raises(PostingBanned) as caught:
            client.creator_info(tokens)
    assert caught.value.http_status == 200
    assert caught.value.needs_user and caught.value.final and caught.value.log_id


def test_a_banned_creators_init_is_refused(sandbox: RunningSandbox) -> None:
    with client_for(sandbox) as client:
        tokens = connect(client, sandbox, "banned")
        with pytest.raises(PostingBanned) as caught:
            client.init_direct_video(tokens, SELF_ONLY, SMALL)
    assert caught.value.http_status == 403


def test_creator_info_reports_the_daily_cap_on_http_200(sandbox: RunningSandbox) -> None:
    with client_for(sandbox) as client:
        tokens = connect(client, sandbox, "capped")
        with pytest.raises(PostingCapReached) as caught:
            client.creator_info(tokens)
    assert caught.value.code == "spam_risk_too_many_posts"
    assert caught.value.http_status == 200 and caught.value.needs_user
    assert "24 hours" in str(caught.value)


def test_the_daily_cap_lifts_a_day_later(sandbox: RunningSandbox) -> None:
    with client_for(sandbox) as client:
        tokens = connect(client, sandbox, "capped")
        with pytest.raises(PostingCapReached):
            client.init_direct_video(tokens, SELF_ONLY, SMALL)
        sandbox.world.clock.advance(86_400)
        tokens = client.refresh(tokens)  # the access token expired meanwhile
        assert client.init_direct_video(tokens, SELF_ONLY, SMALL).publish_id


def test_too_many_pending_drafts_is_a_posting_cap(sandbox: RunningSandbox) -> None:
    with client_for(sandbox) as client:
        tokens = connect(client, sandbox)
        for _ in range(5):
            client.init_inbox_video(tokens, SMALL)
        with pytest.raises(PostingCapReached) as caught:
            client.init_inbox_video(tokens, SMALL)
    assert caught.value.code == "spam_risk_too_many_pending_share"
    assert "drafts" in str(caught.value)


def test_the_apps_active_user_cap_is_a_posting_cap(start_sandbox: StartSandbox) -> None:
    sandbox = start_sandbox(active_user_cap=1)
    with client_for(sandbox) as client:
        client.init_direct_video(connect(client, sandbox, "public"), SELF_ONLY, SMALL)
        with pytest.raises(PostingCapReached) as caught:
            client.init_direct_video(connect(client, sandbox, "locked"), SELF_ONLY, SMALL)
    assert caught.value.code == "reached_active_user_cap"


def test_an_unaudited_app_cannot_post_to_a_public_account(start_sandbox: StartSandbox) -> None:
    sandbox = start_sandbox(audited=False)
    with client_for(sandbox) as client:
        tokens = connect(client, sandbox, "public")
        assert client.creator_info(tokens).privacy_level_options == ("SELF_ONLY",)
        with pytest.raises(UnauditedClientPublicAccount) as caught:
            client.init_direct_video(tokens, SELF_ONLY, SMALL)
        assert caught.value.needs_user and "private" in str(caught.value)
        private = connect(client, sandbox, "private")
        assert client.init_direct_video(private, SELF_ONLY, SMALL).publish_id
    assert len(publishes(sandbox)) == 1
