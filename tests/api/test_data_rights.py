"""Export and erase through the API: the caller's own data only, and erasure for good."""

from __future__ import annotations

from pathlib import Path

from tests.api.conftest import Api, error_of, upload, video_body


def test_the_export_holds_the_callers_data_and_no_secret(api: Api, clip: Path) -> None:
    media = upload(api.ana.http, clip)
    api.ana.http.post("/posts", json=video_body(api.ana, media["id"], confirm=False))
    response = api.ana.http.get("/export")
    assert response.status_code == 200
    document = response.json()
    assert document["user"]["username"] == api.ana.user.username
    assert [a["id"] for a in document["tiktok_accounts"]] == [api.ana.account_id]
    assert len(document["posts"]) == 1
    text = response.text
    assert api.ana.token not in text and "access_token" not in text


def test_the_export_lists_unused_uploads(api: Api, clip: Path) -> None:
    media = upload(api.ana.http, clip)
    uploads = api.ana.http.get("/export").json()["media_uploads"]
    assert [(u["id"], u["name"]) for u in uploads] == [(media["id"], clip.name)]
    assert api.bo.http.get("/export").json()["media_uploads"] == []


def test_erasing_needs_the_username_typed_exactly(api: Api) -> None:
    response = api.ana.http.post("/erase", json={"confirm": "someone else"})
    error = error_of(response, 422, "invalid_input")
    assert error["fields"][0]["field"] == "confirm"
    assert api.ana.http.get("/me").status_code == 200  # nothing happened


def test_erasing_deletes_the_user_and_the_token_stops_working(api: Api, clip: Path) -> None:
    upload(api.ana.http, clip)
    response = api.ana.http.post("/erase", json={"confirm": api.ana.user.username})
    assert response.status_code == 200
    assert response.json() == {
        "user_id": api.ana.user.id,
        "accounts_deleted": 1,
        "revocation_failures": 0,
    }
    error_of(api.ana.http.get("/me"), 401, "unauthorized")
    uploads = api.harness.ctx.settings.media_dir / "uploads"
    assert not [p for p in uploads.rglob("*") if p.is_file()]  # the files went too
    assert api.bo.http.get("/me").status_code == 200
