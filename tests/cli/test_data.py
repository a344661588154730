"""``autoposter export``, ``erase`` and ``tokens create|list|revoke``."""

from __future__ import annotations

import json
from pathlib import Path

from autoposter.accounts import list_api_tokens, verify_api_token
from autoposter.store.models import User

from .support import Instance, json_of, refused


def test_export_writes_the_users_data_without_a_token(connected: Instance, tmp_path: Path) -> None:
    target = tmp_path / "me.json"

    on_stdout = json_of(connected.run("export"))
    to_file = connected.run("export", "--output", str(target))

    assert on_stdout["format"] == "autoposter-export" and on_stdout["user"]["username"] == "ana"
    assert [a["username"] for a in on_stdout["tiktok_accounts"]] == ["sunny.studio"]
    assert to_file.returncode == 0 and f"Wrote your data to {target}" in to_file.stderr
    assert json.loads(target.read_text())["user"]["id"] == connected.user.id
    assert "act." not in target.read_text()  # the sandbox's access tokens start with "act."


def test_tokens_create_prints_the_token_once_and_it_works(connected: Instance) -> None:
    made = json_of(connected.run("tokens", "create", "laptop", "--json"))
    plain = connected.run("tokens", "create", "phone")
    listed = json_of(connected.run("tokens", "list", "--json"))["items"]

    assert made["token"].startswith("apt_") and made["name"] == "laptop"
    user = verify_api_token(connected.ctx, made["token"])
    assert user is not None and user.id == connected.user.id
    assert plain.stdout.strip().startswith("apt_") and "shown only this once" in plain.stderr
    assert [t["name"] for t in listed] == ["laptop", "phone"]
    assert "apt_" not in json.dumps(listed)  # listed by name, never by value


def test_tokens_revoke_stops_the_token(connected: Instance) -> None:
    made = json_of(connected.run("tokens", "create", "laptop", "--json"))

    result = connected.run("tokens", "revoke", str(made["id"]))
    unknown = connected.run("tokens", "revoke", "999")

    assert result.returncode == 0 and "is revoked" in result.stdout
    assert verify_api_token(connected.ctx, made["token"]) is None
    assert "There is no API token 999 among yours" in refused(unknown)


def test_erase_asks_for_the_username_and_erases_nothing_on_a_mismatch(
    connected: Instance,
) -> None:
    result = connected.run("erase", input="bo\n")

    assert result.returncode == 1
    assert "Not confirmed: nothing was erased" in result.stderr
    with connected.ctx.db.session() as session:
        assert session.get(User, connected.user.id) is not None


def test_erase_with_the_typed_username_deletes_everything_and_revokes_at_tiktok(
    connected: Instance,
) -> None:
    connected.run("tokens", "create", "laptop")

    result = connected.run("erase", "--json", input="ana\n")

    report = json_of(result)
    assert (report["accounts_deleted"], report["revocation_failures"]) == (1, 0)
    with connected.ctx.db.session() as session:
        assert session.get(User, connected.user.id) is None
    assert list_api_tokens(connected.ctx, connected.user) == []
    grant = connected.sandbox.world.grants.get(report_open_id(connected))
    assert grant is None or grant.revoked


def test_erase_with_yes_does_not_ask(connected: Instance) -> None:
    result = connected.run("erase", "--yes")

    assert result.returncode == 0, result.stderr
    assert "Erased 'ana': 1 TikTok account(s) revoked and deleted" in result.stdout


def report_open_id(instance: Instance) -> str:
    creator = instance.sandbox.world.creator_by_key("public")
    assert creator is not None
    return creator.open_id
