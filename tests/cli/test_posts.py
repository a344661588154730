"""``autoposter posts list|show|cancel``."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from autoposter.posts import Delivery, PostKind, PostRequest, PostView, create_and_confirm

from .support import Instance, json_of, refused


def scheduled(instance: Instance, clip: Path, when: datetime, caption: str = "") -> PostView:
    request = PostRequest(
        kind=PostKind.VIDEO,
        mode=Delivery.DIRECT,
        media=(clip,),
        title=caption,
        privacy_level="SELF_ONLY",
        publish_at=when,
    )
    return create_and_confirm(instance.ctx, instance.user, 1, request).post


def test_posts_list_gives_the_newest_first_and_filters(connected: Instance, clip: Path) -> None:
    early = scheduled(connected, clip, datetime(2030, 1, 1, 9, 0, tzinfo=UTC), "early")
    late = scheduled(connected, clip, datetime(2030, 6, 1, 9, 0, tzinfo=UTC), "late")

    everything = json_of(connected.run("posts", "list", "--json"))["items"]
    since = json_of(connected.run("posts", "list", "--since", "2030-03-01 00:00", "--json"))
    limited = json_of(connected.run("posts", "list", "--limit", "1", "--json"))["items"]
    published = json_of(connected.run("posts", "list", "--status", "published", "--json"))

    assert [p["id"] for p in everything] == [late.id, early.id]
    assert [p["title"] for p in since["items"]] == ["late"]
    assert [p["id"] for p in limited] == [late.id]
    assert published["items"] == []


def test_posts_list_by_account_name_and_as_a_table(connected: Instance, clip: Path) -> None:
    scheduled(connected, clip, datetime(2030, 1, 1, 9, 0, tzinfo=UTC), "hello table")

    result = connected.run("posts", "list", "--account", "@sunny.studio")

    assert result.returncode == 0, result.stderr
    assert "hello table" in result.stdout and "2030-01-01 09:00" in result.stdout


def test_posts_show_gives_the_post_with_its_history(connected: Instance, clip: Path) -> None:
    post = scheduled(connected, clip, datetime(2030, 1, 1, 9, 0, tzinfo=UTC))

    shown = json_of(connected.run("posts", "show", str(post.id), "--json"))
    table = connected.run("posts", "show", str(post.id))

    assert (shown["id"], shown["status"]) == (post.id, "scheduled")
    assert [e["to_status"] for e in shown["history"]] == ["draft", "scheduled"]
    assert shown["media"][0]["name"] == clip.name
    assert "History" in table.stdout and "Confirmed" in table.stdout


def test_posts_cancel_cancels_a_scheduled_post(connected: Instance, clip: Path) -> None:
    post = scheduled(connected, clip, datetime(2030, 1, 1, 9, 0, tzinfo=UTC))

    cancelled = json_of(connected.run("posts", "cancel", str(post.id), "--json"))
    again = connected.run("posts", "cancel", str(post.id))

    assert cancelled["status"] == "cancelled"
    assert again.returncode == 0 and "is cancelled" in again.stdout  # harmless twice


def test_an_unknown_post_is_refused_with_exit_1(connected: Instance) -> None:
    assert "There is no post 99 among yours" in refused(connected.run("posts", "show", "99"))
    assert "There is no post 99" in refused(connected.run("posts", "cancel", "99"))


def test_a_bad_filter_is_a_usage_error(connected: Instance) -> None:
    status = refused(connected.run("posts", "list", "--status", "done"), code=2)
    since = refused(connected.run("posts", "list", "--since", "yesterday"), code=2)

    assert "'done' is not a post status" in status
    assert "--since" in since and "write it like 2026-12-01 18:00" in since
