"""Whatever goes wrong, the API answers JSON with a stable code and a message that says
what to do — never an HTML page, never a 500 for bad input; and it documents itself."""

from __future__ import annotations

import httpx

from tests.api.conftest import Api, error_of


def test_an_unknown_endpoint_is_a_json_404(api: Api) -> None:
    error = error_of(api.ana.http.get("/postz"), 404, "not_found")
    assert "/docs" in error["message"]


def test_a_wrong_method_is_a_json_405_naming_the_right_ones(api: Api) -> None:
    response = api.ana.http.put("/posts")
    error = error_of(response, 405, "method_not_allowed")
    assert response.headers["allow"] == "GET, POST"
    assert "GET, POST" in error["message"]


def test_a_json_body_too_large_is_refused_with_413(api: Api) -> None:
    body = b'{"title": "' + b"x" * (2 * 1024 * 1024) + b'"}'
    response = api.ana.http.patch(
        "/posts/1", content=body, headers={"Content-Type": "application/json"}
    )
    error_of(response, 413, "too_large")


def test_ids_beyond_what_can_exist_are_invalid_input_not_a_crash(api: Api) -> None:
    for path in ("/posts/99999999999999999999", "/media/-1", "/tokens/0"):
        method = "DELETE" if path.startswith("/tokens") else "GET"
        error_of(api.ana.http.request(method, path), 422, "invalid_input")


def test_text_that_cannot_be_stored_is_invalid_input(api: Api) -> None:
    response = api.ana.http.post(
        "/tokens",
        content=b'{"name": "bad \\ud800 surrogate"}',
        headers={"Content-Type": "application/json"},
    )
    error = error_of(response, 422, "invalid_input")
    assert error["fields"][0]["field"] == "name"
    error_of(api.ana.http.post("/tokens", json={"name": "nul\x00"}), 422, "invalid_input")


def test_the_openapi_schema_and_swagger_ui_are_served(api: Api) -> None:
    schema = httpx.get(f"{api.harness.web.url}/openapi.json").json()
    paths = schema["paths"]
    assert {"/api/v1/posts", "/api/v1/posts/{post_id}", "/api/v1/media", "/api/v1/me"} <= set(paths)
    create = paths["/api/v1/posts"]["post"]
    assert set(create["requestBody"]["content"]) == {"application/json", "multipart/form-data"}
    assert "422" in create["responses"] and "201" in create["responses"]
    assert schema["components"]["securitySchemes"]["ApiToken"]["scheme"] == "bearer"
    docs = httpx.get(f"{api.harness.web.url}/docs")
    assert docs.status_code == 200 and "swagger" in docs.text.lower()
