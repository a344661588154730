"""Errors: on standard error, saying what to do next, with exit code 1 for a refused or
failed operation and 2 for a command line or setting that cannot work; never a traceback."""

from __future__ import annotations

from pathlib import Path

from autoposter.accounts import create_user
from tests.engine import sandbox_publishes

from .support import Instance, clean_environment, refused, run_cli


def test_an_unknown_account_lists_the_accounts_to_choose_from(
    connected: Instance, clip: Path
) -> None:
    error = refused(connected.run("post", str(clip), "-a", "nobody", "--privacy", "everyone"))

    assert "--account: there is no account 'nobody' among yours" in error
    assert "use one of @sunny.studio (id 1)" in error


def test_a_privacy_level_the_creator_does_not_offer_is_refused_before_anything_is_stored(
    connected: Instance, clip: Path
) -> None:
    error = refused(connected.run("post", str(clip), "-a", "1", "--privacy", "public-ish"))

    assert "nothing was stored or uploaded" in error
    assert "--privacy: 'PUBLIC-ISH' is not a privacy level: use Everyone" in error
    assert sandbox_publishes(connected.sandbox) == []


def test_a_direct_post_without_a_privacy_level_asks_for_one(
    connected: Instance, clip: Path
) -> None:
    error = refused(connected.run("post", str(clip), "-a", "1"))

    assert "--privacy: choose who can see this post" in error


def test_a_missing_file_is_named(connected: Instance, tmp_path: Path) -> None:
    missing = tmp_path / "holiday.mp4"

    error = refused(connected.run("post", str(missing), "-a", "1", "--privacy", "everyone"))

    assert f"FILE: {missing} does not exist: check the path" in error


def test_a_corrupt_video_is_refused_with_how_to_fix_it(connected: Instance, tmp_path: Path) -> None:
    corrupt = tmp_path / "broken.mp4"
    corrupt.write_bytes(b"\x00\x00\x00\x18ftypmp42" + b"garbage" * 200)

    error = refused(connected.run("post", str(corrupt), "-a", "1", "--privacy", "everyone"))

    assert "FILE: broken.mp4 is not a video" in error
    assert "export it again as MP4 (H.264)" in error


def test_videos_and_photos_cannot_be_mixed(
    connected: Instance, clip: Path, photos: tuple[Path, ...]
) -> None:
    error = refused(
        connected.run("post", str(clip), str(photos[0]), "-a", "1", "--privacy", "everyone")
    )

    assert "a post is either one video or 1–35 photos, not both" in error


def test_an_invalid_setting_names_the_variable_without_a_traceback(connected: Instance) -> None:
    result = connected.run("accounts", "list", AUTOPOSTER_DAILY_POST_CAP="lots")

    error = refused(result, code=2)
    assert "Invalid setting AUTOPOSTER_DAILY_POST_CAP (it is 'lots')" in error
    assert "docs/configuration.md" in error


def test_an_inconsistent_setting_says_which_variables_to_set(connected: Instance) -> None:
    result = connected.run("worker", AUTOPOSTER_TIKTOK_CLIENT_KEY="abc")

    assert "set AUTOPOSTER_TIKTOK_CLIENT_SECRET" in refused(result, code=2)


def test_a_database_not_created_yet_says_to_run_db_upgrade(tmp_path: Path) -> None:
    env = clean_environment(AUTOPOSTER_DATA_DIR=str(tmp_path / "fresh"))

    error = refused(run_cli("accounts", "list", env=env))

    assert "autoposter db upgrade" in error


def test_with_several_users_the_acting_one_must_be_named(connected: Instance) -> None:
    create_user(connected.ctx, "bo", "another good password")

    ambiguous = refused(connected.run("accounts", "list"), code=2)
    unknown = refused(connected.run("--user", "zed", "accounts", "list"), code=2)
    named = connected.run("--user", "bo", "accounts", "list", "--json")
    by_variable = connected.run("accounts", "list", "--json", AUTOPOSTER_USER="ana")

    assert "There are several users (ana, bo): say which one acts with --user" in ambiguous
    assert "There is no user 'zed' (the users are ana, bo)" in unknown
    assert named.returncode == 0 and '"items": []' in named.stdout
    assert by_variable.returncode == 0 and "sunny.studio" in by_variable.stdout


def test_a_url_without_a_token_is_a_usage_error(instance: Instance) -> None:
    error = refused(instance.run("--url", "http://127.0.0.1:9", "accounts", "list"), code=2)

    assert "needs an API token: pass --token" in error


def test_a_bad_option_is_a_usage_error(connected: Instance) -> None:
    assert refused(connected.run("posts", "show", "not-a-number"), code=2)
