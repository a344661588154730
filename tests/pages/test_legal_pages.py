"""The privacy policy and terms: public, and written from this installation's configuration."""

from __future__ import annotations

import httpx

from autoposter.web.pages.legal import duration
from tests.engine import MakeHarness
from tests.pages.conftest import Dashboard
from tests.pages.visitor import text_of


def test_both_pages_are_public(dashboard: Dashboard) -> None:
    for path in ("/privacy", "/terms"):
        response = httpx.get(dashboard.url + path)
        assert response.status_code == 200, path
        assert 'class="nav"' not in response.text  # no signed-in navigation for a visitor


def test_the_privacy_policy_names_every_requested_scope_and_its_purpose(
    dashboard: Dashboard,
) -> None:
    text = text_of(httpx.get(dashboard.url + "/privacy").text)

    for scope in dashboard.harness.ctx.settings.scopes:
        assert scope in text
    assert "video.publish: publishing the videos and photos you compose" in text
    assert "video.list: listing your public videos" in text


def test_only_the_scopes_of_enabled_features_are_named(make_harness: MakeHarness) -> None:
    harness = make_harness(settings={"features": ("inbox",)})

    privacy = text_of(httpx.get(harness.web.url + "/privacy").text)
    terms = text_of(httpx.get(harness.web.url + "/terms").text)

    assert "video.upload" in privacy and "video.upload" in terms
    assert "video.publish" not in privacy and "video.publish" not in terms
    assert "video.list" not in privacy and "video.list" not in terms


def test_the_operators_name_and_email_are_shown_when_configured(
    make_harness: MakeHarness,
) -> None:
    harness = make_harness(
        settings={"operator_name": "Studio Nord GmbH", "operator_email": "privacy@nord.example"}
    )

    for path in ("/privacy", "/terms"):
        page = httpx.get(harness.web.url + path).text
        assert "Studio Nord GmbH" in page, path
        assert 'href="mailto:privacy@nord.example"' in page, path


def test_without_contact_details_the_pages_say_so_plainly(dashboard: Dashboard) -> None:
    for path in ("/privacy", "/terms"):
        text = text_of(httpx.get(dashboard.url + path).text)
        assert "has not configured contact details" in text, path


def test_retention_periods_come_from_the_settings(make_harness: MakeHarness) -> None:
    harness = make_harness(
        settings={"oauth_state_ttl": 300, "confirm_timeout": 3600, "log_retention_days": 30}
    )

    page = httpx.get(harness.web.url + "/privacy").text

    assert "<td>5 minutes, and it can be used once</td>" in page
    assert "<td>expires after 1 hour; nothing is sent" in page
    assert "authorization code)</td><td>30 days</td>" in page


def test_the_privacy_policy_says_how_to_revoke_export_and_erase(dashboard: Dashboard) -> None:
    text = text_of(httpx.get(dashboard.url + "/privacy").text)

    assert "Manage app permissions" in text
    assert "Export my data" in text
    assert "Erase my data" in text


def test_the_sandbox_is_named_when_it_is_the_backend(dashboard: Dashboard) -> None:
    page = httpx.get(dashboard.url + "/privacy").text

    assert 'id="sandbox-note"' in page


def test_durations_read_as_people_say_them() -> None:
    assert duration(45) == "45 seconds"
    assert duration(600) == "10 minutes"
    assert duration(3600) == "1 hour"
    assert duration(86_400) == "24 hours"
    assert duration(14 * 86_400) == "14 days"
    assert duration(90) == "90 seconds"
