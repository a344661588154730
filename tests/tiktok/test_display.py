"""Display API through the client against the sandbox: profile, paged videos, queries (§3)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from autoposter.sandbox import RunningSandbox
from autoposter.tiktok import (
    AccessTokenInvalid,
    InvalidParams,
    ScopeNotAuthorized,
    ScopePermissionMissed,
)
from tests.conftest import StartSandbox

from .support import client_for, connect


@pytest.fixture
def prolific(start_sandbox: StartSandbox, tmp_path: Path) -> RunningSandbox:
    """A sandbox whose one creator has 45 public videos (three pages of 20)."""
    creators = tmp_path / "creators.json"
    creators.write_text(
        json.dumps(
            [
                {
                    "key": "public",
                    "username": "many.clips",
                    "display_name": "Many Clips",
                    "existing_videos": 45,
                },
            ]
        )
    )
    return start_sandbox(creators_file=creators)


def test_it_reads_the_fields_asked_for(sandbox: RunningSandbox) -> None:
    with client_for(sandbox) as client:
        tokens = connect(client, sandbox)
        user = client.user_info(tokens, ["open_id", "display_name", "username", "follower_count"])
    assert user.open_id == tokens.open_id
    assert user.display_name == "Sunny Studio"
    assert user.username == "sunny.studio"
    assert user.follower_count == 1200
    assert user.avatar_url is None  # not asked for


def test_fields_needing_an_ungranted_scope_are_scope_permission_missed(
    sandbox: RunningSandbox,
) -> None:
    with client_for(sandbox) as client:
        tokens = connect(client, sandbox, scopes=("user.info.basic",))
        with pytest.raises(ScopePermissionMissed) as caught:
            client.user_info(tokens, ["display_name", "follower_count"])
    assert caught.value.needs_user and caught.value.http_status == 400


def test_a_missing_scope_is_scope_not_authorized(sandbox: RunningSandbox) -> None:
    with client_for(sandbox) as client:
        tokens = connect(client, sandbox, scopes=("user.info.basic",))
        with pytest.raises(ScopeNotAuthorized):
            client.list_videos(tokens)


def test_an_unknown_field_is_invalid_params(sandbox: RunningSandbox) -> None:
    with client_for(sandbox) as client:
        tokens = connect(client, sandbox)
        with pytest.raises(InvalidParams):
            client.user_info(tokens, ["open_id", "shoe_size"])


def test_an_unknown_token_is_access_token_invalid_and_needs_a_refresh(
    sandbox: RunningSandbox,
) -> None:
    with client_for(sandbox) as client, pytest.raises(AccessTokenInvalid) as caught:
        client.user_info("act.made-up")
    assert caught.value.needs_token_refresh and caught.value.log_id


def test_it_lists_one_page_with_a_cursor(prolific: RunningSandbox) -> None:
    with client_for(prolific) as client:
        tokens = connect(client, prolific)
        page = client.list_videos(tokens, ["id", "create_time"], max_count=20)
    assert len(page.videos) == 20
    assert page.has_more and page.cursor is not None
    times = [v.create_time for v in page.videos]
    assert times == sorted(times, reverse=True)  # newest first


def test_it_iterates_over_every_page(prolific: RunningSandbox) -> None:
    with client_for(prolific) as client:
        tokens = connect(client, prolific)
        videos = list(client.iter_videos(tokens, ["id", "title"], max_count=20))
    assert len(videos) == 45
    assert len({v.id for v in videos}) == 45
    assert all(v.id and v.id.isdigit() and len(v.id) == 19 for v in videos)


def test_it_queries_more_than_20_ids_in_batches(prolific: RunningSandbox) -> None:
    with client_for(prolific) as client:
        tokens = connect(client, prolific)
        ids = [v.id for v in client.iter_videos(tokens, ["id"]) if v.id]
        asked = [*ids[:30], "7000000000000000000"]
        found = client.query_videos(tokens, asked, ["id", "like_count", "share_url"])
    assert [v.id for v in found] == ids[:30]
    assert all(v.share_url for v in found)


def test_an_empty_query_asks_nothing(sandbox: RunningSandbox) -> None:
    with client_for(sandbox) as client:
        assert client.query_videos("act.unused", []) == []
