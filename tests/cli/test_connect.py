"""``autoposter accounts connect|list|disconnect`` through the real command line."""

from __future__ import annotations

import json
import socket
from urllib.parse import parse_qsl, urlsplit

import httpx

from autoposter.accounts import finish_connect

from .support import Instance, authorize_url_from, consent, finish, json_of, read_until, refused


def test_connect_prints_the_authorize_url_and_finishes_on_its_own_callback(
    instance: Instance,
) -> None:
    process = instance.start("accounts", "connect", "--json", "--timeout", "30")
    url = authorize_url_from(process)
    redirect = consent(instance.sandbox, url, creator="public")
    assert redirect.startswith(instance.callback_url + "?")

    page = httpx.get(redirect, timeout=10.0)  # the browser comes back to the command
    code, out, err = finish(process)

    assert page.status_code == 200
    assert "@sunny.studio is connected" in page.text
    assert code == 0, err
    account = json.loads(out)
    assert (account["username"], account["nickname"]) == ("sunny.studio", "Sunny Studio")
    assert account["status"] == "connected"
    assert "token" not in out.replace("token_health", "")  # never a token on screen


def test_accounts_list_gives_the_connected_accounts_as_json(connected: Instance) -> None:
    listed = json_of(connected.run("accounts", "list", "--json"))["items"]

    assert [a["username"] for a in listed] == ["sunny.studio"]
    assert listed[0]["token_health"] == "ok"
    assert "video.publish" in listed[0]["scopes"]


def test_accounts_list_without_json_is_a_table(connected: Instance) -> None:
    result = connected.run("accounts", "list")

    assert result.returncode == 0, result.stderr
    assert "@sunny.studio" in result.stdout and "Sunny Studio" in result.stdout


def test_cancelling_on_tiktok_connects_nothing_and_says_so(instance: Instance) -> None:
    process = instance.start("accounts", "connect", "--timeout", "30")
    redirect = consent(instance.sandbox, authorize_url_from(process), cancel=True)

    page = httpx.get(redirect, timeout=10.0)
    code, _, err = finish(process)

    assert page.status_code == 400 and "cancelled" in page.text
    assert code == 1 and "Traceback" not in err
    assert "You cancelled on TikTok, so no account was connected" in err
    assert json_of(instance.run("accounts", "list", "--json"))["items"] == []


def test_with_the_callback_port_taken_it_waits_for_the_dashboard_to_finish(
    instance: Instance,
) -> None:
    host, port = instance.public_url.removeprefix("http://").split(":")
    with socket.socket() as dashboard:  # something (the dashboard) listens there already
        dashboard.bind((host, int(port)))
        dashboard.listen()
        process = instance.start("accounts", "connect", "--json", "--timeout", "30")
        url = authorize_url_from(process)
        redirect = consent(instance.sandbox, url, creator="private")
        notice = read_until(process, "dashboard")
        # The dashboard's callback does what it does: finish the connect for its user.
        finish_connect(instance.ctx, instance.user, dict(parse_qsl(urlsplit(redirect).query)))
        code, out, err = finish(process)

    assert "the Autoposter dashboard seems to run there" in notice
    assert "Finish in a browser signed in to the dashboard as ana" in notice
    assert code == 0, err
    assert json.loads(out)["username"] == "quiet.notes"


def test_connect_gives_up_after_its_timeout(instance: Instance) -> None:
    result = instance.run("accounts", "connect", "--timeout", "1")

    assert "did not send the browser back within 1 s" in refused(result)
    assert "run `autoposter accounts connect` again" in result.stderr


def test_disconnect_revokes_at_tiktok_and_deletes_the_account(connected: Instance) -> None:
    result = json_of(connected.run("accounts", "disconnect", "@sunny.studio", "--yes", "--json"))

    assert result["revoked_at_tiktok"] is True
    assert json_of(connected.run("accounts", "list", "--json"))["items"] == []


def test_disconnect_asks_first_and_keeps_the_account_when_not_confirmed(
    connected: Instance,
) -> None:
    result = connected.run("accounts", "disconnect", "sunny.studio", input="n\n")

    assert result.returncode == 1
    assert "Disconnect @sunny.studio" in result.stdout + result.stderr
    assert len(json_of(connected.run("accounts", "list", "--json"))["items"]) == 1
