"""TikTok's URL-prefix signature files (§4.6) are served under /media/ from
AUTOPOSTER_URL_VERIFICATION_DIR: only files named like TikTok's, only there, only to GET/HEAD."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from tests.engine import Harness, MakeHarness

SIGNATURE = "tiktok-developers-site-verification=AbC123xyz"


@pytest.fixture
def verification_dir(tmp_path: Path) -> Path:
    directory = tmp_path / "url-verification"
    directory.mkdir()
    (directory / "tiktokAbC123_x-Y.txt").write_text(SIGNATURE, encoding="utf-8")
    (directory / "secret.txt").write_text("not for TikTok", encoding="utf-8")
    (directory / "tiktokNotes.html").write_text("not for TikTok", encoding="utf-8")
    (directory / "tiktokFolder.txt").mkdir()
    return directory


@pytest.fixture
def harness(make_harness: MakeHarness, verification_dir: Path) -> Harness:
    return make_harness(settings={"url_verification_dir": verification_dir})


def test_a_verification_file_is_served_as_text_under_the_media_prefix(harness: Harness) -> None:
    url = f"{harness.web.url}/media/tiktokAbC123_x-Y.txt"
    response = httpx.get(url)
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/plain; charset=utf-8"
    assert response.text == SIGNATURE
    head = httpx.head(url)
    assert head.status_code == 200
    assert head.headers["content-length"] == str(len(SIGNATURE))
    assert head.content == b""


def test_a_verification_file_that_is_not_there_is_not_found(harness: Harness) -> None:
    for name in ("tiktokMissing.txt", "tiktokFolder.txt"):
        assert httpx.get(f"{harness.web.url}/media/{name}").status_code == 404


@pytest.mark.parametrize(
    "path",
    [
        "/media/secret.txt",
        "/media/tiktokNotes.html",
        "/media/tiktok.txt",
        "/media/tiktok%2E%2E%2Fsecret.txt",
        "/media/..%2Furl-verification%2FtiktokAbC123_x-Y.txt",
        "/media/%2E%2E%2F%2E%2E%2Furl-verification%2Fsecret.txt",
        "/media/url-verification/tiktokAbC123_x-Y.txt",
    ],
)
def test_nothing_else_in_or_around_the_directory_is_served(harness: Harness, path: str) -> None:
    response = httpx.get(harness.web.url + path)
    assert response.status_code in (403, 404)
    assert "not for TikTok" not in response.text and SIGNATURE not in response.text


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH"])
def test_verification_files_answer_only_get_and_head(harness: Harness, method: str) -> None:
    response = httpx.request(method, f"{harness.web.url}/media/tiktokAbC123_x-Y.txt")
    assert response.status_code == 405
    assert SIGNATURE not in response.text


def test_without_the_setting_no_verification_file_is_served(make_harness: MakeHarness) -> None:
    harness = make_harness()
    response = httpx.get(f"{harness.web.url}/media/tiktokAbC123_x-Y.txt")
    assert response.status_code == 404
