"""Pages a victim may see: a way out at once, and nothing that talks to anyone but the service."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import BrowserContext, Page, expect
from pytest_django.fixtures import Settings
from pytest_django.live_server_helper import LiveServer

from tests.conftest import World
from tests.e2e.browser import BrowserLog, sign_in_with_cookie

pytestmark = pytest.mark.e2e

# Page name -> (persona signed in, or None, and the path; {ref} is the world's case).
VICTIM_PAGES: dict[str, tuple[str | None, str]] = {
    "login": (None, "/account/login/"),
    "portal": ("vic", "/portal/"),
    "public-photo-check": (None, "/help/check-a-photo/"),
    "portal-evidence": ("vic", "/portal/{ref}/evidence/"),
    "portal-statement": ("vic", "/portal/{ref}/statement/"),
}


@pytest.fixture(params=list(VICTIM_PAGES))
def victim_page(
    request: pytest.FixtureRequest, page: Page, context: BrowserContext, world: World,
    live_server: LiveServer,
) -> tuple[str, str]:  # fmt: skip
    """Open one victim-facing page (signed in as the victim where needed); its name and CSP."""
    persona, path = VICTIM_PAGES[request.param]
    path = path.format(ref=world.case.reference)  # type: ignore[attr-defined]
    if persona is not None:
        sign_in_with_cookie(context, live_server.url, getattr(world, persona), verified=True)
    response = page.goto(path)
    assert response is not None and response.status == 200
    expect(page).to_have_url(re.compile(re.escape(path) + "$"))
    # GOV.UK Frontend marks a component it has started; wait for it before judging the page.
    expect(page.locator("[data-module='govuk-exit-this-page']")).to_have_attribute(
        "data-govuk-exit-this-page-init", ""
    )
    return request.param, response.headers.get("content-security-policy", "")


def test_it_offers_the_exit_this_page_button_and_its_skip_link(
    victim_page: tuple[str, str], page: Page
) -> None:
    button = page.locator(".govuk-exit-this-page__button")
    expect(button).to_have_count(1)
    expect(button).to_be_visible()
    expect(button).to_have_accessible_name("Emergency Exit this page")
    expect(button).to_have_attribute("href", "/exit/")
    skip_link = page.locator(".govuk-js-exit-this-page-skiplink")
    expect(skip_link).to_have_count(1)
    expect(skip_link).to_have_attribute("href", "/exit/")


def test_it_sends_a_content_security_policy_and_logs_no_console_errors(
    victim_page: tuple[str, str], browser_log: BrowserLog
) -> None:
    name, csp = victim_page
    assert "default-src 'none'" in csp, f"{name}: Content-Security-Policy is {csp!r}"
    assert "script-src 'self'" in csp
    assert browser_log.script_problems() == [], f"{name}: {browser_log.script_problems()}"


def test_it_requests_nothing_from_any_other_host(
    victim_page: tuple[str, str], browser_log: BrowserLog
) -> None:
    name, _ = victim_page
    assert browser_log.requests, "the browser log recorded no request at all"
    assert browser_log.foreign_requests() == [], f"{name}: {browser_log.foreign_requests()}"


def test_it_leaves_from_the_first_tab_stop_for_keyboard_users(
    page: Page, world: World, live_server: LiveServer, settings: Settings
) -> None:
    settings.EXIT_URL = live_server.url + "/healthz"
    page.goto("/account/login/")

    page.keyboard.press("Tab")
    skip_link = page.locator(".govuk-js-exit-this-page-skiplink")
    expect(skip_link).to_be_focused()
    expect(skip_link).to_be_visible()
    page.keyboard.press("Enter")

    expect(page).to_have_url(live_server.url + "/healthz")


def test_it_leaves_for_the_neutral_site_when_the_button_is_pressed(
    page: Page, world: World, context: BrowserContext, live_server: LiveServer, settings: Settings
) -> None:
    settings.EXIT_URL = live_server.url + "/healthz"
    sign_in_with_cookie(context, live_server.url, world.vic, verified=True)
    page.goto("/portal/")
    expect(page.locator("[data-module='govuk-exit-this-page']")).to_have_attribute(
        "data-govuk-exit-this-page-init", ""
    )

    page.get_by_role("button", name="Emergency Exit this page").click()

    expect(page).to_have_url(live_server.url + "/healthz")
    page.goto("/portal/")
    expect(page).to_have_url(re.compile(r"/account/login/\?next=/portal/$"))
