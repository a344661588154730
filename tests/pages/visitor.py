"""A browser-like visitor for the dashboard tests: reads forms out of pages (stdlib
``html.parser``), keeps cookies, sends forms back with their CSRF token, and drives the
sandbox's Login Kit consent page the way a person would.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import httpx
import pytest
from argon2 import PasswordHasher

from autoposter.accounts import Context, users
from autoposter.config import Settings
from autoposter.store import Database, upgrade
from autoposter.web import RunningServer, create_app, start_in_thread
from tests.accounts.support import TestClock

# Lets the sandbox send its consent answer back to whatever port a test's dashboard has.
ANY_PORT_CALLBACK = "http://127.0.0.1:*/accounts/callback"


@dataclass
class Form:
    id: str | None
    action: str
    method: str
    fields: dict[str, list[str]] = field(default_factory=dict)
    submits: list[tuple[str, str]] = field(default_factory=list)

    def data(self, **changes: Any) -> dict[str, Any]:
        values: dict[str, Any] = {k: v if len(v) > 1 else v[0] for k, v in self.fields.items()}
        values.update(changes)
        return values


class _FormReader(HTMLParser):
    """Forms with their inputs' current values (checked boxes and radios, selected options)."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[Form] = []
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.forms.append(Form(a.get("id"), a.get("action", ""), a.get("method", "get")))
        elif not self.forms:
            return
        elif tag == "input":
            self._input(a)
        elif tag == "button" and a.get("name"):
            self.forms[-1].submits.append((a["name"], a.get("value", "")))
        elif tag == "select":
            self._select = a.get("name")
        elif tag == "option" and self._select and "selected" in a:
            self.forms[-1].fields[self._select] = [a.get("value", "")]

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None

    def _input(self, a: dict[str, str]) -> None:
        name, kind = a.get("name"), a.get("type", "text")
        if not name or "disabled" in a:
            return
        if kind in ("checkbox", "radio") and "checked" not in a:
            return
        self.forms[-1].fields.setdefault(name, []).append(a.get("value", "on"))


class _TextReader(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._skip += tag in ("script", "style")

    def handle_endtag(self, tag: str) -> None:
        self._skip -= tag in ("script", "style")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def text_of(html: str) -> str:
    """The words a person reads on the page: no tags, entities decoded, spaces collapsed."""
    reader = _TextReader()
    reader.feed(html)
    return " ".join("".join(reader.parts).split())


def forms_in(html: str) -> list[Form]:
    reader = _FormReader()
    reader.feed(html)
    return reader.forms


def form_in(html: str, *, id: str | None = None, action: str | None = None) -> Form:
    for form in forms_in(html):
        if (id is None or form.id == id) and (action is None or form.action == action):
            return form
    raise AssertionError(f"no form with id={id!r} action={action!r} in the page")


class Visitor:
    """One browser: its cookies, and the CSRF token of the last page it read."""

    def __init__(self, base_url: str, client: httpx.Client | None = None) -> None:
        self.client = client or httpx.Client(base_url=base_url, timeout=30)
        self.page = ""

    def close(self) -> None:
        self.client.close()

    @property
    def csrf(self) -> str:
        """The CSRF token the last page's forms carry."""
        for form in forms_in(self.page):
            if "csrf_token" in form.fields:
                return form.fields["csrf_token"][0]
        raise AssertionError("the last page has no form with a CSRF token")

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        response = self.client.get(path, **kwargs)
        self.page = response.text
        return response

    def submit(self, page: str, form_id: str, **fields: Any) -> httpx.Response:
        """Open ``page``, fill the form ``form_id`` with ``fields`` and send it, as a person
        would (the form's own hidden fields, CSRF token included, go along)."""
        opened = self.get(page)
        assert opened.status_code == 200, opened.text
        form = form_in(opened.text, id=form_id)
        response = self.client.post(form.action, data=form.data(**fields))
        self.page = response.text
        return response

    def sign_in(self, username: str, password: str) -> httpx.Response:
        response = self.submit("/signin", "signin-form", username=username, password=password)
        assert response.status_code == 303, response.text
        return response


def consent_on_tiktok(
    authorize_url: str,
    *,
    creator: str = "public",
    decision: str = "authorize",
    drop: tuple[str, ...] = (),
) -> str:
    """Open TikTok's (the sandbox's) authorize page, pick ``creator``, untick ``drop``,
    press ``decision``; returns where TikTok sends the browser back to."""
    page = httpx.get(authorize_url)
    assert page.status_code == 200, page.text
    form = form_in(page.text, action="/v2/auth/authorize/")
    data = form.data(creator=creator, decision=decision)
    data["grant"] = [g for g in form.fields.get("grant", []) if g not in drop]
    answer = httpx.post(urljoin(authorize_url, form.action), data=data)
    assert answer.status_code == 302, answer.text
    return answer.headers["location"]


@dataclass
class BareDashboard:
    """The dashboard on an empty database: nobody has signed up yet."""

    ctx: Context
    web: RunningServer

    @property
    def url(self) -> str:
        return self.web.url


@contextmanager
def bare_dashboard(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, **settings: Any
) -> Iterator[BareDashboard]:
    """Serve the dashboard on a fresh SQLite database with ``settings``; cheap password
    hashing, as the engine harness has."""
    monkeypatch.setattr(users, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
    url = f"sqlite:///{tmp_path / 'bare.db'}"
    upgrade(url)
    config = Settings(data_dir=tmp_path / "bare-data", database_url=url, **settings)
    ctx = Context(config, Database(url), clock=TestClock())
    web = start_in_thread(create_app(ctx))
    try:
        yield BareDashboard(ctx, web)
    finally:
        web.stop()
        ctx.close()
