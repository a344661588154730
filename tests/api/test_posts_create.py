"""POST /api/v1/posts: from uploads (JSON) or with the files (multipart), confirmed by the
call unless told otherwise, and validated exactly as the services do — a dry run included."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import update

from autoposter.store.models import User
from tests.api.conftest import Api, error_of, field_messages, upload, video_body


def stored_uploads(api: Api) -> list[Path]:
    root = api.harness.ctx.settings.media_dir / "uploads"
    return sorted(p for p in root.rglob("*") if p.is_file())


def test_a_post_from_an_upload_is_scheduled_and_uses_the_upload_up(api: Api, clip: Path) -> None:
    media = upload(api.ana.http, clip)
    response = api.ana.http.post("/posts", json=video_body(api.ana, media["id"]))
    assert response.status_code == 201, response.text
    answer = response.json()
    post = answer["post"]
    assert (post["status"], post["kind"], post["mode"]) == ("scheduled", "video", "direct")
    assert post["account_id"] == api.ana.account_id
    assert post["privacy_level"] == "SELF_ONLY"
    assert [(m["name"], m["size_bytes"]) for m in post["media"]] == [
        ("clip.mp4", clip.stat().st_size)
    ]
    assert answer["warnings"] == []
    error_of(api.ana.http.get(f"/media/{media['id']}"), 404, "not_found")
    assert stored_uploads(api) == []  # the post keeps its own copy


def test_a_post_with_its_files_in_a_form(api: Api, photos: tuple[Path, ...]) -> None:
    files = [("files", (p.name, p.read_bytes())) for p in photos[:2]]
    fields = {
        "account_id": str(api.ana.account_id),
        "title": "two sketches",
        "description": "from the park",
        "privacy_level": "PUBLIC_TO_EVERYONE",
        "allow_comment": "true",
    }
    response = api.ana.http.post("/posts", data=fields, files=files)
    assert response.status_code == 201, response.text
    post = response.json()["post"]
    assert (post["kind"], post["title"], post["allow_comment"]) == ("photo", "two sketches", True)
    assert [m["name"] for m in post["media"]] == ["one.jpg", "two.jpg"]
    assert stored_uploads(api) == []


def test_a_form_may_name_earlier_uploads_too(api: Api, clip: Path) -> None:
    media = upload(api.ana.http, clip)
    fields = {
        "account_id": str(api.ana.account_id),
        "media_ids": str(media["id"]),
        "privacy_level": "SELF_ONLY",
        "mode": "direct",
    }
    response = api.ana.http.post("/posts", files={k: (None, v) for k, v in fields.items()})
    assert response.status_code == 201, response.text
    assert response.json()["post"]["media"][0]["name"] == "clip.mp4"


def test_a_dry_run_validates_and_stores_nothing(api: Api, clip: Path) -> None:
    media = upload(api.ana.http, clip)
    response = api.ana.http.post("/posts?dry_run=true", json=video_body(api.ana, media["id"]))
    assert response.status_code == 200
    assert response.json() == {"post": None, "warnings": []}
    assert api.ana.http.get("/posts").json()["items"] == []
    assert api.ana.http.get(f"/media/{media['id']}").status_code == 200  # still there


def test_a_dry_run_with_files_keeps_none_of_them(api: Api, clip: Path) -> None:
    fields = {"account_id": str(api.ana.account_id), "privacy_level": "SELF_ONLY"}
    response = api.ana.http.post(
        "/posts?dry_run=true", data=fields, files={"files": (clip.name, clip.read_bytes())}
    )
    assert response.status_code == 200, response.text
    assert response.json()["post"] is None
    assert stored_uploads(api) == []
    assert api.ana.http.get("/export").json()["media_uploads"] == []


def test_a_dry_run_refuses_what_composing_would(api: Api, clip: Path) -> None:
    media = upload(api.bo.http, clip)
    body = video_body(api.bo, media["id"], privacy_level="PUBLIC_TO_EVERYONE")
    dry = error_of(api.bo.http.post("/posts?dry_run=true", json=body), 422, "post_rejected")
    real = error_of(api.bo.http.post("/posts", json=body), 422, "post_rejected")
    assert dry == real
    assert "privacy_level" in field_messages(real)


def test_confirm_false_leaves_a_draft_to_confirm_later(api: Api, clip: Path) -> None:
    media = upload(api.ana.http, clip)
    body = video_body(api.ana, media["id"], confirm=False)
    draft = api.ana.http.post("/posts", json=body).json()["post"]
    assert draft["status"] == "draft" and draft["confirm_by"] is not None
    response = api.ana.http.post(f"/posts/{draft['id']}/confirm")
    assert response.status_code == 200
    assert response.json()["status"] == "scheduled"


def test_a_draft_confirmed_too_late_has_expired(api: Api, clip: Path) -> None:
    media = upload(api.ana.http, clip)
    draft = api.ana.http.post("/posts", json=video_body(api.ana, media["id"], confirm=False))
    api.harness.clock.advance(api.harness.ctx.settings.confirm_timeout + 1)
    post_id = draft.json()["post"]["id"]
    error = error_of(api.ana.http.post(f"/posts/{post_id}/confirm"), 409, "confirmation_expired")
    assert "compose it again" in error["message"]


def test_a_refused_post_says_which_field_and_why(api: Api, clip: Path) -> None:
    media = upload(api.bo.http, clip)
    body = video_body(api.bo, media["id"], privacy_level="PUBLIC_TO_EVERYONE", allow_duet=True)
    error = error_of(api.bo.http.post("/posts", json=body), 422, "post_rejected")
    fields = field_messages(error)
    assert set(fields) == {"privacy_level", "allow_duet"}
    assert "Followers" in fields["privacy_level"]  # the options the creator has


def test_a_refused_post_leaves_its_upload_for_another_try(api: Api, clip: Path) -> None:
    media = upload(api.bo.http, clip)
    bad = video_body(api.bo, media["id"], privacy_level="PUBLIC_TO_EVERYONE")
    error_of(api.bo.http.post("/posts", json=bad), 422, "post_rejected")
    good = video_body(api.bo, media["id"])
    assert api.bo.http.post("/posts", json=good).status_code == 201


def test_an_unknown_account_is_a_field_error(api: Api, clip: Path) -> None:
    media = upload(api.ana.http, clip)
    body = video_body(api.ana, media["id"], account_id=999999)
    error = error_of(api.ana.http.post("/posts", json=body), 422, "post_rejected")
    assert "999999" in field_messages(error)["account_id"]


def test_a_second_user_cannot_post_to_the_first_users_account(api: Api, clip: Path) -> None:
    media = upload(api.bo.http, clip)
    body = video_body(api.bo, media["id"], account_id=api.ana.account_id)
    error = error_of(api.bo.http.post("/posts", json=body), 422, "post_rejected")
    assert "among yours" in field_messages(error)["account_id"]
    assert api.ana.http.get("/posts").json()["items"] == []


def test_a_second_user_cannot_use_the_first_users_upload(api: Api, clip: Path) -> None:
    media = upload(api.ana.http, clip)
    body = video_body(api.bo, media["id"])
    error = error_of(api.bo.http.post("/posts", json=body), 422, "post_rejected")
    assert "no media upload" in field_messages(error)["media_ids"]
    assert api.ana.http.get(f"/media/{media['id']}").status_code == 200


def test_a_time_in_the_past_is_refused(api: Api, clip: Path) -> None:
    media = upload(api.ana.http, clip)
    body = video_body(api.ana, media["id"], publish_at="2020-01-01T10:00:00Z")
    error = error_of(api.ana.http.post("/posts", json=body), 422, "post_rejected")
    assert "in the past" in field_messages(error)["publish_at"]


def set_time_zone(api: Api, zone: str) -> None:
    with api.harness.ctx.db.session() as session:
        session.execute(update(User).where(User.id == api.ana.user.id).values(time_zone=zone))


def test_a_local_time_is_read_in_the_users_time_zone(api: Api, clip: Path) -> None:
    set_time_zone(api, "Europe/Berlin")
    media = upload(api.ana.http, clip)
    body = video_body(api.ana, media["id"], publish_at="2030-07-01 18:00")
    post = api.ana.http.post("/posts", json=body).json()["post"]
    assert post["publish_at"] == "2030-07-01T16:00:00Z"


def test_a_time_with_an_offset_is_taken_as_it_is(api: Api, clip: Path) -> None:
    set_time_zone(api, "Asia/Tokyo")
    media = upload(api.ana.http, clip)
    body = video_body(api.ana, media["id"], publish_at="2030-07-01T18:00:00+02:00")
    post = api.ana.http.post("/posts", json=body).json()["post"]
    assert post["publish_at"] == "2030-07-01T16:00:00Z"


def test_a_time_that_is_no_time_is_invalid_input(api: Api, clip: Path) -> None:
    media = upload(api.ana.http, clip)
    for text in ("tomorrow", "2030-13-01 10:00", "9999-12-31 23:59", "0001-01-01T00:00:00Z"):
        body = video_body(api.ana, media["id"], publish_at=text)
        error = error_of(api.ana.http.post("/posts", json=body), 422, "invalid_input")
        assert set(field_messages(error)) == {"publish_at"}, text


def test_wrong_types_and_unknown_fields_are_invalid_input(api: Api, clip: Path) -> None:
    media = upload(api.ana.http, clip)
    cases: list[tuple[dict[str, Any], str]] = [
        ({"account_id": "abc"}, "account_id"),
        ({"allow_comment": "maybe"}, "allow_comment"),
        ({"media_ids": 5}, "media_ids"),
        ({"kind": "story"}, "kind"),
        ({"caption": "hello"}, "caption"),
        ({"cover_timestamp_ms": 2**40}, "cover_timestamp_ms"),
        ({"title": "nul\x00byte"}, "title"),
    ]
    for change, field in cases:
        body = {**video_body(api.ana, media["id"]), **change}
        error = error_of(api.ana.http.post("/posts", json=body), 422, "invalid_input")
        assert field in field_messages(error), (change, error)
    error_of(api.ana.http.post("/posts", content=b"{not json"), 422, "invalid_input")
    error_of(api.ana.http.post("/posts", json=[1, 2]), 422, "invalid_input")


def test_uploads_must_fit_the_posts_kind(api: Api, clip: Path, photos: tuple[Path, ...]) -> None:
    video = upload(api.ana.http, clip)
    photo = upload(api.ana.http, photos[0])
    cases: list[dict[str, Any]] = [
        {"media_ids": [video["id"], photo["id"]]},
        {"media_ids": [video["id"]], "kind": "photo"},
        {"media_ids": [video["id"], video["id"]]},
    ]
    for change in cases:
        body = {**video_body(api.ana, video["id"]), **change}
        error = error_of(api.ana.http.post("/posts", json=body), 422, "post_rejected")
        assert "media_ids" in field_messages(error), change
    assert len(stored_uploads(api)) == 2  # both still there to use


def test_tiktoks_rate_limit_on_checking_the_account_is_a_429(api: Api, clip: Path) -> None:
    # §6: creator_info allows 20 queries a minute per token; each compose asks it once.
    media = upload(api.ana.http, clip)
    body = video_body(api.ana, media["id"])
    answers = [api.ana.http.post("/posts?dry_run=true", json=body) for _ in range(21)]
    assert [a.status_code for a in answers[:20]] == [200] * 20
    error = error_of(answers[20], 429, "rate_limited")
    assert "try again in a minute" in error["message"]
    assert answers[20].headers["retry-after"] == "60"
