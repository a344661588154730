"""Helpers for the compose, post and calendar page tests: a small HTML tree (stdlib
``html.parser``) to find elements by id, and the compose form sent as a browser sends it."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import httpx

from tests.pages.conftest import Dashboard

VOID = {
    "area",
    "base",
    "br",
    "col",
    "embed",
    "hr",
    "img",
    "input",
    "link",
    "meta",
    "source",
    "track",
    "wbr",
}
TYPES = {".mp4": "video/mp4", ".jpg": "image/jpeg", ".webp": "image/webp", ".png": "image/png"}


@dataclass
class Node:
    tag: str
    attrs: dict[str, str | None]
    children: list[Node | str] = field(default_factory=list)

    @property
    def text(self) -> str:
        """The text inside, whitespace collapsed, as a person reads it."""
        parts = [c if isinstance(c, str) else c.text for c in self.children]
        return " ".join("".join(parts).split())

    def has(self, attr: str) -> bool:
        return attr in self.attrs

    def get(self, attr: str) -> str | None:
        return self.attrs.get(attr)

    def all(self, tag: str) -> list[Node]:
        found: list[Node] = []
        for child in self.children:
            if isinstance(child, Node):
                if child.tag == tag:
                    found.append(child)
                found.extend(child.all(tag))
        return found


class Page(HTMLParser):
    """A parsed page; ``page[id]`` is the element with that id (KeyError if none)."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("document", {})
        self._open = [self.root]
        self.ids: dict[str, Node] = {}
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Node(tag, dict(attrs))
        self._open[-1].children.append(node)
        if node.get("id"):
            self.ids[str(node.get("id"))] = node
        if tag not in VOID:
            self._open.append(node)

    def handle_endtag(self, tag: str) -> None:
        for depth in range(len(self._open) - 1, 0, -1):
            if self._open[depth].tag == tag:
                del self._open[depth:]
                return

    def handle_data(self, data: str) -> None:
        self._open[-1].children.append(data)

    def __getitem__(self, element_id: str) -> Node:
        return self.ids[element_id]

    def __contains__(self, element_id: object) -> bool:
        return element_id in self.ids

    @property
    def text(self) -> str:
        return self.root.text


def page_of(response: httpx.Response) -> Page:
    assert "text/html" in response.headers.get("content-type", ""), response.text[:300]
    return Page(response.text)


def option_values(page: Page, select_id: str) -> list[str]:
    """The values of a select's options that a person can pick (the placeholder apart)."""
    return [str(o.get("value")) for o in page[select_id].all("option") if o.get("value")]


def compose(
    dashboard: Dashboard,
    media: list[Path] | tuple[Path, ...],
    *,
    account_id: int | None = None,
    kind: str = "video",
    mode: str = "direct",
    **fields: Any,
) -> httpx.Response:
    """Send the compose form: ``True`` ticks a box, ``False`` leaves it out (unticked)."""
    data: dict[str, Any] = {
        "account_id": str(account_id or dashboard.harness.account_id),
        "kind": kind,
        "mode": mode,
    }
    for name, value in fields.items():
        if value is True:
            data[name] = "on"
        elif value is not False and value is not None:
            data[name] = str(value)
    files = [("media", (p.name, p.read_bytes(), TYPES[p.suffix])) for p in media]
    return dashboard.post("/compose", data, files=files)


def draft_id(response: httpx.Response) -> int:
    """The post id a successful compose redirects to the confirmation of."""
    assert response.status_code == 303, response.text[:2000]
    found = re.fullmatch(r"/posts/(\d+)/confirm", response.headers["location"])
    assert found, response.headers["location"]
    return int(found.group(1))


def compose_draft(dashboard: Dashboard, media: list[Path] | tuple[Path, ...], **fields: Any) -> int:
    fields.setdefault("privacy_level", "PUBLIC_TO_EVERYONE")
    return draft_id(compose(dashboard, media, **fields))


def confirm(dashboard: Dashboard, post_id: int) -> httpx.Response:
    response = dashboard.post(f"/posts/{post_id}/confirm")
    assert response.status_code == 303, response.text[:2000]
    assert response.headers["location"] == f"/posts/{post_id}"
    return response
