"""The CLI against a running instance through the REST API (``--url``/``--token``): the web
app is served on the instance's public URL, a worker thread sends due posts, and the command
runs with no local settings at all — only the instance's address and an API token."""

from __future__ import annotations

import shutil
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest

from autoposter.accounts import create_api_token, finish_connect
from autoposter.posts import dispatch_due, list_posts, reconcile, run_post
from autoposter.posts.workers import register
from tests.engine import FAST, sandbox_publishes

from .support import (
    Instance,
    authorize_url_from,
    clean_environment,
    consent,
    finish,
    json_of,
    refused,
    run_cli,
    start_cli,
    write_csv,
)

pytest.importorskip("autoposter.web.api")

from autoposter.web import RunningServer, create_app, start_in_thread


@dataclass
class Remote:
    instance: Instance
    web: RunningServer
    token: str

    @property
    def env(self) -> dict[str, str]:
        """Only the instance's address and the token: no local settings, no database."""
        return clean_environment(AUTOPOSTER_URL=self.web.url, AUTOPOSTER_TOKEN=self.token)

    def run(self, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
        return run_cli(*args, env={**self.env, **env})


class Worker:
    """The instance's worker, in a thread: sends due posts as `autoposter worker` would."""

    def __init__(self, instance: Instance) -> None:
        self._ctx = instance.ctx
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> Worker:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=10)

    def _run(self) -> None:
        def send(post_id: int) -> None:
            run_post(self._ctx, post_id, FAST)

        while not self._stop.wait(0.05):
            dispatch_due(self._ctx, send)
            reconcile(self._ctx, send)


@pytest.fixture
def remote(connected: Instance) -> Iterator[Remote]:
    port = int(connected.public_url.rsplit(":", 1)[1])
    web = start_in_thread(create_app(connected.ctx), port=port)
    token = create_api_token(connected.ctx, connected.user, "cli tests").token
    with Worker(connected):
        yield Remote(connected, web, token)
    web.stop()


def test_accounts_list_through_the_api(remote: Remote) -> None:
    listed = json_of(remote.run("accounts", "list", "--json"))["items"]

    assert [(a["username"], a["token_health"]) for a in listed] == [("sunny.studio", "ok")]


def test_post_with_wait_uploads_the_video_and_follows_it_until_published(
    remote: Remote, clip: Path
) -> None:
    result = remote.run(
        "post",
        str(clip),
        "-a",
        "sunny.studio",
        "--caption",
        "Over the API",
        "--privacy",
        "everyone",
        "--wait",
        "--json",
    )

    post = json_of(result)["post"]
    assert (post["status"], post["title"]) == ("published", "Over the API")
    assert clip.name in result.stderr  # the upload's progress bar
    assert "published" in result.stderr  # each step as it happened
    (publish,) = sandbox_publishes(remote.instance.sandbox)
    assert publish["uploaded_bytes"] == clip.stat().st_size


def test_a_post_is_said_to_wait_when_the_instance_has_no_worker(remote: Remote, clip: Path) -> None:
    # The fixture's worker thread sends posts but does not check in: as far as the
    # instance's /readyz knows, no worker runs.
    alone = remote.run("post", str(clip), "-a", "1", "--privacy", "everyone")
    register(remote.instance.ctx, threads=2)
    with_worker = remote.run("post", str(clip), "-a", "1", "--privacy", "everyone")

    assert alone.returncode == with_worker.returncode == 0, (alone.stderr, with_worker.stderr)
    assert "Warning: no worker is running: post 1 is queued" in alone.stderr
    assert "`autoposter worker`" in alone.stderr
    assert "no worker is running" not in with_worker.stderr


def test_a_refused_post_is_refused_before_the_upload(remote: Remote, clip: Path) -> None:
    result = remote.run("post", str(clip), "-a", "1", "--privacy", "followers")

    error = refused(result)
    assert "--privacy: Sunny Studio cannot post with Followers" in error
    assert clip.name not in error  # no progress bar: nothing was uploaded
    assert list_posts(remote.instance.ctx, remote.instance.user) == []


def test_schedule_list_show_and_cancel_through_the_api(remote: Remote, clip: Path) -> None:
    made = json_of(
        remote.run(
            "post",
            str(clip),
            "-a",
            "1",
            "--privacy",
            "friends",
            "--at",
            "2030-05-01 08:00",
            "--json",
        )
    )["post"]

    listed = json_of(remote.run("posts", "list", "--status", "scheduled", "--json"))
    shown = json_of(remote.run("posts", "show", str(made["id"]), "--json"))
    cancelled = json_of(remote.run("posts", "cancel", str(made["id"]), "--json"))

    assert made["publish_at"].startswith("2030-05-01T08:00")
    assert [p["id"] for p in listed["items"]] == [made["id"]]
    assert [e["to_status"] for e in shown["history"]] == ["draft", "scheduled"]
    assert cancelled["status"] == "cancelled"


def test_import_through_the_api_reports_good_and_bad_rows(
    remote: Remote, clip: Path, tmp_path: Path
) -> None:
    shutil.copy(clip, tmp_path / "a.mp4")
    path = write_csv(
        tmp_path / "posts.csv",
        "file,account,caption,privacy,time",
        "a.mp4,sunny.studio,Good,friends,2030-06-01 10:00",
        "a.mp4,sunny.studio,Bad privacy,followers,2030-06-02 10:00",
        "b.mp4,sunny.studio,No file,friends,",
    )

    report = json_of(remote.run("import", str(path), "--json"), code=1)

    assert [r["result"] for r in report["rows"]] == ["accepted", "rejected", "rejected"]
    assert report["rows"][1]["problems"][0]["column"] == "privacy"
    assert report["rows"][2]["problems"][0]["column"] == "file"
    assert [p.title for p in list_posts(remote.instance.ctx, remote.instance.user)] == ["Good"]


def test_connect_prints_the_url_and_returns_the_account_the_dashboard_connected(
    remote: Remote,
) -> None:
    process = start_cli("accounts", "connect", "--json", "--timeout", "30", env=remote.env)
    redirect = consent(remote.instance.sandbox, authorize_url_from(process), creator="short")
    # The person's browser lands on the dashboard, whose callback finishes the connect.
    query = dict(parse_qsl(urlsplit(redirect).query))
    finish_connect(remote.instance.ctx, remote.instance.user, query)
    code, out, err = finish(process)

    assert code == 0, err
    assert '"username": "sixty.seconds"' in out


def test_export_tokens_and_erase_through_the_api(remote: Remote) -> None:
    exported = json_of(remote.run("export"))
    made = json_of(remote.run("tokens", "create", "second", "--json"))
    names = [t["name"] for t in json_of(remote.run("tokens", "list", "--json"))["items"]]
    erased = json_of(remote.run("erase", "--yes", "--json"))
    after = remote.run("accounts", "list")

    assert exported["user"]["username"] == "ana"
    assert made["token"].startswith("apt_") and names == ["cli tests", "second"]
    assert erased["accounts_deleted"] == 1
    assert "Check --token" in refused(after)  # the user is gone, and so is the token


def test_a_wrong_token_or_address_says_what_to_check(remote: Remote) -> None:
    bad_token = remote.run("accounts", "list", AUTOPOSTER_TOKEN="apt_nope")
    nobody = run_cli(
        "--url",
        "http://127.0.0.1:9",
        "--token",
        "apt_x",
        "accounts",
        "list",
        env=clean_environment(),
    )

    assert "Check --token (AUTOPOSTER_TOKEN)" in refused(bad_token)
    assert "cannot be reached" in refused(nobody) and "check --url" in nobody.stderr


def test_a_bad_filter_is_a_usage_error_remotely_too(remote: Remote) -> None:
    error = refused(remote.run("posts", "list", "--status", "done"), code=2)

    assert "'scheduled'" in error  # the statuses to choose from
