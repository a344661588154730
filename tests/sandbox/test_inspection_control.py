"""Steering the sandbox: clock, faults, token invalidation, URL prefixes, deauthorization."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest

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
from tests.sandbox.support import bearer, connect, refresh, webhook_events


def _post(sandbox: RunningSandbox, path: str, body: object = None) -> httpx.Response:
    return httpx.post(f"{sandbox.url}{path}", json=body if body is not None else {})


def _user_info(sandbox: RunningSandbox, token: dict[str, Any]) -> httpx.Response:
    return httpx.get(f"{sandbox.url}/v2/user/info/?fields=open_id", headers=bearer(token))


def test_advancing_the_clock_moves_sandbox_time(sandbox: RunningSandbox) -> None:
    before = sandbox.world.now()
    response = _post(sandbox, "/sandbox/api/clock/advance", {"seconds": 3600})
    assert response.status_code == 200
    assert response.json()["now"] >= before + 3600
    assert sandbox.world.now() >= before + 3600


def test_advancing_the_clock_runs_the_events_that_came_due(
    start_sandbox: StartSandbox, media_server: MediaServer, tmp_path: Path
) -> None:
    sandbox = start_sandbox(processing_delay=3600.0, verified_url_prefixes=[media_server.url])
    url = media_server.add("clip.mp4", make_video(tmp_path / "clip.mp4", seconds=0.5))
    token = connect(sandbox)
    init = call(sandbox, VIDEO_INIT, token, direct_video(source=url_source(url)))
    publish_id = init.json()["data"]["publish_id"]
    status = f"{sandbox.url}/sandbox/api/publishes/{publish_id}"
    assert wait_for_status(sandbox, token, publish_id, "PROCESSING_DOWNLOAD")
    _post(sandbox, "/sandbox/api/clock/advance", {"seconds": 3601})
    wait_for_status(sandbox, token, publish_id, "PUBLISH_COMPLETE")
    assert httpx.get(status).json()["status"] == "PUBLISH_COMPLETE"


@pytest.mark.parametrize("body", [{}, {"seconds": -1}, {"seconds": "soon"}, [5]])
def test_a_bad_clock_advance_is_refused(sandbox: RunningSandbox, body: object) -> None:
    before = sandbox.world.now()
    response = _post(sandbox, "/sandbox/api/clock/advance", body)
    assert response.status_code == 400
    assert response.json()["error"]
    assert sandbox.world.now() < before + 60


def test_faults_can_be_read_and_changed_at_runtime(sandbox: RunningSandbox) -> None:
    faults = httpx.get(f"{sandbox.url}/sandbox/api/faults").json()
    assert faults["error_5xx_rate"] == 0.0
    changed = _post(sandbox, "/sandbox/api/faults", {"error_5xx_rate": 1, "latency_ms": 0})
    assert changed.status_code == 200
    assert changed.json()["error_5xx_rate"] == 1.0
    token_call = httpx.post(
        f"{sandbox.url}/v2/oauth/token/", data={"grant_type": "client_credentials"}
    )
    assert token_call.status_code == 500
    assert token_call.json()["error"] == "server_error"
    _post(sandbox, "/sandbox/api/faults", {"error_5xx_rate": 0})
    assert connect(sandbox)["access_token"].startswith("act.")


def test_an_unknown_or_ill_typed_fault_changes_nothing(sandbox: RunningSandbox) -> None:
    unknown = _post(sandbox, "/sandbox/api/faults", {"latency_ms": 50, "earthquake": 1})
    assert unknown.status_code == 400
    assert "earthquake" in unknown.json()["error"]
    ill_typed = _post(sandbox, "/sandbox/api/faults", {"latency_ms": 50, "reset_rate": "x"})
    assert ill_typed.status_code == 400
    out_of_range = _post(sandbox, "/sandbox/api/faults", {"reset_rate": 2})
    assert out_of_range.status_code == 400
    assert httpx.get(f"{sandbox.url}/sandbox/api/faults").json()["latency_ms"] == 0


def test_a_rate_limit_burst_answers_the_next_calls_with_429(sandbox: RunningSandbox) -> None:
    token = connect(sandbox)
    assert _post(sandbox, "/sandbox/api/faults", {"rate_limit_burst": 2}).status_code == 200
    codes = [_user_info(sandbox, token).status_code for _ in range(3)]
    assert codes == [429, 429, 200]


def test_invalidating_tokens_makes_them_fail_until_refreshed(sandbox: RunningSandbox) -> None:
    public = connect(sandbox, "public")
    private = connect(sandbox, "private")
    response = _post(sandbox, "/sandbox/api/tokens/invalidate", {"open_id": public["open_id"]})
    assert response.json() == {"invalidated": 1}
    assert _user_info(sandbox, public).json()["error"]["code"] == "access_token_invalid"
    assert _user_info(sandbox, private).status_code == 200
    fresh = refresh(sandbox, public["refresh_token"]).json()
    assert _user_info(sandbox, fresh).status_code == 200


def test_invalidating_without_an_open_id_hits_every_creator(sandbox: RunningSandbox) -> None:
    tokens = [connect(sandbox, key) for key in ("public", "private")]
    assert _post(sandbox, "/sandbox/api/tokens/invalidate").json() == {"invalidated": 2}
    assert all(_user_info(sandbox, t).status_code == 401 for t in tokens)
    unknown = _post(sandbox, "/sandbox/api/tokens/invalidate", {"open_id": "nobody"})
    assert unknown.status_code == 404


def test_url_prefixes_can_be_verified_at_runtime(sandbox: RunningSandbox) -> None:
    prefix = "http://127.0.0.1:9000/media/"
    added = _post(sandbox, "/sandbox/api/url-prefixes", {"prefix": prefix})
    assert added.status_code == 200
    _post(sandbox, "/sandbox/api/url-prefixes", {"prefix": prefix})
    listed = httpx.get(f"{sandbox.url}/sandbox/api/url-prefixes").json()
    assert listed == {"prefixes": [prefix]}
    assert sandbox.world.verified_url_prefixes == [prefix]
    assert _post(sandbox, "/sandbox/api/url-prefixes", {"prefix": "ftp://x/"}).status_code == 400


def test_a_creator_removing_the_app_revokes_and_sends_the_webhook(
    sandbox: RunningSandbox,
) -> None:
    token = connect(sandbox, "locked")
    response = _post(sandbox, "/sandbox/api/creators/locked/deauthorize", {"reason": 1})
    assert response.status_code == 200
    assert _user_info(sandbox, token).status_code == 401
    assert refresh(sandbox, token["refresh_token"]).json()["error"] == "invalid_grant"
    [event] = webhook_events(sandbox)
    body = json.loads(event["body"])
    assert body["event"] == "authorization.removed"
    assert body["user_openid"] == token["open_id"]
    assert json.loads(body["content"]) == {"reason": 1}


def test_deauthorizing_needs_a_known_connected_creator_and_a_valid_reason(
    sandbox: RunningSandbox,
) -> None:
    assert _post(sandbox, "/sandbox/api/creators/nobody/deauthorize").status_code == 404
    assert _post(sandbox, "/sandbox/api/creators/public/deauthorize").status_code == 409
    connect(sandbox)
    bad = _post(sandbox, "/sandbox/api/creators/public/deauthorize", {"reason": 9})
    assert bad.status_code == 400
    assert webhook_events(sandbox) == []
