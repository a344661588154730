"""Schemathesis against the running API: inputs generated from /openapi.json for every
``/api/v1`` operation, with a valid token, must never get a server error.

Deterministic (``derandomize``) and bounded (few examples per operation), so it runs the
same way every time in well under a minute. The token it uses has an id no generator picks
on its own, so a generated ``DELETE /tokens/{id}`` does not cut the run short.
"""

from __future__ import annotations

import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import not_a_server_error

from autoposter.accounts import Context
from autoposter.accounts.users import hash_api_token
from autoposter.config import Settings
from autoposter.store import Database
from autoposter.store.models import ApiToken
from autoposter.web import create_app
from tests.api.conftest import Api

FUZZ_TOKEN = "apt_schemathesis-fuzzing-token"
FUZZ_TOKEN_ID = 1_234_567_891


@pytest.fixture
def fuzzed(api: Api) -> Api:
    with api.harness.ctx.db.session() as session:
        session.add(
            ApiToken(
                id=FUZZ_TOKEN_ID,
                user_id=api.ana.user.id,
                name="schemathesis",
                token_hash=hash_api_token(FUZZ_TOKEN),
                created_at=datetime.now(UTC),
            )
        )
    return api


def api_schema() -> Any:
    """The schema the app serves at /openapi.json, read from the app itself (the pytest
    plugin needs it when tests are collected, before any server runs); the calls go to a
    live server of each test's own."""
    settings = Settings(data_dir=Path(tempfile.gettempdir()), database_url="sqlite://")
    app = create_app(Context(settings, Database(settings.database)))
    return schemathesis.openapi.from_dict(app.openapi()).include(path_regex=r"^/api/v1/")


schema = api_schema()


@schema.parametrize()
@settings(
    max_examples=12,
    derandomize=True,
    database=None,
    deadline=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_no_generated_request_gets_a_server_error(case: Any, fuzzed: Api) -> None:
    case.call_and_validate(
        base_url=fuzzed.harness.web.url,
        headers={"Authorization": f"Bearer {FUZZ_TOKEN}"},
        checks=[not_a_server_error],
    )
