"""``autoposter post``: checked first, stored with a progress bar, and with ``--wait`` followed
to TikTok's last word (sent from the command itself when no worker runs)."""

from __future__ import annotations

import signal
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import update

from autoposter.posts import list_posts
from autoposter.store.models import Post, User
from tests.engine import sandbox_publishes
from tests.tiktok.support import set_faults

from .support import Instance, finish, json_of, read_until


def test_post_with_wait_follows_a_video_until_tiktok_published_it(
    connected: Instance, clip: Path
) -> None:
    result = connected.run(
        "post",
        str(clip),
        "--account",
        "sunny.studio",
        "--caption",
        "Hello from the CLI",
        "--privacy",
        "everyone",
        "--allow-comments",
        "--wait",
        "--json",
    )

    post = json_of(result)["post"]
    assert post["status"] == "published"
    assert post["title"] == "Hello from the CLI" and post["privacy_level"] == "PUBLIC_TO_EVERYONE"
    assert post["publish_id"]  # (its post id may come later, by webhook: §4.7)
    statuses = [entry["to_status"] for entry in post["history"]]
    assert statuses[-3:] == ["uploading", "processing", "published"]
    assert "uploading" in result.stderr and "published" in result.stderr  # shown as it went
    (publish,) = sandbox_publishes(connected.sandbox)
    assert (publish["privacy_level"], publish["times_published"]) == ("PUBLIC_TO_EVERYONE", 1)


def test_post_with_wait_says_how_it_ended_without_json(connected: Instance, clip: Path) -> None:
    result = connected.run("post", str(clip), "-a", "1", "--privacy", "only-me", "--wait")

    assert result.returncode == 0, result.stderr
    assert "is published on TikTok" in result.stdout


def test_photos_with_wait_are_pulled_from_media_links_this_command_serves(
    connected: Instance, photos: tuple[Path, ...]
) -> None:
    result = connected.run(
        "post",
        str(photos[0]),
        str(photos[2]),
        "-a",
        "Sunny Studio",
        "--title",
        "Two",
        "--caption",
        "A longer description",
        "--privacy",
        "followers",
        "--wait",
        "--json",
    )

    assert result.returncode == 1  # the public creator offers no "followers": refused first
    assert "Followers (FOLLOWER_OF_CREATOR)" in result.stderr
    result = connected.run(
        "post",
        str(photos[0]),
        str(photos[2]),
        "-a",
        "Sunny Studio",
        "--title",
        "Two",
        "--caption",
        "A longer description",
        "--privacy",
        "friends",
        "--wait",
        "--json",
    )

    post = json_of(result)["post"]
    assert (post["kind"], post["status"]) == ("photo", "published")
    assert (post["title"], post["description"]) == ("Two", "A longer description")
    assert [m["name"] for m in post["media"]] == [photos[0].name, photos[2].name]


def test_a_draft_with_wait_ends_in_the_creators_inbox(connected: Instance, clip: Path) -> None:
    result = connected.run("post", str(clip), "-a", "@sunny.studio", "--draft", "--wait")

    assert result.returncode == 0, result.stderr
    assert "is in the creator's TikTok inbox" in result.stdout
    (publish,) = sandbox_publishes(connected.sandbox)
    assert publish["status"] == "SEND_TO_USER_INBOX"


def test_post_at_a_time_schedules_it_in_the_users_time_zone(
    connected: Instance, clip: Path
) -> None:
    with connected.ctx.db.session() as session:
        session.execute(update(User).values(time_zone="Europe/Berlin"))
    result = connected.run(
        "post", str(clip), "-a", "1", "--privacy", "friends", "--at", "2030-12-01 18:00", "--json"
    )

    post = json_of(result)["post"]
    assert post["status"] == "scheduled"
    assert datetime.fromisoformat(post["publish_at"]) == datetime(2030, 12, 1, 17, 0, tzinfo=UTC)
    assert sandbox_publishes(connected.sandbox) == []  # nothing sent before its time
    shown = connected.run(
        "post", str(clip), "-a", "1", "--privacy", "friends", "--at", "2030-12-02 09:30"
    )
    assert "scheduled for 2030-12-02 09:30 (Europe/Berlin)" in shown.stderr


def test_post_without_wait_leaves_a_due_post_to_the_worker(connected: Instance, clip: Path) -> None:
    result = connected.run("post", str(clip), "-a", "1", "--privacy", "everyone")

    assert result.returncode == 0, result.stderr
    assert "a running worker sends it" in result.stderr
    assert sandbox_publishes(connected.sandbox) == []


def test_a_post_that_fails_exits_1_with_the_reason_and_what_to_do(
    connected: Instance, clip: Path
) -> None:
    set_faults(connected.sandbox, stuck_processing=True)  # TikTok never finishes processing
    result = connected.run(
        "post",
        str(clip),
        "-a",
        "1",
        "--privacy",
        "everyone",
        "--wait",
        AUTOPOSTER_PROCESSING_TIMEOUT="1",
    )

    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert "failed (TikTok: TikTok still reported PROCESSING_UPLOAD" in result.stdout
    assert "check the creator's TikTok profile before posting it again" in result.stdout


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["Ctrl-C", "SIGTERM"])
def test_stopping_the_wait_hands_the_post_back_for_a_worker(
    connected: Instance, clip: Path, signum: int
) -> None:
    set_faults(connected.sandbox, stuck_processing=True)
    process = connected.start("post", str(clip), "-a", "1", "--privacy", "everyone", "--wait")
    read_until(process, "processing")

    process.send_signal(signum)
    code, _, err = finish(process)

    assert code == 130 and "Traceback" not in err
    assert "goes on without this command" in err
    (post,) = list_posts(connected.ctx, connected.user)
    assert post.status == "processing"  # TikTok has it; a worker polls it from here
    with connected.ctx.db.session() as session:
        row = session.get(Post, post.id)
        assert row is not None and row.lease_owner is None  # handed back, not left held
