"""Settings come from AUTOPOSTER_* variables, *_FILE secrets and DATABASE_URL/QUEUE_URL."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from autoposter.config import (
    SANDBOX_CLIENT_KEY,
    SANDBOX_CLIENT_SECRET,
    Settings,
    load_settings,
    scopes_for,
)
from autoposter.sandbox.config import DEFAULT_CLIENT_KEY, DEFAULT_CLIENT_SECRET

PREFIXED = [
    "AUTOPOSTER_DATA_DIR",
    "AUTOPOSTER_DATABASE_URL",
    "AUTOPOSTER_QUEUE_URL",
    "AUTOPOSTER_SECRET_KEY",
    "AUTOPOSTER_SECRET_KEY_FILE",
    "AUTOPOSTER_TIKTOK_CLIENT_KEY",
    "AUTOPOSTER_TIKTOK_CLIENT_SECRET",
    "AUTOPOSTER_TIKTOK_CLIENT_SECRET_FILE",
    "AUTOPOSTER_FEATURES",
    "DATABASE_URL",
    "QUEUE_URL",
]


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in PREFIXED:
        monkeypatch.delenv(name, raising=False)


def test_the_defaults_run_on_sqlite_in_the_data_directory_against_the_sandbox() -> None:
    settings = Settings()
    assert settings.data_dir == Path("data")
    assert settings.database_url == "sqlite:///data/autoposter.db"
    assert settings.queue_url == "sqlite:///data/queue.db"
    assert settings.redirect_uri == "http://127.0.0.1:8000/accounts/callback"
    assert settings.uses_sandbox
    assert settings.api_base == "http://127.0.0.1:8700"
    assert settings.authorize_url == "http://127.0.0.1:8700/v2/auth/authorize/"
    assert settings.oauth_state_ttl == 600


def test_the_sandbox_credentials_match_the_sandboxes_own() -> None:
    assert (SANDBOX_CLIENT_KEY, SANDBOX_CLIENT_SECRET) == (
        DEFAULT_CLIENT_KEY,
        DEFAULT_CLIENT_SECRET,
    )
    settings = Settings()
    assert (settings.client_key, settings.client_secret) == (
        DEFAULT_CLIENT_KEY,
        DEFAULT_CLIENT_SECRET,
    )


def test_unprefixed_database_and_queue_urls_are_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://u:p@db/autoposter")
    monkeypatch.setenv("QUEUE_URL", "redis://127.0.0.1:6379/0")
    settings = Settings()
    assert settings.database_url == "postgresql+psycopg://u:p@db/autoposter"
    assert settings.queue_url == "redis://127.0.0.1:6379/0"


def test_the_data_directory_moves_the_default_databases(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AUTOPOSTER_DATA_DIR", "/srv/autoposter")
    assert Settings().database_url == "sqlite:////srv/autoposter/autoposter.db"


def test_secrets_are_read_from_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "key").write_text("the-key\n")
    (tmp_path / "secret").write_text("the-client-secret\n")
    monkeypatch.setenv("AUTOPOSTER_SECRET_KEY_FILE", str(tmp_path / "key"))
    monkeypatch.setenv("AUTOPOSTER_TIKTOK_CLIENT_KEY", "realkey")
    monkeypatch.setenv("AUTOPOSTER_TIKTOK_CLIENT_SECRET_FILE", str(tmp_path / "secret"))
    settings = Settings()
    assert settings.secret_key is not None
    assert settings.secret_key.get_secret_value() == "the-key"
    assert settings.client_secret == "the-client-secret"
    assert "the-client-secret" not in repr(settings)


def test_a_secret_and_its_file_together_are_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "key").write_text("k")
    monkeypatch.setenv("AUTOPOSTER_SECRET_KEY", "k")
    monkeypatch.setenv("AUTOPOSTER_SECRET_KEY_FILE", str(tmp_path / "key"))
    with pytest.raises(ValidationError, match="not both"):
        Settings()


def test_an_unreadable_secret_file_is_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AUTOPOSTER_SECRET_KEY_FILE", str(tmp_path / "missing"))
    with pytest.raises(ValidationError, match="AUTOPOSTER_SECRET_KEY_FILE points at"):
        Settings()


def test_a_client_key_without_its_secret_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AUTOPOSTER_TIKTOK_CLIENT_KEY", "realkey")
    with pytest.raises(ValidationError, match="AUTOPOSTER_TIKTOK_CLIENT_SECRET"):
        Settings()


def test_a_real_app_talks_to_tiktok() -> None:
    settings = load_settings(tiktok_client_key="realkey", tiktok_client_secret="s3cret!")
    assert not settings.uses_sandbox
    assert settings.api_base == "https://open.tiktokapis.com"
    assert settings.authorize_url == "https://www.tiktok.com/v2/auth/authorize/"


def test_only_the_scopes_the_enabled_features_need_are_asked_for(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert scopes_for(("inbox",)) == ("user.info.basic", "user.info.profile", "video.upload")
    assert "video.list" not in scopes_for(("direct_post", "inbox"))
    monkeypatch.setenv("AUTOPOSTER_FEATURES", "direct_post, history")
    assert Settings().scopes == (
        "user.info.basic",
        "user.info.profile",
        "video.publish",
        "video.list",
    )


def test_an_unknown_feature_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AUTOPOSTER_FEATURES", "direct_post,comments")
    with pytest.raises(ValidationError, match="comments"):
        Settings()
