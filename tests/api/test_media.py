"""/api/v1/media: uploads streamed to disk, recognised by their content, size-limited, owned,
and expired when no post used them."""

from __future__ import annotations

import os
import socket
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

from sqlalchemy import update

from autoposter.posts.uploads import expire_uploads
from autoposter.store.models import MediaUpload
from tests.api.conftest import Api, MakeApi, error_of, upload

MEDIA_FIELDS = {"id", "name", "size_bytes", "content_type", "kind", "created_at"}


def stored_files(api: Api) -> list[Path]:
    root = api.harness.ctx.settings.media_dir / "uploads"
    return sorted(p for p in root.rglob("*") if p.is_file())


def test_a_video_upload_is_stored_and_described(api: Api, clip: Path) -> None:
    media = upload(api.ana.http, clip)
    assert set(media) == MEDIA_FIELDS
    assert (media["name"], media["kind"], media["content_type"]) == (
        "clip.mp4",
        "video",
        "video/mp4",
    )
    assert media["size_bytes"] == clip.stat().st_size
    (stored,) = stored_files(api)
    assert stored.read_bytes() == clip.read_bytes()
    assert api.ana.http.get(f"/media/{media['id']}").json() == media


def test_photos_are_recognised_by_their_content_not_their_name(
    api: Api, photos: tuple[Path, ...]
) -> None:
    jpeg = upload(api.ana.http, photos[0], name="holiday.mp4")
    webp = upload(api.ana.http, photos[2])
    assert (jpeg["kind"], jpeg["content_type"]) == ("photo", "image/jpeg")
    assert (webp["kind"], webp["content_type"]) == ("photo", "image/webp")


def test_a_png_is_refused_with_415_and_the_fix(api: Api, png: Path) -> None:
    with png.open("rb") as handle:
        response = api.ana.http.post("/media", files={"file": (png.name, handle)})
    error = error_of(response, 415, "unsupported_media")
    assert "JPEG or WebP" in error["message"]
    assert stored_files(api) == []  # nothing kept


def test_a_file_that_is_no_media_at_all_is_refused_with_415(api: Api) -> None:
    response = api.ana.http.post("/media", files={"file": ("notes.txt", b"just some words")})
    error = error_of(response, 415, "unsupported_media")
    assert "MP4" in error["message"]
    assert stored_files(api) == []


def test_an_upload_past_the_limit_is_refused_with_413(make_api: MakeApi, tmp_path: Path) -> None:
    api: Api = make_api(settings={"upload_max_bytes": 50_000})
    big = tmp_path / "big.mp4"
    big.write_bytes(os.urandom(120_000))
    with big.open("rb") as handle:
        response = api.ana.http.post("/media", files={"file": ("big.mp4", handle)})
    error = error_of(response, 413, "too_large")
    assert "50,000 bytes" in error["message"] and "AUTOPOSTER_UPLOAD_MAX_BYTES" in error["message"]
    assert stored_files(api) == []


def test_an_upload_announcing_too_much_is_refused_before_it_is_read(make_api: MakeApi) -> None:
    api: Api = make_api(settings={"upload_max_bytes": 1000})
    host, port = urlsplit(api.url).hostname, urlsplit(api.url).port
    head = (
        "POST /api/v1/media HTTP/1.1\r\n"
        f"Host: {host}\r\nAuthorization: Bearer {api.ana.token}\r\n"
        "Content-Type: multipart/form-data; boundary=x\r\n"
        f"Content-Length: {10 * 1024 * 1024}\r\n\r\n"
    )
    with socket.create_connection((host, port), timeout=10) as sock:
        # Ten MB announced, a few bytes sent: the answer cannot wait for the rest.
        sock.sendall(head.encode() + b"--x\r\n")
        answer = b""
        while b"too_large" not in answer and (chunk := sock.recv(65536)):
            answer += chunk  # headers and body may come in separate segments
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    assert b'"too_large"' in answer


def test_a_form_without_the_file_field_is_invalid_input(api: Api) -> None:
    response = api.ana.http.post("/media", files={"title": (None, "no file here")})
    error = error_of(response, 422, "invalid_input")
    assert "'file'" in error["message"]
    response = api.ana.http.post("/media", files={"video": ("a.mp4", b"123")})
    error_of(response, 422, "invalid_input")


def test_an_upload_that_is_not_multipart_is_refused_with_415(api: Api, clip: Path) -> None:
    response = api.ana.http.post("/media", content=clip.read_bytes())
    error = error_of(response, 415, "unsupported_media")
    assert "multipart/form-data" in error["message"]


def test_a_cut_off_form_is_invalid_input_and_leaves_no_file(api: Api) -> None:
    body = b"--x\r\nContent-Disposition: form-data; name=file; filename=a.mp4\r\n\r\n0123"
    headers = {"Content-Type": "multipart/form-data; boundary=x"}
    response = api.ana.http.post("/media", content=body, headers=headers)
    error = error_of(response, 422, "invalid_input")
    assert "cut off" in error["message"]
    assert stored_files(api) == []


def test_deleting_an_upload_removes_its_file(api: Api, clip: Path) -> None:
    media = upload(api.ana.http, clip)
    assert api.ana.http.delete(f"/media/{media['id']}").status_code == 204
    assert stored_files(api) == []
    error_of(api.ana.http.get(f"/media/{media['id']}"), 404, "not_found")


def test_a_second_user_gets_404_for_the_first_users_upload(api: Api, clip: Path) -> None:
    media = upload(api.ana.http, clip)
    error_of(api.bo.http.get(f"/media/{media['id']}"), 404, "not_found")
    error_of(api.bo.http.delete(f"/media/{media['id']}"), 404, "not_found")
    assert api.ana.http.get(f"/media/{media['id']}").status_code == 200
    assert len(stored_files(api)) == 1


def test_an_unused_upload_expires_after_the_retention_period(api: Api, clip: Path) -> None:
    media = upload(api.ana.http, clip)
    retention = api.harness.ctx.settings.upload_retention
    api.harness.clock.advance(retention - 60)
    assert expire_uploads(api.harness.ctx) == 0
    api.harness.clock.advance(120)
    assert expire_uploads(api.harness.ctx) == 1
    error_of(api.ana.http.get(f"/media/{media['id']}"), 404, "not_found")
    assert stored_files(api) == []


def test_the_clean_up_removes_files_a_dead_request_left_behind(api: Api) -> None:
    stray = api.harness.ctx.settings.media_dir / "uploads" / "0123456789abcdef" / "half.mp4"
    stray.parent.mkdir(parents=True)
    stray.write_bytes(b"half an upload")
    long_ago = (api.harness.clock() - timedelta(days=30)).timestamp()
    os.utime(stray.parent, (long_ago, long_ago))
    expire_uploads(api.harness.ctx)
    assert not stray.parent.exists()


def test_an_upload_being_made_into_a_post_cannot_be_deleted_meanwhile(api: Api, clip: Path) -> None:
    media = upload(api.ana.http, clip)
    with api.harness.ctx.db.session() as session:  # what composing does while it runs
        session.execute(
            update(MediaUpload)
            .where(MediaUpload.id == media["id"])
            .values(claimed_at=api.harness.clock())
        )
    error = error_of(api.ana.http.delete(f"/media/{media['id']}"), 409, "not_changeable")
    assert "right now" in error["message"]
    assert len(stored_files(api)) == 1
