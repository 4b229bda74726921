"""Whole journeys through the real pages, in a real browser."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import BrowserContext, Page, expect
from pytest_django.fixtures import Settings
from pytest_django.live_server_helper import LiveServer

from tests.conftest import World
from tests.e2e.browser import (
    BrowserLog,
    device_code,
    key_from_setup_page,
    sign_in_with_cookie,
    sign_in_with_form,
    totp_code,
)

pytestmark = pytest.mark.e2e

SHIFT_PAUSE_MS = 250  # GOV.UK counts three Shift presses within 5 seconds


def test_it_takes_a_caseworker_from_sign_in_to_a_new_note_and_a_victim_out_through_exit_this_page(
    page: Page, world: World, live_server: LiveServer, settings: Settings, browser_log: BrowserLog
) -> None:
    settings.EXIT_URL = live_server.url + "/healthz"  # the "neutral site", without the internet
    device = TOTPDevice.objects.create(user=world.alice, name="Work phone", confirmed=True)

    # A caseworker signs in with her password and the code from her authenticator app.
    sign_in_with_form(page, world.alice.email)  # type: ignore[attr-defined]
    expect(page).to_have_url(re.compile(r"/account/two-factor/$"))
    expect(page.get_by_role("heading", name="Enter your security code")).to_be_visible()
    page.get_by_label("Security code").fill(device_code(device))
    page.get_by_role("button", name="Continue").click()
    expect(page).to_have_url(re.compile(r"/cases/dashboard/$"))
    expect(page.get_by_role("heading", name="Dashboard", exact=True)).to_be_visible()

    # She opens a case...
    page.get_by_role("link", name="Open a new case").click()
    expect(page.get_by_role("heading", name="Open a new case")).to_be_visible()
    page.get_by_label("Summary").fill("Unwanted messages and gifts left at work since March.")
    page.get_by_role("button", name="Open case").click()
    expect(page).to_have_url(re.compile(r"/cases/CL-\d{4}-\d{6}/$"))
    reference = page.url.rstrip("/").rsplit("/", 1)[-1]
    expect(page.get_by_role("heading", level=1)).to_contain_text(reference)
    expect(page.get_by_text(f"Case {reference} opened")).to_be_visible()
    expect(page.get_by_text("Unwanted messages and gifts left at work")).to_be_visible()

    # ...adds a note on the case page and sees it there...
    page.get_by_label("Note", exact=True).fill("Called the victim; agreed a safe time to call.")
    page.get_by_role("button", name="Add note").click()
    expect(page).to_have_url(re.compile(rf"/cases/{reference}/$"))
    expect(page.get_by_text("Note added")).to_be_visible()
    notes = page.locator(".govuk-summary-card").filter(has_text="agreed a safe time to call")
    expect(notes).to_have_count(1)

    # ...and signs out.
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_text("You have signed out")).to_be_visible()

    # A victim in her portal presses Shift three times: she is taken to the neutral site.
    sign_in_with_form(page, world.vic.email)  # type: ignore[attr-defined]
    expect(page).to_have_url(re.compile(r"/portal/$"))
    expect(page.get_by_role("heading", name="Your space")).to_be_visible()
    # (Checked before leaving: the stand-in neutral site, a JSON page, makes the browser ask
    # for /favicon.ico, which is not found.)
    assert browser_log.script_problems() == []
    press_shift_three_times(page, expected_url=re.compile(r"/healthz$"))
    expect(page).to_have_url(live_server.url + "/healthz")
    assert '"status": "ok"' in page.content()

    # Her session ended on the way out.
    page.goto("/portal/")
    expect(page).to_have_url(re.compile(r"/account/login/\?next=/portal/$"))
    expect(page.get_by_role("heading", name="Sign in", exact=True)).to_be_visible()
    assert browser_log.foreign_requests() == []


def press_shift_three_times(page: Page, *, expected_url: re.Pattern[str]) -> None:
    # Exit this page listens for Shift only once GOV.UK Frontend has started the component.
    exit_component = page.locator("[data-module='govuk-exit-this-page']")
    expect(exit_component).to_have_attribute("data-govuk-exit-this-page-init", "")
    with page.expect_navigation(url=expected_url):
        for _ in range(3):
            page.keyboard.press("Shift")
            page.wait_for_timeout(SHIFT_PAUSE_MS)


def test_it_sets_up_two_factor_sign_in_the_first_time_a_staff_member_signs_in(
    page: Page, world: World, browser_log: BrowserLog
) -> None:
    supervisor = world.supervisor
    assert not TOTPDevice.objects.filter(user=supervisor).exists()

    sign_in_with_form(page, supervisor.email)  # type: ignore[attr-defined]

    expect(page).to_have_url(re.compile(r"/account/two-factor/setup/$"))
    expect(page.get_by_role("heading", name="Set up two-factor sign-in")).to_be_visible()
    expect(page.get_by_role("img", name=re.compile("QR code"))).to_be_visible()
    key = key_from_setup_page(page.locator(".cl-secret").inner_text())
    page.get_by_label("Security code").fill(totp_code(key))
    page.get_by_role("button", name="Turn on two-factor sign-in").click()

    expect(page).to_have_url(re.compile(r"/cases/dashboard/$"))
    expect(page.get_by_text("Two-factor sign-in is set up")).to_be_visible()
    assert TOTPDevice.objects.filter(user=supervisor, confirmed=True).count() == 1
    assert browser_log.script_problems() == []


def test_it_takes_an_exhibit_from_upload_to_a_bundle_that_verifies(
    page: Page, context: BrowserContext, world: World, live_server: LiveServer,
    browser_log: BrowserLog, tmp_path: Path,
) -> None:  # fmt: skip
    from courseline.evidence.bundle import verify_bundle
    from tests.digital.photos.fixtures import PARIS, jpeg_with_gps

    sign_in_with_cookie(context, live_server.url, world.alice, verified=True)
    reference = world.case.reference  # type: ignore[attr-defined]
    page.goto(f"/cases/{reference}/")
    page.get_by_role("link", name="Evidence and bundles").click()
    page.get_by_role("link", name="Add evidence").click()
    page.get_by_label("File", exact=True).set_input_files(
        files=[{"name": "IMG_0042.JPG", "mimeType": "image/jpeg", "buffer": jpeg_with_gps(PARIS)}]
    )
    page.get_by_label("Short description").fill("Photo of the car outside")
    page.get_by_label("Added by a caseworker on the victim's behalf").check()
    page.get_by_role("button", name="Add evidence").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Photo of the car outside")
    expect(page.locator("#sha256")).to_have_text(re.compile(r"^[0-9a-f]{64}$"))
    expect(page.locator("#custody")).to_contain_text("Received")
    expect(page.get_by_text("location removed in the derived copy")).to_be_visible()

    page.get_by_role("link", name="Back to the evidence").click()
    page.get_by_role("link", name="Export a bundle").click()
    page.get_by_label("Why? (kept in the custody log)").fill("For PC Example, crime ref 1/2026")
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Export the bundle").click()
    bundle = tmp_path / "bundle.zip"
    download_info.value.save_as(bundle)
    report = verify_bundle(bundle)
    assert report.ok, report.problems
    assert report.items_listed == 2  # the world's exhibit and the new photo
    page.goto(f"/cases/{reference}/evidence/")
    expect(page.get_by_text(report.manifest_sha256)).to_be_visible()
