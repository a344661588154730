import httpx

from autoposter.sandbox import RunningSandbox


def test_it_answers_an_unknown_token_with_the_v2_envelope(sandbox: RunningSandbox) -> None:
    response = httpx.post(
        f"{sandbox.url}/v2/post/publish/status/fetch/",
        headers={"Authorization": "Bearer act.nope"},
        json={"publish_id": "v_pub_file~v2-1.1"},
    )
    assert response.status_code in (401, 404)
