"""An API token's "last used" time: noted by the requests it lets in, at most once a minute (a
write on every request would queue each API call behind SQLite's one writer)."""

from __future__ import annotations

from datetime import datetime, timedelta

from autoposter.accounts import list_api_tokens
from tests.api.conftest import Api, Person


def last_used(api: Api, person: Person) -> datetime | None:
    [token] = list_api_tokens(api.harness.ctx, person.user)
    return token.last_used_at


def test_a_request_notes_when_its_token_was_used(api: Api) -> None:
    assert last_used(api, api.ana) is None
    before = api.harness.clock()
    assert api.ana.http.get("/posts").status_code == 200
    noted = last_used(api, api.ana)
    assert noted is not None and before <= noted <= api.harness.clock()
    assert last_used(api, api.bo) is None


def test_the_use_is_noted_again_only_after_a_minute(api: Api) -> None:
    assert api.ana.http.get("/me").status_code == 200
    first = last_used(api, api.ana)
    assert first is not None
    api.harness.advance(30)
    assert api.ana.http.get("/posts").status_code == 200
    assert last_used(api, api.ana) == first
    api.harness.advance(31)
    assert api.ana.http.get("/me").status_code == 200
    again = last_used(api, api.ana)
    assert again is not None and again - first >= timedelta(minutes=1)


def test_a_refused_token_notes_nothing(api: Api) -> None:
    api.ana.http.headers["Authorization"] = f"Bearer {api.ana.token}x"
    assert api.ana.http.get("/posts").status_code == 401
    assert last_used(api, api.ana) is None
