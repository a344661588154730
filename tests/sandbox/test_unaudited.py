"""An unaudited app (§6, §4.1 OBS): private accounts only, SELF_ONLY only, 5 users a day."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from autoposter.sandbox import RunningSandbox
from tests.conftest import StartSandbox
from tests.sandbox.posting_support import (
    CONTENT_INIT,
    CREATOR_INFO,
    INBOX_INIT,
    VIDEO_INIT,
    call,
    direct_video,
    error_of,
    file_source,
    photo_body,
)
from tests.sandbox.support import connect

DAY = 86_400
PRIVATE_USERS = [f"user{i}" for i in range(1, 8)]


@pytest.fixture
def sandbox(start_sandbox: StartSandbox) -> RunningSandbox:
    return start_sandbox(audited=False, verified_url_prefixes=["https://media.example.com/"])


@pytest.fixture
def crowded(start_sandbox: StartSandbox, tmp_path: Path) -> RunningSandbox:
    """An unaudited app whose seven would-be users all have private accounts."""
    creators = tmp_path / "creators.json"
    creators.write_text(
        json.dumps(
            [
                {"key": key, "username": key, "display_name": key.title(), "private_account": True}
                for key in PRIVATE_USERS
            ]
        )
    )
    return start_sandbox(audited=False, creators_file=creators)


@pytest.mark.parametrize("creator", ["public", "private"])
def test_creator_info_offers_only_self_only(sandbox: RunningSandbox, creator: str) -> None:
    data = call(sandbox, CREATOR_INFO, connect(sandbox, creator)).json()["data"]

    assert data["privacy_level_options"] == ["SELF_ONLY"]


@pytest.mark.parametrize(
    ("path", "body"),
    [
        (VIDEO_INIT, direct_video("SELF_ONLY")),
        (CONTENT_INIT, photo_body(["https://media.example.com/a.jpg"], privacy="SELF_ONLY")),
    ],
)
def test_a_public_account_is_refused_even_for_a_private_post(
    sandbox: RunningSandbox, path: str, body: dict[str, object]
) -> None:
    response = call(sandbox, path, connect(sandbox, "public"), body)

    assert error_of(response) == (403, "unaudited_client_can_only_post_to_private_accounts")
    assert "private" in response.json()["error"]["message"]


def test_a_private_account_may_post_privately(sandbox: RunningSandbox) -> None:
    response = call(sandbox, VIDEO_INIT, connect(sandbox, "private"), direct_video("SELF_ONLY"))

    assert response.json()["error"]["code"] == "ok"


def test_a_private_account_may_not_post_to_its_followers(sandbox: RunningSandbox) -> None:
    body = direct_video("FOLLOWER_OF_CREATOR")

    response = call(sandbox, VIDEO_INIT, connect(sandbox, "private"), body)

    assert error_of(response) == (403, "privacy_level_option_mismatch")
    assert "SELF_ONLY" in response.json()["error"]["message"]


def test_a_public_account_may_still_send_drafts(sandbox: RunningSandbox) -> None:
    response = call(sandbox, INBOX_INIT, connect(sandbox, "public"), {"source_info": file_source()})

    assert response.json()["error"]["code"] == "ok"


def test_the_sixth_user_in_a_day_is_refused(crowded: RunningSandbox) -> None:
    for key in PRIVATE_USERS[:5]:
        response = call(crowded, VIDEO_INIT, connect(crowded, key), direct_video("SELF_ONLY"))
        assert response.json()["error"]["code"] == "ok", response.text
    sixth = connect(crowded, PRIVATE_USERS[5])

    refused = call(crowded, VIDEO_INIT, sixth, direct_video("SELF_ONLY"))
    info = call(crowded, CREATOR_INFO, sixth)
    draft = call(crowded, INBOX_INIT, sixth, {"source_info": file_source()})

    assert error_of(refused) == (403, "reached_active_user_cap")
    assert error_of(info) == (200, "reached_active_user_cap")
    assert error_of(draft) == (403, "reached_active_user_cap")


def test_users_already_counted_keep_posting_at_the_cap(crowded: RunningSandbox) -> None:
    tokens = {key: connect(crowded, key) for key in PRIVATE_USERS[:5]}
    for token in tokens.values():
        call(crowded, VIDEO_INIT, token, direct_video("SELF_ONLY"))

    again = call(crowded, VIDEO_INIT, tokens[PRIVATE_USERS[0]], direct_video("SELF_ONLY"))

    assert again.json()["error"]["code"] == "ok"
    assert call(crowded, CREATOR_INFO, tokens[PRIVATE_USERS[0]]).json()["error"]["code"] == "ok"


def test_refused_requests_do_not_make_a_user_active(crowded: RunningSandbox) -> None:
    for key in PRIVATE_USERS[:4]:
        call(crowded, VIDEO_INIT, connect(crowded, key), direct_video("SELF_ONLY"))
    for key in PRIVATE_USERS[4:6]:
        refused = call(
            crowded, VIDEO_INIT, connect(crowded, key), direct_video("PUBLIC_TO_EVERYONE")
        )
        assert error_of(refused) == (403, "privacy_level_option_mismatch")

    fifth = call(crowded, VIDEO_INIT, connect(crowded, PRIVATE_USERS[6]), direct_video("SELF_ONLY"))

    assert fifth.json()["error"]["code"] == "ok"


def test_a_new_user_may_post_once_the_day_has_passed(crowded: RunningSandbox) -> None:
    for key in PRIVATE_USERS[:5]:
        call(crowded, VIDEO_INIT, connect(crowded, key), direct_video("SELF_ONLY"))

    crowded.world.clock.advance(DAY + 1)
    response = call(
        crowded, VIDEO_INIT, connect(crowded, PRIVATE_USERS[5]), direct_video("SELF_ONLY")
    )

    assert response.json()["error"]["code"] == "ok"


def test_an_audited_app_counts_users_against_its_own_cap(start_sandbox: StartSandbox) -> None:
    sandbox = start_sandbox(active_user_cap=1)
    call(sandbox, VIDEO_INIT, connect(sandbox, "public"), direct_video())

    response = call(sandbox, VIDEO_INIT, connect(sandbox, "locked"), direct_video())

    assert error_of(response) == (403, "reached_active_user_cap")
    assert "try again later" in response.json()["error"]["message"]
