"""The /sandbox/ page a person opens in a browser, and the images it shows."""

from __future__ import annotations

import re
from pathlib import Path

import httpx

from autoposter.sandbox import RunningSandbox
from tests.conftest import StartSandbox
from tests.fileserver import MediaServer
from tests.media import make_video
from tests.sandbox.posting_support import (
    VIDEO_INIT,
    call,
    direct_video,
    url_source,
    wait_for_status,
)
from tests.sandbox.support import connect


def test_the_page_shows_creators_clock_faults_and_links_to_the_json(
    sandbox: RunningSandbox,
) -> None:
    page = httpx.get(f"{sandbox.url}/sandbox/")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    for nickname in ("Sunny Studio", "Quiet Notes", "Benched Account", "Busy Poster"):
        assert nickname in page.text
    for link in ("creators", "publishes", "webhooks", "faults", "clock", "url-prefixes"):
        assert f'href="/sandbox/api/{link}"' in page.text
    assert "error_5xx_rate" in page.text
    assert "No publishes yet." in page.text
    assert sandbox.world.config.client_key in page.text


def test_the_page_shows_who_authorized_and_the_webhooks_sent(sandbox: RunningSandbox) -> None:
    connect(sandbox, "short", ("user.info.basic", "video.upload"))
    httpx.post(f"{sandbox.url}/sandbox/api/creators/short/deauthorize", json={"reason": 4})
    connect(sandbox, "private", ("user.info.basic", "video.upload"))
    page = httpx.get(f"{sandbox.url}/sandbox/").text
    assert '<span class="tag">video.upload</span>' in page
    assert "authorization.removed" in page
    assert "No webhook events yet." not in page


def test_every_avatar_on_the_page_loads(sandbox: RunningSandbox) -> None:
    page = httpx.get(f"{sandbox.url}/sandbox/").text
    avatars = re.findall(r'class="avatar" src="([^"]+)"', page)
    assert len(avatars) == len(sandbox.world.creators)
    for src in avatars:
        image = httpx.get(src.replace("&amp;", "&"))
        assert image.status_code == 200
        assert image.text.startswith("<svg")


def test_an_unsigned_avatar_link_is_refused(sandbox: RunningSandbox) -> None:
    page = httpx.get(f"{sandbox.url}/sandbox/").text
    src = re.findall(r'class="avatar" src="([^"]+)"', page)[0]
    unsigned = httpx.get(src.split("?")[0])
    assert unsigned.status_code == 403
    assert "not signed" in unsigned.text


def test_the_page_lists_publishes_with_their_status(
    start_sandbox: StartSandbox, media_server: MediaServer, tmp_path: Path
) -> None:
    sandbox = start_sandbox(verified_url_prefixes=[media_server.url])
    url = media_server.add("clip.mp4", make_video(tmp_path / "clip.mp4", seconds=0.5))
    token = connect(sandbox)
    init = call(sandbox, VIDEO_INIT, token, direct_video(source=url_source(url)))
    publish_id = init.json()["data"]["publish_id"]
    wait_for_status(sandbox, token, publish_id, "PUBLISH_COMPLETE")
    page = httpx.get(f"{sandbox.url}/sandbox/").text
    assert publish_id in page
    assert "PUBLISH_COMPLETE" in page
    assert "No publishes yet." not in page
