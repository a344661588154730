"""A post after composing: shown with its history, edited while it has not started,
confirmed, cancelled and deleted by the rules of its life — and only by its author."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.api.conftest import Api, error_of, field_messages, upload, video_body


def compose(api: Api, clip: Path, **fields: Any) -> dict[str, Any]:
    media = upload(api.ana.http, clip)
    response = api.ana.http.post("/posts", json=video_body(api.ana, media["id"], **fields))
    assert response.status_code == 201, response.text
    post: dict[str, Any] = response.json()["post"]
    return post


def test_a_post_shows_with_its_history(api: Api, clip: Path) -> None:
    post = compose(api, clip)
    response = api.ana.http.get(f"/posts/{post['id']}")
    assert response.status_code == 200
    shown = response.json()
    assert {k: v for k, v in shown.items() if k != "history"} == post
    assert [(h["from_status"], h["to_status"]) for h in shown["history"]] == [
        (None, "draft"),
        ("draft", "scheduled"),
    ]
    assert all(h["at"].endswith("Z") and h["detail"] for h in shown["history"])


def test_editing_a_scheduled_post_validates_it_again(api: Api, clip: Path) -> None:
    post = compose(api, clip, publish_at="2030-01-01T10:00:00Z")
    response = api.ana.http.patch(
        f"/posts/{post['id']}", json={"title": "a better title", "publish_at": "2030-02-01 09:30"}
    )
    assert response.status_code == 200, response.text
    edited = response.json()["post"]
    assert (edited["title"], edited["publish_at"]) == ("a better title", "2030-02-01T09:30:00Z")
    assert edited["privacy_level"] == "SELF_ONLY"  # untouched fields stay
    error = error_of(
        api.ana.http.patch(f"/posts/{post['id']}", json={"privacy_level": "NOBODY"}),
        422,
        "post_rejected",
    )
    assert "privacy_level" in field_messages(error)


def test_ticking_a_brand_box_in_an_edit_turns_the_disclosure_on(api: Api, clip: Path) -> None:
    post = compose(api, clip, privacy_level="PUBLIC_TO_EVERYONE")
    response = api.ana.http.patch(f"/posts/{post['id']}", json={"brand_organic": True})
    edited = response.json()["post"]
    assert (edited["brand_organic"], edited["commercial_content"]) == (True, True)


def test_an_edit_can_replace_the_media_with_new_uploads(
    api: Api, clip: Path, photos: tuple[Path, ...]
) -> None:
    post = compose(api, clip)
    photo = upload(api.ana.http, photos[0])
    response = api.ana.http.patch(
        f"/posts/{post['id']}", json={"media_ids": [photo["id"]], "title": "now a photo"}
    )
    assert response.status_code == 200, response.text
    edited = response.json()["post"]
    assert edited["kind"] == "photo"
    assert [m["name"] for m in edited["media"]] == ["one.jpg"]


def test_a_post_that_started_can_no_longer_be_edited(api: Api, clip: Path) -> None:
    post = compose(api, clip)
    api.harness.finish(post["id"])
    response = api.ana.http.patch(f"/posts/{post['id']}", json={"title": "too late"})
    error = error_of(response, 409, "not_changeable")
    assert "published" in error["message"]


def test_cancelling_a_scheduled_post(api: Api, clip: Path) -> None:
    post = compose(api, clip, publish_at="2030-01-01T10:00:00Z")
    response = api.ana.http.post(f"/posts/{post['id']}/cancel")
    assert response.status_code == 200
    cancelled = response.json()
    assert cancelled["status"] == "cancelled"
    assert cancelled["media"][0]["deleted"] is True  # its file went at once


def test_a_published_post_cannot_be_cancelled(api: Api, clip: Path) -> None:
    post = compose(api, clip)
    api.harness.finish(post["id"])
    error = error_of(api.ana.http.post(f"/posts/{post['id']}/cancel"), 409, "not_changeable")
    assert "TikTok" in error["message"]


def test_deleting_a_post_that_has_not_started(api: Api, clip: Path) -> None:
    post = compose(api, clip, confirm=False)
    assert api.ana.http.delete(f"/posts/{post['id']}").status_code == 204
    error_of(api.ana.http.get(f"/posts/{post['id']}"), 404, "not_found")
    assert api.harness.media_files() == []


def test_deleting_a_post_that_ended(api: Api, clip: Path) -> None:
    post = compose(api, clip)
    api.harness.finish(post["id"])
    assert api.ana.http.delete(f"/posts/{post['id']}").status_code == 204
    assert api.ana.http.get("/posts").json()["items"] == []


def test_a_post_in_flight_cannot_be_deleted(api: Api, clip: Path) -> None:
    post = compose(api, clip)
    api.harness.engine.dispatch()  # due now: queued for a worker
    assert api.ana.http.get(f"/posts/{post['id']}").json()["status"] == "queued"
    error = error_of(api.ana.http.delete(f"/posts/{post['id']}"), 409, "not_changeable")
    assert "queued" in error["message"]
    assert api.ana.http.get(f"/posts/{post['id']}").status_code == 200


def test_a_second_user_gets_404_for_every_action_on_the_first_users_post(
    api: Api, clip: Path
) -> None:
    post = compose(api, clip, confirm=False)
    path = f"/posts/{post['id']}"
    for method, suffix, body in [
        ("GET", "", None),
        ("PATCH", "", {"title": "mine now"}),
        ("POST", "/confirm", None),
        ("POST", "/cancel", None),
        ("DELETE", "", None),
    ]:
        response = api.bo.http.request(method, path + suffix, json=body)
        error = error_of(response, 404, "not_found")
        assert str(post["id"]) in error["message"], (method, suffix)
    assert api.ana.http.get(path).json()["status"] == "draft"  # untouched
    assert api.bo.http.get("/posts").json()["items"] == []


def test_a_missing_post_is_404_like_another_users(api: Api) -> None:
    error = error_of(api.ana.http.get("/posts/424242"), 404, "not_found")
    assert error["message"] == "There is no post 424242 among yours."
