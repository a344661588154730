"""POST /v2/video/list/ and /v2/video/query/: paging, fields, ownership (§3.2–§3.4)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from autoposter.sandbox import RunningSandbox, ratelimit
from autoposter.sandbox.state import Video
from tests.conftest import StartSandbox
from tests.sandbox.support import advance_clock, bearer, connect

FIELDS = "id,create_time,title"


def _list(
    sandbox: RunningSandbox, token: dict[str, Any], body: object = None, fields: str = FIELDS
) -> httpx.Response:
    return httpx.post(
        f"{sandbox.url}/v2/video/list/",
        params={"fields": fields} if fields else {},
        headers=bearer(token),
        json=body if body is not None else {},
    )


def _query(
    sandbox: RunningSandbox, token: dict[str, Any], ids: object, fields: str = FIELDS
) -> httpx.Response:
    return httpx.post(
        f"{sandbox.url}/v2/video/query/",
        params={"fields": fields},
        headers=bearer(token),
        json={"filters": {"video_ids": ids}},
    )


def _error_code(response: httpx.Response) -> str:
    code: str = response.json()["error"]["code"]
    return code


@pytest.fixture
def busy_sandbox(start_sandbox: StartSandbox, tmp_path: Path) -> RunningSandbox:
    """A sandbox whose ``public`` creator already has 25 videos, one a day."""
    creators = [
        {"key": "public", "username": "sunny.studio", "display_name": "Sunny Studio",
         "existing_videos": 25},
        {"key": "other", "username": "someone.else", "display_name": "Someone Else"},
    ]  # fmt: skip
    path = tmp_path / "creators.json"
    path.write_text(json.dumps(creators))
    return start_sandbox(creators_file=path)


def test_it_lists_public_videos_newest_first_ten_by_default(
    busy_sandbox: RunningSandbox,
) -> None:
    token = connect(busy_sandbox)
    response = _list(busy_sandbox, token)
    assert response.status_code == 200
    data = response.json()["data"]
    times = [v["create_time"] for v in data["videos"]]
    assert len(times) == 10
    assert times == sorted(times, reverse=True)
    assert data["has_more"] is True
    assert data["cursor"] == times[-1] * 1000
    assert set(data["videos"][0]) == {"id", "create_time", "title"}


def test_paging_with_the_cursor_visits_every_video_once(busy_sandbox: RunningSandbox) -> None:
    token = connect(busy_sandbox)
    seen: list[str] = []
    body: dict[str, int] = {"max_count": 7}
    for _ in range(10):
        data = _list(busy_sandbox, token, body).json()["data"]
        seen += [v["id"] for v in data["videos"]]
        if not data["has_more"]:
            break
        body = {"max_count": 7, "cursor": data["cursor"]}
    assert len(seen) == 25
    assert len(set(seen)) == 25
    assert data["has_more"] is False


def test_a_cursor_lists_only_videos_created_before_it(busy_sandbox: RunningSandbox) -> None:
    token = connect(busy_sandbox)
    everything = _list(busy_sandbox, token, {"max_count": 20}).json()["data"]["videos"]
    fifth = everything[4]["create_time"]
    data = _list(busy_sandbox, token, {"cursor": fifth * 1000, "max_count": 20}).json()["data"]
    assert data["videos"][0]["id"] == everything[5]["id"]
    assert all(v["create_time"] < fifth for v in data["videos"])


def test_videos_posted_in_the_same_second_page_cleanly(sandbox: RunningSandbox) -> None:
    token = connect(sandbox)
    creator = sandbox.world.creators[token["open_id"]]
    moment = int(sandbox.world.now())
    for i in range(5):
        creator.videos.append(Video(f"77{i:017d}", moment, f"burst {i}", "", 10, 1080, 1920))
    seen: list[str] = []
    body: dict[str, int] = {"max_count": 2}
    while True:
        data = _list(sandbox, token, body).json()["data"]
        seen += [v["id"] for v in data["videos"]]
        if not data["has_more"]:
            break
        body = {"max_count": 2, "cursor": data["cursor"]}
    assert len(seen) == 8
    assert len(set(seen)) == 8


def test_private_videos_are_not_listed(sandbox: RunningSandbox) -> None:
    token = connect(sandbox)
    creator = sandbox.world.creators[token["open_id"]]
    secret = Video("7000000000000000001", int(sandbox.world.now()), "only me", "", 5, 720, 1280)
    secret.public = False
    creator.videos.append(secret)
    ids = [v["id"] for v in _list(sandbox, token).json()["data"]["videos"]]
    assert len(ids) == 3
    assert secret.id not in ids
    assert _query(sandbox, token, [secret.id]).json()["data"]["videos"] == []


@pytest.mark.parametrize("max_count", [0, 21, "5", 2.5, True])
def test_a_bad_max_count_is_invalid_params(sandbox: RunningSandbox, max_count: object) -> None:
    token = connect(sandbox)
    response = _list(sandbox, token, {"max_count": max_count})
    assert response.status_code == 400
    assert _error_code(response) == "invalid_params"
    assert "max_count" in response.json()["error"]["message"]


def test_a_bad_cursor_or_body_is_invalid_params(sandbox: RunningSandbox) -> None:
    token = connect(sandbox)
    assert _error_code(_list(sandbox, token, {"cursor": "soon"})) == "invalid_params"
    broken = httpx.post(
        f"{sandbox.url}/v2/video/list/",
        params={"fields": FIELDS},
        headers={**bearer(token), "Content-Type": "application/json"},
        content=b"{not json",
    )
    assert broken.status_code == 400
    assert _error_code(broken) == "invalid_params"


def test_fields_are_required_and_must_be_known(sandbox: RunningSandbox) -> None:
    token = connect(sandbox)
    assert _error_code(_list(sandbox, token, fields="")) == "invalid_params"
    unknown = _list(sandbox, token, fields="id,music")
    assert unknown.status_code == 400
    assert "music" in unknown.json()["error"]["message"]


def test_video_objects_carry_tiktok_shaped_links(sandbox: RunningSandbox) -> None:
    token = connect(sandbox)
    fields = "id,share_url,embed_link,embed_html,cover_image_url,duration,width,height,view_count"
    video = _list(sandbox, token, fields=fields).json()["data"]["videos"][0]
    key = sandbox.world.config.client_key
    assert video["share_url"] == (
        f"https://www.tiktok.com/@sunny.studio/video/{video['id']}"
        f"?utm_campaign=tt4d_open_api&utm_source={key}"
    )
    assert video["embed_link"].startswith(
        f"https://www.tiktok.com/static/profile-video?id={video['id']}&hide_author=1"
    )
    assert f'data-video-id="{video["id"]}"' in video["embed_html"]
    assert (video["width"], video["height"], video["duration"]) == (1080, 1920, 15)
    assert isinstance(video["view_count"], int)


def test_cover_links_expire_after_six_hours_and_query_refreshes_them(
    sandbox: RunningSandbox,
) -> None:
    token = connect(sandbox)
    video = _list(sandbox, token, fields="id,cover_image_url").json()["data"]["videos"][0]
    cover = video["cover_image_url"]
    expires = int(parse_qs(urlsplit(cover).query)["x-expires"][0])
    assert abs(expires - (sandbox.world.now() + 6 * 3600)) < 5
    image = httpx.get(cover)
    assert image.status_code == 200
    assert image.headers["content-type"].startswith("image/svg+xml")
    advance_clock(sandbox, 6 * 3600 + 1)
    assert httpx.get(cover).status_code == 403
    fresh = _query(sandbox, token, [video["id"]], fields="cover_image_url").json()
    assert httpx.get(fresh["data"]["videos"][0]["cover_image_url"]).status_code == 200


def test_an_altered_cover_link_is_refused(sandbox: RunningSandbox) -> None:
    token = connect(sandbox)
    cover = _list(sandbox, token, fields="cover_image_url").json()["data"]["videos"][0]
    tampered = cover["cover_image_url"].replace("x-expires=", "x-expires=9")
    assert httpx.get(tampered).status_code == 403
    unsigned = cover["cover_image_url"].split("?")[0]
    assert httpx.get(unsigned).status_code == 403


def test_listing_needs_the_video_list_scope(sandbox: RunningSandbox) -> None:
    token = connect(sandbox, scopes=("user.info.basic", "video.publish"))
    response = _list(sandbox, token)
    assert response.status_code == 401
    assert _error_code(response) == "scope_not_authorized"
    assert _query(sandbox, token, ["1"]).status_code == 401


def test_query_returns_only_the_callers_own_videos_in_the_order_asked(
    busy_sandbox: RunningSandbox,
) -> None:
    mine = connect(busy_sandbox)
    theirs = connect(busy_sandbox, "other")
    my_ids = [v["id"] for v in _list(busy_sandbox, mine, {"max_count": 3}).json()["data"]["videos"]]
    their_id = _list(busy_sandbox, theirs).json()["data"]["videos"][0]["id"]
    asked = [my_ids[2], their_id, "1234567890123456789", my_ids[0]]
    response = _query(busy_sandbox, mine, asked)
    assert response.status_code == 200
    data = response.json()["data"]
    assert [v["id"] for v in data["videos"]] == [my_ids[2], my_ids[0]]
    assert data["cursor"] == 0
    assert data["has_more"] is False


@pytest.mark.parametrize("ids", [[], [str(i) for i in range(21)], "123", [123]])
def test_query_needs_one_to_twenty_string_ids(sandbox: RunningSandbox, ids: object) -> None:
    token = connect(sandbox)
    response = _query(sandbox, token, ids)
    assert response.status_code == 400
    assert _error_code(response) == "invalid_params"


def test_video_list_is_rate_limited_per_token(
    sandbox: RunningSandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(ratelimit.LIMITS, "/v2/video/list/", 2)
    token = connect(sandbox)
    assert _list(sandbox, token).status_code == 200
    assert _list(sandbox, token).status_code == 200
    limited = _list(sandbox, token)
    assert limited.status_code == 429
    assert _error_code(limited) == "rate_limit_exceeded"
    advance_clock(sandbox, 61)
    assert _list(sandbox, token).status_code == 200
