"""The publishing engine's timings are settings (``AUTOPOSTER_ENGINE_*``) with the defaults
the engine always had, and a worker built without explicit timings uses them."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

import pytest
from pydantic import ValidationError

from autoposter.accounts import Context
from autoposter.config import Settings
from autoposter.jobs import build_engine, huey_for
from autoposter.posts import DEFAULT_TIMINGS, Timings
from autoposter.store import Database


def test_the_settings_default_to_the_engines_timings(tmp_path: Path) -> None:
    assert Timings.from_settings(Settings(data_dir=tmp_path)) == DEFAULT_TIMINGS


def test_every_timing_is_read_from_its_environment_variable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    names = {"renew_every": "lease_renew_every"}
    doubled = {name: value * 2 for name, value in asdict(DEFAULT_TIMINGS).items()}
    for name, value in doubled.items():
        monkeypatch.setenv(f"AUTOPOSTER_ENGINE_{names.get(name, name).upper()}", str(value))
    assert asdict(Timings.from_settings(Settings(data_dir=tmp_path))) == doubled


def test_a_lease_renewed_less_often_than_it_lasts_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="must be shorter than AUTOPOSTER_ENGINE_LEASE"):
        Settings(data_dir=tmp_path, engine_lease_seconds=10, engine_lease_renew_every=10)


def test_a_worker_without_explicit_timings_uses_the_settings(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, engine_poll_first=0.25, engine_dispatch_batch=7)
    ctx = Context(settings, Database(settings.database))
    try:
        engine = build_engine(ctx, huey=huey_for(f"sqlite:///{tmp_path / 'queue.db'}"))
        assert (engine.timings.poll_first, engine.timings.dispatch_batch) == (0.25, 7)
    finally:
        ctx.close()
