"""The REST API over real HTTP: the app served by uvicorn on a free port (the engine harness
of tests/engine.py), the sandbox behind it, and two users — Ana and Bo — each with an API
token and a connected sandbox account, so every test can check that one never reaches the
other's objects.

The API tests run on SQLite (the ``backend`` fixture below); the listing tests also run on
PostgreSQL when it is configured.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from autoposter.accounts import create_api_token, create_user
from autoposter.store.models import User
from tests.accounts.support import connect_account
from tests.engine import Backend, Harness, MakeHarness, backend_for


@pytest.fixture
def backend(tmp_path: Path) -> Iterator[Backend]:
    yield from backend_for("sqlite", tmp_path)


@dataclass
class Person:
    """One API user: their client (token set), user row and connected account."""

    user: User
    token: str
    account_id: int
    http: httpx.Client


@dataclass
class Api:
    harness: Harness
    ana: Person
    bo: Person
    anon: httpx.Client

    @property
    def url(self) -> str:
        return self.harness.web.url + "/api/v1"


def client(base_url: str, token: str | None = None) -> httpx.Client:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return httpx.Client(base_url=base_url, headers=headers, timeout=30.0)


def person(harness: Harness, user: User, account_id: int) -> Person:
    token = create_api_token(harness.ctx, user, "tests").token
    return Person(user, token, account_id, client(harness.web.url + "/api/v1", token))


MakeApi = Callable[..., Api]


@pytest.fixture
def make_api(make_harness: MakeHarness) -> Iterator[MakeApi]:
    """Build an :class:`Api`; keyword arguments go to the harness (sandbox, settings)."""
    made: list[Api] = []

    def make(**options: Any) -> Api:
        harness = make_harness(**options)
        bo = create_user(harness.ctx, f"bo{len(made)}", "another good password")
        bo_account = connect_account(harness.ctx, harness.sandbox, bo, creator="private")
        api = Api(
            harness,
            person(harness, harness.user, harness.account_id),
            person(harness, bo, bo_account.account.id),
            client(harness.web.url + "/api/v1"),
        )
        made.append(api)
        return api

    yield make
    for api in made:
        for http in (api.ana.http, api.bo.http, api.anon):
            http.close()


@pytest.fixture
def api(make_api: MakeApi) -> Api:
    return make_api()


def error_of(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    """The error body of ``response``, after checking its status, shape and code."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    error: dict[str, Any] = response.json()["error"]
    assert error["code"] == code, error
    assert error["message"], "every error says what is wrong and what to do"
    return error


def field_messages(error: dict[str, Any]) -> dict[str, str]:
    return {f["field"]: f["message"] for f in error.get("fields", [])}


def upload(http: httpx.Client, path: Path, *, name: str | None = None) -> dict[str, Any]:
    """POST /media with the file; returns the Media JSON (asserting a 201)."""
    with path.open("rb") as handle:
        response = http.post("/media", files={"file": (name or path.name, handle)})
    assert response.status_code == 201, response.text
    media: dict[str, Any] = response.json()
    return media


def video_body(api_person: Person, media_id: int, **fields: Any) -> dict[str, Any]:
    """A valid direct video post of ``api_person``'s account, with ``fields`` on top."""
    body: dict[str, Any] = {
        "account_id": api_person.account_id,
        "media_ids": [media_id],
        "title": "a sunny afternoon #sketch",
        "privacy_level": "SELF_ONLY",
    }
    body.update(fields)
    return body
