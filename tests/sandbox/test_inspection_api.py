"""Looking inside the sandbox: /sandbox/api/creators, publishes, webhooks and clock."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx

from autoposter.sandbox import RunningSandbox
from tests.fileserver import MediaServer
from tests.media import make_video
from tests.sandbox.posting_support import VIDEO_INIT, call, direct_video, url_source
from tests.sandbox.posting_support import wait_for_status as wait_for_publish
from tests.sandbox.support import connect, webhook_events


def _get(sandbox: RunningSandbox, path: str) -> Any:
    response = httpx.get(f"{sandbox.url}{path}")
    assert response.status_code == 200, response.text
    return response.json()


def _creator(sandbox: RunningSandbox, key: str) -> dict[str, Any]:
    creators = _get(sandbox, "/sandbox/api/creators")["creators"]
    found: dict[str, Any] = next(c for c in creators if c["key"] == key)
    return found


def test_it_lists_every_seeded_creator_with_its_case(sandbox: RunningSandbox) -> None:
    creators = {c["key"]: c for c in _get(sandbox, "/sandbox/api/creators")["creators"]}
    assert set(creators) == {"public", "private", "locked", "short", "banned", "capped"}
    assert creators["private"]["private"] is True
    assert creators["locked"]["comment_disabled"] is True
    assert creators["short"]["max_video_post_duration_sec"] == 60
    assert creators["banned"]["banned"] is True
    assert creators["capped"]["posts_last_24h"] == creators["capped"]["daily_post_cap"] == 15
    assert creators["public"]["nickname"] == "Sunny Studio"
    assert creators["public"]["username"] == "sunny.studio"
    assert creators["public"]["video_count"] == 3
    assert creators["public"]["authorized_scopes"] == []
    assert creators["public"]["open_id"] != creators["public"]["union_id"]


def test_a_creator_shows_the_scopes_it_granted(sandbox: RunningSandbox) -> None:
    token = connect(sandbox, "short", ("user.info.basic", "video.upload"))
    creator = _creator(sandbox, "short")
    assert creator["open_id"] == token["open_id"]
    assert creator["authorized_scopes"] == ["user.info.basic", "video.upload"]


def test_nothing_reveals_the_client_secret(sandbox: RunningSandbox) -> None:
    connect(sandbox)
    secret = sandbox.world.config.client_secret
    for path in (
        "/sandbox/api/creators",
        "/sandbox/api/faults",
        "/sandbox/api/webhooks",
        "/sandbox/",
    ):
        assert secret not in httpx.get(f"{sandbox.url}{path}").text


def _publish_twice(sandbox: RunningSandbox, media_server: MediaServer, tmp_path: Path) -> list[str]:
    url = media_server.add("clip.mp4", make_video(tmp_path / "clip.mp4", seconds=0.5))
    added = httpx.post(f"{sandbox.url}/sandbox/api/url-prefixes", json={"prefix": media_server.url})
    assert added.status_code == 200
    token = connect(sandbox)
    publish_ids = []
    for _ in range(2):
        init = call(sandbox, VIDEO_INIT, token, direct_video(source=url_source(url)))
        assert init.status_code == 200, init.text
        publish_id = init.json()["data"]["publish_id"]
        wait_for_publish(sandbox, token, publish_id, "PUBLISH_COMPLETE")
        publish_ids.append(publish_id)
    return publish_ids


def test_publishes_show_what_tiktok_received_and_count_duplicates(
    sandbox: RunningSandbox, media_server: MediaServer, tmp_path: Path
) -> None:
    publish_ids = _publish_twice(sandbox, media_server, tmp_path)
    listed = _get(sandbox, "/sandbox/api/publishes")["publishes"]
    assert [p["publish_id"] for p in listed] == publish_ids
    one = _get(sandbox, f"/sandbox/api/publishes/{publish_ids[0]}")
    assert one["creator_key"] == "public"
    assert one["open_id"] == _creator(sandbox, "public")["open_id"]
    assert (one["media"], one["mode"], one["source"]) == ("video", "DIRECT_POST", "PULL_FROM_URL")
    assert one["privacy_level"] == "PUBLIC_TO_EVERYONE"
    assert one["status"] == "PUBLISH_COMPLETE"
    assert one["fail_reason"] == ""
    assert one["downloaded_bytes"] > 0
    assert all(isinstance(i, str) for i in one["post_ids"])
    assert one["content_hash"]
    assert one["times_published"] == 2
    assert isinstance(one["created_at"], float)


def test_an_unknown_publish_id_is_404(sandbox: RunningSandbox) -> None:
    response = httpx.get(f"{sandbox.url}/sandbox/api/publishes/v_pub_file~v2-1.1")
    assert response.status_code == 404
    assert "v_pub_file~v2-1.1" in response.json()["error"]


def test_webhooks_list_each_event_with_its_delivery_state(sandbox: RunningSandbox) -> None:
    token = connect(sandbox)
    response = httpx.post(
        f"{sandbox.url}/sandbox/api/creators/public/deauthorize", json={"reason": 2}
    )
    assert response.status_code == 200
    [event] = webhook_events(sandbox)
    assert event["event"] == "authorization.removed"
    assert json.loads(event["body"])["user_openid"] == token["open_id"]
    assert event["attempts"] == []
    assert event["delivered"] is False
    assert event["given_up"] is False
    assert isinstance(event["id"], int)


def test_the_clock_reports_sandbox_time(sandbox: RunningSandbox) -> None:
    clock = _get(sandbox, "/sandbox/api/clock")
    assert abs(clock["now"] - sandbox.world.now()) < 5
    assert clock["scale"] == 1.0
    assert clock["iso"].endswith("+00:00")
