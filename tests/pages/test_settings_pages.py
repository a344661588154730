"""Settings: time zone, API tokens shown once, export my data, erase my data."""

from __future__ import annotations

import json
import re

import pytest

from autoposter.accounts import access_token_for, get_user, list_api_tokens, verify_api_token
from autoposter.accounts.errors import NotFound
from tests.pages.conftest import Dashboard
from tests.pages.visitor import Visitor, form_in, text_of


@pytest.fixture
def visitor(dashboard: Dashboard) -> Visitor:
    """The signed-in user's browser."""
    return Visitor(dashboard.url, client=dashboard.client)


def shown_token(html: str) -> str:
    found = re.search(r'id="new-token" value="([^"]+)"', html)
    assert found is not None, "the page shows no token"
    return found.group(1)


def test_the_time_zone_is_chosen_from_the_list_and_saved(
    dashboard: Dashboard, visitor: Visitor
) -> None:
    page = visitor.get("/settings")
    form = form_in(page.text, id="time-zone-form")
    assert form.fields["time_zone"] == ["UTC"]  # the current one is selected
    assert '<option value="Europe/Paris">' in page.text

    response = visitor.submit("/settings", "time-zone-form", time_zone="Europe/Paris")

    assert response.status_code == 303
    assert get_user(dashboard.harness.ctx, dashboard.harness.user.id).time_zone == "Europe/Paris"
    page = visitor.get("/settings")
    assert form_in(page.text, id="time-zone-form").fields["time_zone"] == ["Europe/Paris"]
    assert "Times are now shown and read in Europe/Paris." in text_of(page.text)


def test_an_unknown_time_zone_is_refused_beside_the_field(
    dashboard: Dashboard, visitor: Visitor
) -> None:
    response = visitor.submit("/settings", "time-zone-form", time_zone="Mars/Olympus_Mons")

    assert response.status_code == 400
    assert 'id="time-zone-error"' in response.text
    assert "is not a time zone this server knows" in text_of(response.text)
    assert get_user(dashboard.harness.ctx, dashboard.harness.user.id).time_zone == "UTC"


def test_a_new_api_token_is_shown_once_and_works(dashboard: Dashboard, visitor: Visitor) -> None:
    response = visitor.submit("/settings", "token-form", name="laptop CLI")

    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    shown = shown_token(response.text)
    assert shown.startswith("apt_")
    assert "This is the only time it is shown" in text_of(response.text)
    owner = verify_api_token(dashboard.harness.ctx, shown)
    assert owner is not None and owner.id == dashboard.harness.user.id

    settings = visitor.get("/settings").text
    assert "laptop CLI" in settings
    assert shown not in settings


def test_an_api_token_needs_a_name(dashboard: Dashboard, visitor: Visitor) -> None:
    response = visitor.submit("/settings", "token-form", name="   ")

    assert response.status_code == 400
    assert 'id="token-name-error"' in response.text
    assert list_api_tokens(dashboard.harness.ctx, dashboard.harness.user) == []


def test_revoking_an_api_token_stops_it(dashboard: Dashboard, visitor: Visitor) -> None:
    made = visitor.submit("/settings", "token-form", name="upload script")
    token = shown_token(made.text)
    (row,) = list_api_tokens(dashboard.harness.ctx, dashboard.harness.user)

    visitor.get("/settings")
    response = visitor.client.post(
        f"/settings/tokens/{row.id}/revoke", data={"csrf_token": visitor.csrf}
    )

    assert response.status_code == 303
    assert verify_api_token(dashboard.harness.ctx, token) is None
    page = visitor.get("/settings").text
    assert f'id="token-{row.id}"' not in page
    assert "1 revoked token" in page


def test_revoking_an_unknown_token_is_a_404(dashboard: Dashboard) -> None:
    response = dashboard.post("/settings/tokens/999/revoke")

    assert response.status_code == 404


def test_export_downloads_the_users_data_as_a_json_attachment(
    dashboard: Dashboard, visitor: Visitor
) -> None:
    response = visitor.submit("/settings", "export-form")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    disposition = response.headers["content-disposition"]
    assert disposition.startswith('attachment; filename="autoposter-export-ana0-')
    document = json.loads(response.text)
    assert document["format"] == "autoposter-export"
    assert document["user"]["username"] == dashboard.harness.user.username
    assert [a["username"] for a in document["tiktok_accounts"]] == ["sunny.studio"]
    assert not any("token" in key for a in document["tiktok_accounts"] for key in a)
    harness = dashboard.harness
    assert access_token_for(harness.ctx, harness.user, harness.account_id) not in response.text


def test_the_erase_confirmation_lists_what_goes(dashboard: Dashboard, visitor: Visitor) -> None:
    page = visitor.get("/settings/erase")

    text = text_of(page.text)
    assert "1 connected TikTok account (@sunny.studio)" in text
    assert "access revoked at TikTok" in text
    assert "All your posts" in text
    assert "Your API tokens" in text
    assert "Type your username, ana0, to confirm" in text


def test_erasing_needs_the_username_typed_exactly(dashboard: Dashboard, visitor: Visitor) -> None:
    response = visitor.submit("/settings/erase", "erase-form", confirm_username="someone")

    assert response.status_code == 400
    assert "Nothing was erased" in text_of(response.text)
    assert get_user(dashboard.harness.ctx, dashboard.harness.user.id)


def test_erasing_deletes_everything_revokes_at_tiktok_and_signs_out(
    dashboard: Dashboard, visitor: Visitor
) -> None:
    harness = dashboard.harness

    response = visitor.submit(
        "/settings/erase", "erase-form", confirm_username=harness.user.username
    )

    assert response.status_code == 303
    assert response.headers["location"] == "/goodbye"
    goodbye = visitor.get("/goodbye")
    assert "Your login and all your data are erased." in text_of(goodbye.text)
    with pytest.raises(NotFound):
        get_user(harness.ctx, harness.user.id)
    creator = harness.sandbox.world.creator_by_key("public")
    assert creator is not None and creator.open_id not in harness.sandbox.world.grants
    assert visitor.get("/settings").status_code == 303
