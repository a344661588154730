"""Bearer API tokens: nothing without one, the owner's view with one, and tokens made, listed
and revoked through the API itself."""

from __future__ import annotations

import httpx

from tests.api.conftest import Api, client, error_of


def test_a_request_without_a_token_is_refused_with_401_and_the_way_to_get_one(api: Api) -> None:
    error = error_of(api.anon.get("/me"), 401, "unauthorized")
    assert "Bearer" in error["message"] and "tokens create" in error["message"]


def test_a_401_challenges_for_a_bearer_token(api: Api) -> None:
    response = api.anon.get("/posts")
    assert response.headers["www-authenticate"] == "Bearer"


def test_an_unknown_token_is_refused(api: Api) -> None:
    with client(api.url, "apt_not-a-real-token") as stranger:
        error = error_of(stranger.get("/accounts"), 401, "unauthorized")
    assert "unknown or was revoked" in error["message"]


def test_another_scheme_than_bearer_is_refused(api: Api) -> None:
    response = httpx.get(f"{api.url}/me", headers={"Authorization": f"Basic {api.ana.token}"})
    error_of(response, 401, "unauthorized")


def test_every_endpoint_needs_the_token(api: Api) -> None:
    for method, path in [
        ("GET", "/accounts"),
        ("POST", "/accounts/connect"),
        ("GET", "/posts"),
        ("POST", "/posts"),
        ("GET", "/posts/1"),
        ("POST", "/media"),
        ("GET", "/media/1"),
        ("GET", "/export"),
        ("POST", "/erase"),
        ("GET", "/tokens"),
    ]:
        error_of(api.anon.request(method, path), 401, "unauthorized")


def test_me_is_the_tokens_owner(api: Api) -> None:
    response = api.ana.http.get("/me")
    assert response.status_code == 200
    me = response.json()
    assert me["id"] == api.ana.user.id
    assert me["username"] == api.ana.user.username
    assert me["time_zone"] == "UTC"
    assert me["is_admin"] is True  # the first user administers the installation
    assert api.bo.http.get("/me").json()["is_admin"] is False


def test_a_token_made_through_the_api_is_shown_once_and_works(api: Api) -> None:
    response = api.ana.http.post("/tokens", json={"name": "laptop"})
    assert response.status_code == 201
    made = response.json()
    assert made["name"] == "laptop" and made["token"].startswith("apt_")
    with client(api.url, made["token"]) as laptop:
        assert laptop.get("/me").json()["id"] == api.ana.user.id
    listed = api.ana.http.get("/tokens").json()["items"]
    assert [t["name"] for t in listed] == ["tests", "laptop"]
    assert all("token" not in t for t in listed)


def test_a_revoked_token_stops_working(api: Api) -> None:
    made = api.ana.http.post("/tokens", json={"name": "old"}).json()
    assert api.ana.http.delete(f"/tokens/{made['id']}").status_code == 204
    with client(api.url, made["token"]) as old:
        error_of(old.get("/me"), 401, "unauthorized")
    (revoked,) = [t for t in api.ana.http.get("/tokens").json()["items"] if t["name"] == "old"]
    assert revoked["revoked_at"] is not None


def test_a_second_user_gets_404_for_the_first_users_token(api: Api) -> None:
    made = api.ana.http.post("/tokens", json={"name": "mine"}).json()
    error_of(api.bo.http.delete(f"/tokens/{made['id']}"), 404, "not_found")
    with client(api.url, made["token"]) as mine:
        assert mine.get("/me").status_code == 200  # still alive
    assert "mine" not in [t["name"] for t in api.bo.http.get("/tokens").json()["items"]]


def test_a_token_needs_a_name(api: Api) -> None:
    error = error_of(api.ana.http.post("/tokens", json={"name": "   "}), 422, "invalid_input")
    assert "Name the API token" in error["message"]
    error_of(api.ana.http.post("/tokens", json={}), 422, "invalid_input")
