"""docs/configuration.md is generated from the settings model and kept in step with it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from autoposter.config import load_settings
from autoposter.config_docs import (
    REGENERATE_COMMAND,
    SettingDoc,
    main,
    render_configuration_reference,
    settings_docs,
    undocumented_settings,
)

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = ROOT / "docs" / "configuration.md"
# Their values need a partner setting or a file; the rest can be set one at a time.
NOT_SETTABLE_ALONE = {
    "tiktok_client_key",
    "tiktok_client_secret",
    "tiktok_client_secret_file",
    "secret_key_file",
}


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for doc in settings_docs():
        for variable in doc.env_vars:
            monkeypatch.delenv(variable, raising=False)


def test_the_committed_reference_matches_the_settings_model() -> None:
    committed = REFERENCE.read_text(encoding="utf-8") if REFERENCE.exists() else ""
    assert committed == render_configuration_reference(), (
        f"{REFERENCE.relative_to(ROOT)} is out of date with src/autoposter/config.py: "
        f"run `{REGENERATE_COMMAND}` and commit the result"
    )


def test_every_setting_has_a_description() -> None:
    missing = undocumented_settings()
    assert not missing, (
        f"settings without a description: {', '.join(missing)}. Give each a "
        f"Field(description=...) in src/autoposter/config.py, then run `{REGENERATE_COMMAND}`"
    )


def test_the_reference_names_every_setting_with_its_variables_and_default() -> None:
    text = render_configuration_reference()
    for doc in settings_docs():
        assert f"## `{doc.env_vars[0]}`" in text
        for variable in doc.env_vars:
            assert f"`{variable}`" in text
    assert "`DATABASE_URL`" in text and "`QUEUE_URL`" in text  # DESIGN's unprefixed names
    assert "- Default: `15`" in text  # daily_post_cap


def _sample(doc: SettingDoc, tmp_path: Path) -> tuple[str, Any]:
    """A valid value for the setting's variable, and what the setting then holds."""
    if doc.type_text.startswith("integer"):
        return "4242", 4242
    if doc.type_text.startswith("decimal"):
        return "42.5", 42.5
    if doc.type_text.startswith("boolean"):
        return "true", True
    if doc.type_text.startswith("path"):
        return str(tmp_path / "somewhere"), tmp_path / "somewhere"
    if doc.type_text.startswith("comma-separated"):
        return "inbox, history", ("inbox", "history")
    return "https://example.test/somewhere", "https://example.test/somewhere"


@pytest.mark.parametrize(
    ("doc", "variable"),
    [
        pytest.param(doc, variable, id=variable)
        for doc in settings_docs()
        if doc.name not in NOT_SETTABLE_ALONE
        for variable in doc.env_vars
    ],
)
def test_each_documented_variable_really_sets_its_setting(
    doc: SettingDoc, variable: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    raw, expected = _sample(doc, tmp_path)
    monkeypatch.setenv(variable, raw)
    value = getattr(load_settings(), doc.name)
    if hasattr(value, "get_secret_value"):
        value = value.get_secret_value()
    assert value == expected


def test_the_client_secret_variables_are_read_with_the_client_key(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    secret_file = tmp_path / "client-secret"
    secret_file.write_text("from-a-file\n", encoding="utf-8")
    monkeypatch.setenv("AUTOPOSTER_TIKTOK_CLIENT_KEY", "my-app")
    monkeypatch.setenv("AUTOPOSTER_TIKTOK_CLIENT_SECRET_FILE", str(secret_file))
    settings = load_settings()
    assert settings.tiktok_client_key == "my-app"
    assert settings.client_secret == "from-a-file"


def test_the_check_mode_says_how_to_regenerate_a_stale_page(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    stale = tmp_path / "configuration.md"
    stale.write_text("# Configuration reference\n\nold text\n", encoding="utf-8")
    assert main(["--check", "--output", str(stale)]) == 1
    assert f"run `{REGENERATE_COMMAND}`" in capsys.readouterr().err
    main(["--output", str(stale)])
    assert main(["--check", "--output", str(stale)]) == 0
