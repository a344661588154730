"""A post composed through the API goes all the way to TikTok with the worker, and the API
then shows where it is on TikTok and how it got there."""

from __future__ import annotations

from pathlib import Path

from tests.api.conftest import Api, MakeApi
from tests.tiktok.support import poll


def test_a_video_posted_through_the_api_is_published(make_api: MakeApi, clip: Path) -> None:
    # Webhooks on: §4.7, the public post id arrives once moderation passed.
    api: Api = make_api(webhooks=True)
    fields = {
        "account_id": str(api.ana.account_id),
        "title": "straight from the API #sketch",
        "privacy_level": "PUBLIC_TO_EVERYONE",
        "allow_comment": "true",
    }
    response = api.ana.http.post(
        "/posts", data=fields, files={"files": (clip.name, clip.read_bytes())}
    )
    assert response.status_code == 201, response.text
    post_id = response.json()["post"]["id"]

    assert api.harness.finish(post_id).status == "published"

    post = poll(
        lambda: api.ana.http.get(f"/posts/{post_id}").json(), lambda p: bool(p["tiktok_post_ids"])
    )
    assert post["status"] == "published" and post["publish_id"]
    (tiktok_id,) = post["tiktok_post_ids"]
    assert post["post_url"] == f"https://www.tiktok.com/@sunny.studio/video/{tiktok_id}"
    assert post["media"][0]["deleted"] is True  # TikTok has the bytes; ours are gone
    steps = [h["to_status"] for h in post["history"] if h["to_status"] != h["from_status"]]
    assert steps == ["draft", "scheduled", "queued", "uploading", "processing", "published"]
    listed = api.ana.http.get("/posts", params={"status": "published"}).json()["items"]
    assert [p["id"] for p in listed] == [post_id]
