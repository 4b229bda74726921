"""Every page of the app, scanned with axe-core in a real browser, as the persona who sees it.

A page passes when axe finds no violation of "serious" or "critical" impact, and the page logs
no console error and throws no script error.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import BrowserContext, Page, expect
from pytest_django.live_server_helper import LiveServer

from courseline.web.cases import actions
from courseline.web.help.factsheets import all_factsheets
from courseline.web.help.scenarios import all_scenarios
from tests.conftest import PASSWORD, World
from tests.e2e.browser import BrowserLog, sign_in_with_cookie

pytestmark = pytest.mark.e2e

BLOCKING_IMPACTS = frozenset({"serious", "critical"})

Persona = str | None  # the name of a World attribute, or None for someone not signed in


@dataclass(frozen=True)
class Screen:
    """One page to scan: who looks at it, where, and what is done first."""

    persona: Persona
    path: Callable[[World], str]
    status: int = 200
    prepare: Callable[[World], None] | None = None  # database state the page needs
    verified: bool = True  # staff have passed their second factor
    act: Callable[[Page, World], None] | None = None  # what the user does before the scan
    heading: str | None = None  # the page's h1, to be sure the right page is scanned
    reaches: str | None = None  # the view that `act` leads to, when it is not the path's


def case_url(suffix: str = "") -> Callable[[World], str]:
    return lambda w: f"/cases/{w.case.reference}/{suffix}"  # type: ignore[attr-defined]


def note_url(suffix: str) -> Callable[[World], str]:
    return lambda w: f"/cases/{w.case.reference}/notes/{w.note.pk}/{suffix}"  # type: ignore[attr-defined]


def fixed(path: str) -> Callable[[World], str]:
    return lambda _: path


def reset_link(world: World) -> str:
    user: Any = world.alice
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    return f"/account/password-reset/{uid}/{default_token_generator.make_token(user)}/"


def give_alice_a_phone(world: World) -> None:
    TOTPDevice.objects.create(user=world.alice, name="Work phone", confirmed=True)


def correct_the_note(world: World) -> None:
    actions.do_correct_note(None, world.alice, world.note, "First note, corrected", "Typo")  # type: ignore[arg-type]


def close_the_case(world: World) -> None:
    actions.do_close_case(None, world.alice, world.case, "Support ended")  # type: ignore[arg-type]


def submit_form(page: Page) -> None:
    """Submit the page's main form as it is; it must come back with an error summary."""
    page.locator("main form[method='post']").first.locator("button[type='submit']").last.click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()


def submit_empty_form(page: Page, _: World) -> None:
    submit_form(page)


def clear_and_submit(label: str) -> Callable[[Page, World], None]:
    """Empty a field that the page fills in for you, then submit the form."""

    def act(page: Page, _: World) -> None:
        page.get_by_label(label, exact=True).fill("")
        submit_form(page)

    return act


def incident_url(suffix: str) -> Callable[[World], str]:
    return lambda w: f"/cases/{w.case.reference}/incidents/{w.incident.pk}/{suffix}"  # type: ignore[attr-defined]


def ask_for_suggestions(page: Page, _: World) -> None:
    page.get_by_label("What happened?", exact=True).fill("He followed me home and rang me 20 times")
    page.get_by_role("button", name="Suggest behaviours from the description").click()
    expect(page.locator("#suggestions")).to_be_visible()


def upload_a_diary(page: Page, _: World) -> None:
    page.get_by_label("Diary file").set_input_files(
        files=[{"name": "diary.csv", "mimeType": "text/csv",
                "buffer": b"Date,What happened\n03/03/2026,He rang me\n"}]
    )  # fmt: skip
    page.get_by_role("button", name="Continue").click()


def calculate_the_score(page: Page, _: World) -> None:
    page.get_by_role("button", name="Calculate the score").click()
    expect(page.locator("#result")).to_be_visible()


def save_empty_assessment(page: Page, _: World) -> None:
    page.get_by_role("button", name="Save the assessment").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()


def answer_self_check(page: Page, _: World) -> None:
    for radio in page.locator("input[type=radio][value=yes]").all():
        radio.check()
    page.get_by_role("button", name="See what this means").click()
    expect(page.locator("#result")).to_be_visible()


def compare_with_model(page: Page, _: World) -> None:
    page.get_by_role("button", name="Compare with the model answer").click()
    expect(page.locator("#result")).to_be_visible()


def invite_the_victim(page: Page, _: World) -> None:
    page.get_by_role("button", name="send an invitation link to Vic Victim").click()


def join_link(world: World) -> str:
    from courseline.web.incidents import actions as incident_actions

    return f"/portal/join/{incident_actions.do_invite_victim(None, world.alice, world.person)}/"  # type: ignore[arg-type]


def fill_and_submit(label: str, value: str) -> Callable[[Page, World], None]:
    """Type a value the form refuses, then submit it."""

    def act(page: Page, _: World) -> None:
        page.get_by_label(label, exact=True).fill(value)
        submit_form(page)

    return act


def _photo_with_location() -> bytes:
    from tests.digital.photos.fixtures import PARIS, jpeg_with_gps

    return jpeg_with_gps(PARIS)


def check_a_photo_on_the_case(page: Page, _: World) -> None:
    page.get_by_label("Photos or videos").set_input_files(
        files=[{"name": "IMG_0042.JPG", "mimeType": "image/jpeg", "buffer": _photo_with_location()}]
    )  # fmt: skip
    page.get_by_role("button", name="Check photos", exact=True).click()
    expect(page.locator("#with-location")).to_have_text("1")


def check_a_photo_in_public(page: Page, _: World) -> None:
    page.get_by_label("Photo or video").set_input_files(
        files=[{"name": "me.jpg", "mimeType": "image/jpeg", "buffer": _photo_with_location()}]
    )  # fmt: skip
    page.get_by_role("button", name="Check this photo").click()
    expect(page.locator("#result")).to_be_visible()


def record_a_device_check(world: World) -> None:
    from courseline.digital.devices.checks import run_checks
    from courseline.digital.devices.consent import Consent
    from courseline.digital.devices.sources.package_list import parse_package_list
    from courseline.digital.indicators import AppKind, load
    from courseline.web.toolkit import actions as toolkit_actions

    indicators = load()
    spy = next(a for a in indicators.apps if a.kind is AppKind.STALKERWARE and a.packages)
    listing = f"package:com.whatsapp\npackage:{spy.packages[0]}\n"
    consent = Consent("Vic Victim")
    report = run_checks(parse_package_list(listing, name="packages.txt"), indicators)
    toolkit_actions.do_record_device_check(
        None, world.alice, world.case, source="packages", filename="packages.txt",  # type: ignore[arg-type,attr-defined]
        consent=consent, report=report.with_consent(consent).to_json(),
        indicator_version=indicators.version,
    )  # fmt: skip


def latest_device_check(world: World) -> str:
    from courseline.web.toolkit.models import DeviceCheck

    check = DeviceCheck.objects.latest("id")
    return f"/cases/{world.case.reference}/toolkit/devices/{check.pk}/"  # type: ignore[attr-defined]


def fail_to_sign_in_until_locked_out(page: Page, world: World) -> None:
    email: str = world.bob.email  # type: ignore[attr-defined]
    for _ in range(settings.AXES_FAILURE_LIMIT + 1):
        page.get_by_label("Email address").fill(email)
        page.get_by_label("Password").fill(PASSWORD + " typo")
        page.get_by_role("button", name="Sign in", exact=True).click()
        page.wait_for_load_state()
        if page.get_by_role("heading", name="Too many attempts to sign in").count():
            return
    pytest.fail("django-axes never showed the locked-out page")


SCREENS: dict[str, Screen] = {
    # Signing in, and the pages around it (anyone may see these).
    "login": Screen(None, fixed("/account/login/"), heading="Sign in"),
    "login-with-errors": Screen(None, fixed("/account/login/"), act=submit_empty_form),
    "locked-out": Screen(
        None,
        fixed("/account/login/"),
        act=fail_to_sign_in_until_locked_out,
        heading="Too many attempts to sign in",
    ),  # fmt: skip
    "password-reset": Screen(
        None, fixed("/account/password-reset/"), heading="Reset your password"
    ),
    "password-reset-with-errors": Screen(
        None, fixed("/account/password-reset/"), act=submit_empty_form
    ),
    "password-reset-sent": Screen(
        None, fixed("/account/password-reset/sent/"), heading="Check your email"
    ),
    "password-reset-confirm": Screen(None, reset_link, heading="Set a new password"),
    "password-reset-confirm-invalid-link": Screen(
        None,
        fixed("/account/password-reset/MQ/not-a-token/"),
        heading="This link has expired or has been used",
    ),  # fmt: skip
    "password-reset-complete": Screen(
        None, fixed("/account/password-reset/complete/"), heading="Your password has been set"
    ),
    # The second factor.
    "two-factor-setup": Screen(
        "supervisor",
        fixed("/account/two-factor/setup/"),
        verified=False,
        heading="Set up two-factor sign-in",
    ),  # fmt: skip
    "two-factor-setup-with-errors": Screen(
        "supervisor", fixed("/account/two-factor/setup/"), verified=False, act=submit_empty_form
    ),
    "two-factor-verify": Screen(
        "alice",
        fixed("/account/two-factor/"),
        verified=False,
        prepare=give_alice_a_phone,
        heading="Enter your security code",
    ),  # fmt: skip
    "two-factor-verify-with-errors": Screen(
        "alice",
        fixed("/account/two-factor/"),
        verified=False,
        prepare=give_alice_a_phone,
        act=submit_empty_form,
    ),  # fmt: skip
    # Casework.
    "dashboard": Screen("alice", fixed("/cases/dashboard/"), heading="Dashboard"),
    "case-list": Screen("supervisor", fixed("/cases/"), heading="Cases"),
    "case-open": Screen("supervisor", fixed("/cases/new/"), heading="Open a new case"),
    "case-open-with-errors": Screen("supervisor", fixed("/cases/new/"), act=submit_empty_form),
    "case-detail": Screen("alice", case_url()),
    "note-add-with-errors": Screen("alice", case_url("notes/new/"), act=submit_empty_form),
    "note-correct": Screen("alice", note_url("correct/"), heading="Correct a note"),
    "note-correct-with-errors": Screen("alice", note_url("correct/"), act=clear_and_submit("Note")),
    "note-history": Screen(
        "alice", note_url("history/"), prepare=correct_the_note, heading="Note history"
    ),
    "person-add": Screen("alice", case_url("people/new/"), heading="Add a person"),
    "person-add-with-errors": Screen("alice", case_url("people/new/"), act=submit_empty_form),
    "person-edit": Screen(
        "alice",
        lambda w: f"/cases/{w.case.reference}/people/{w.person.pk}/",  # type: ignore[attr-defined]
        heading="Change details: victim",
    ),  # fmt: skip
    "assign": Screen("supervisor", case_url("assign/"), heading="Assign or transfer the case"),
    "review-date": Screen("alice", case_url("review/"), heading="Set the next review date"),
    "review-date-with-errors": Screen(
        "alice", case_url("review/"), act=clear_and_submit("Next review date")
    ),
    "close": Screen("alice", case_url("close/"), heading="Close the case"),
    "close-with-errors": Screen("alice", case_url("close/"), act=submit_empty_form),
    "closed-case-detail": Screen("alice", case_url(), prepare=close_the_case),
    "reopen": Screen(
        "alice", case_url("reopen/"), prepare=close_the_case, heading="Reopen the case"
    ),
    "audit-trail": Screen("supervisor", case_url("audit/"), heading="Audit trail"),
    # Everyone's own account.
    "account": Screen("alice", fixed("/account/"), heading="Your account"),
    "change-password": Screen("alice", fixed("/account/password/"), heading="Change your password"),
    "change-password-with-errors": Screen(
        "alice", fixed("/account/password/"), act=submit_empty_form
    ),
    # Administration.
    "users": Screen("admin", fixed("/manage/users/"), heading="Users"),
    "user-add": Screen("admin", fixed("/manage/users/new/"), heading="Add a user"),
    "user-add-with-errors": Screen("admin", fixed("/manage/users/new/"), act=submit_empty_form),
    "user-edit": Screen("admin", lambda w: f"/manage/users/{w.alice.pk}/", heading="Alice"),  # type: ignore[attr-defined]
    "team-add": Screen("admin", fixed("/manage/teams/new/"), heading="Add a team"),
    "team-add-with-errors": Screen("admin", fixed("/manage/teams/new/"), act=submit_empty_form),
    "person-portal": Screen(
        "alice",
        lambda w: f"/cases/{w.case.reference}/people/{w.person.pk}/portal/",  # type: ignore[attr-defined]
        heading="Victim's portal account",
    ),  # fmt: skip
    "person-portal-with-errors": Screen(
        "alice",
        lambda w: f"/cases/{w.case.reference}/people/{w.person.pk}/portal/",  # type: ignore[attr-defined]
        act=fill_and_submit(
            "Email address of the victim's portal account (optional)", "no@x.example.org"
        ),
    ),  # fmt: skip
    "victim-change-password": Screen(
        "vic", fixed("/account/password/"), heading="Change your password"
    ),
    "victim-forbidden": Screen(
        "vic", fixed("/cases/"), status=403, heading="You do not have access to this page"
    ),
    # The incident log and its analysis.
    "incident-timeline": Screen("alice", case_url("incidents/"), heading="Incident log"),
    "incident-log": Screen("alice", case_url("incidents/new/"), heading="Log an incident"),
    "incident-log-with-errors": Screen("alice", case_url("incidents/new/"), act=submit_empty_form),
    "incident-log-with-suggestions": Screen(
        "alice", case_url("incidents/new/"), act=ask_for_suggestions, heading="Log an incident"
    ),
    "incident-detail": Screen("alice", incident_url(""), heading=None),
    "incident-edit": Screen("alice", incident_url("edit/"), heading="Change an incident"),
    "incident-import": Screen("alice", case_url("incidents/import/"), heading="Import a diary"),
    "incident-import-columns": Screen(
        "alice",
        case_url("incidents/import/"),
        act=upload_a_diary,
        heading="Check the diary columns",
        reaches="incidents:import_map",
    ),  # fmt: skip
    "incident-chronology": Screen("alice", case_url("incidents/export.html"), heading=None),
    "course-of-conduct": Screen(
        "alice", case_url("incidents/conduct/"), heading="Course of conduct"
    ),
    "portal-invitation-link": Screen(
        "alice", case_url(), act=invite_the_victim, heading="Invitation link for Vic Victim"
    ),
    "portal-join": Screen(None, join_link, heading="Create your account"),
    "portal-join-with-errors": Screen(None, join_link, act=submit_empty_form),
    "portal-join-invalid": Screen(
        None, fixed("/portal/join/no-such-token/"), status=404, heading="This link does not work"
    ),
    # Risk.
    "risk-overview": Screen("alice", case_url("risk/"), heading="Risk"),
    "risk-assess": Screen("alice", case_url("risk/assess/stalking-screening/")),
    "risk-assess-scored": Screen(
        "alice", case_url("risk/assess/domestic-abuse-checklist/"), act=calculate_the_score
    ),
    "risk-assess-with-errors": Screen(
        "alice", case_url("risk/assess/stalking-screening/"), act=save_empty_assessment
    ),
    "risk-assessment": Screen(
        "alice",
        lambda w: f"/cases/{w.case.reference}/risk/{w.assessment.pk}/",  # type: ignore[attr-defined]
    ),
    "risk-referral-new": Screen(
        "alice",
        lambda w: f"/cases/{w.case.reference}/risk/{w.assessment.pk}/refer/marac/",  # type: ignore[attr-defined]
    ),
    "risk-referral": Screen(
        "alice",
        lambda w: f"/cases/{w.case.reference}/risk/referrals/{w.referral.pk}/",  # type: ignore[attr-defined]
    ),
    "safety-plan": Screen(
        "alice",
        lambda w: f"/cases/{w.case.reference}/risk/safety-plans/{w.plan.pk}/",  # type: ignore[attr-defined]
        heading="Safety plan",
    ),
    # Digital checks.
    "photo-checks": Screen("alice", case_url("toolkit/photos/"), heading="Check photos"),
    "photo-checks-with-errors": Screen("alice", case_url("toolkit/photos/"), act=submit_empty_form),
    "photo-check-report": Screen(
        "alice",
        case_url("toolkit/photos/"),
        act=check_a_photo_on_the_case,
        reaches="toolkit:photo_check",
    ),  # fmt: skip
    "photo-check-stored": Screen(
        "alice",
        lambda w: f"/cases/{w.case.reference}/toolkit/photos/{w.photo_check.pk}/",  # type: ignore[attr-defined]
    ),
    "public-photo-check": Screen(
        None, fixed("/help/check-a-photo/"), heading="Check a photo before you share it"
    ),
    "public-photo-checked": Screen(
        None, fixed("/help/check-a-photo/"), act=check_a_photo_in_public
    ),
    "device-checks": Screen("alice", case_url("toolkit/devices/"), heading="Check a device"),
    "device-checks-with-errors": Screen(
        "alice", case_url("toolkit/devices/"), act=submit_empty_form
    ),
    "device-check-report": Screen("alice", latest_device_check, prepare=record_a_device_check),
    # Evidence.
    "evidence-list": Screen("alice", case_url("evidence/"), heading="Evidence"),
    "evidence-add": Screen("alice", case_url("evidence/add/"), heading="Add evidence"),
    "evidence-add-with-errors": Screen("alice", case_url("evidence/add/"), act=submit_empty_form),
    "evidence-exhibit": Screen(
        "alice",
        lambda w: f"/cases/{w.case.reference}/evidence/{w.evidence.pk}/",  # type: ignore[attr-defined]
    ),
    "evidence-export": Screen("alice", case_url("evidence/export/"), heading="Export a bundle"),
    "statement-draft": Screen(
        "alice", case_url("evidence/statement/"), heading="Victim personal statement draft"
    ),
    "portal-evidence": Screen(
        "vic",
        lambda w: f"/portal/{w.case.reference}/evidence/",
        heading="Send evidence",  # type: ignore[attr-defined]
    ),
    "portal-statement": Screen(
        "vic",
        lambda w: f"/portal/{w.case.reference}/statement/",
        heading="Your statement draft",  # type: ignore[attr-defined]
    ),
    # Public help pages (every factsheet too: see below).
    "help-index": Screen(None, fixed("/help/"), heading="Help and advice"),
    "help-search": Screen(None, fixed("/help/search/?q=tracker"), heading="Search help"),
    "help-self-check": Screen(
        None, fixed("/help/am-i-being-stalked/"), heading="Am I being stalked?"
    ),
    "help-self-check-answered": Screen(
        None, fixed("/help/am-i-being-stalked/"), act=answer_self_check
    ),
    "help-exit-explained": Screen(None, fixed("/help/exit-this-page/")),
    "help-safety": Screen(None, fixed("/help/staying-safe-online/"), heading="Staying safe online"),
    "help-law": Screen(None, fixed("/help/what-the-law-says/"), heading="What the law says"),
    **{
        f"factsheet-{sheet.slug}": Screen(
            None, fixed(f"/help/{sheet.slug}/"), heading=sheet.meta.title
        )
        for sheet in all_factsheets()
    },
    # Training for professionals.
    "training-index": Screen("alice", fixed("/training/"), heading="Training scenarios"),
    "training-exercise": Screen("alice", lambda w: f"/training/{all_scenarios()[0].slug}/"),
    "training-exercise-marked": Screen(
        "alice", lambda w: f"/training/{all_scenarios()[0].slug}/", act=compare_with_model
    ),
    # The victim's portal.
    "portal-diary": Screen(
        "vic",
        lambda w: f"/portal/{w.case.reference}/",
        heading="Your diary",  # type: ignore[attr-defined]
    ),
    "portal-log": Screen(
        "vic",
        lambda w: f"/portal/{w.case.reference}/log/",
        heading="Write down what happened",  # type: ignore[attr-defined]
    ),
    "portal-log-with-errors": Screen(
        "vic",
        lambda w: f"/portal/{w.case.reference}/log/",
        act=submit_empty_form,  # type: ignore[attr-defined]
    ),
    "portal-entry": Screen(
        "vic",
        lambda w: f"/portal/{w.case.reference}/log/{w.incident.pk}/",  # type: ignore[attr-defined]
    ),
    "portal": Screen("vic", fixed("/portal/"), heading="Your space"),
    "victim-account": Screen("vic", fixed("/account/"), heading="Your account"),
    # Errors.
    "not-found": Screen("alice", fixed("/no-such-page/"), status=404, heading="Page not found"),
    "forbidden": Screen(
        "alice", fixed("/manage/users/"), status=403, heading="You do not have access to this page"
    ),
}


@pytest.mark.parametrize("name", list(SCREENS))
def test_it_shows_the_page_without_serious_accessibility_problems_or_script_errors(
    name: str,
    page: Page,
    context: BrowserContext,
    world: World,
    live_server: LiveServer,
    browser_log: BrowserLog,
) -> None:
    screen = SCREENS[name]
    if screen.prepare is not None:
        screen.prepare(world)
    if screen.persona is not None:
        user = getattr(world, screen.persona)
        sign_in_with_cookie(context, live_server.url, user, verified=screen.verified)

    response = page.goto(screen.path(world))
    assert response is not None
    assert response.status == screen.status, f"{name}: {page.url} answered {response.status}"
    if screen.act is not None:
        screen.act(page, world)
    if screen.heading is not None:
        expect(page.get_by_role("heading", level=1)).to_have_text(screen.heading)
    page.wait_for_load_state("load")

    results = Axe().run(page)

    blocking = [v for v in results.response["violations"] if v["impact"] in BLOCKING_IMPACTS]
    assert not blocking, describe(name, page.url, blocking)
    assert browser_log.script_problems() == [], f"{name}: {browser_log.script_problems()}"


def describe(name: str, url: str, violations: list[dict[str, Any]]) -> str:
    lines = [f"{name} ({url}): {len(violations)} serious or critical axe violation(s)"]
    for violation in violations:
        lines.append(f"- {violation['id']} [{violation['impact']}]: {violation['help']}")
        lines.extend(f"    {', '.join(map(str, node['target']))}" for node in violation["nodes"])
    return "\n".join(lines)


# Pages that are not HTML pages for a person: probes, redirects, POST-only actions, downloads.
NOT_PAGES = {
    "home", "healthz", "exit", "accounts:logout", "accounts:sign_out_everywhere",
    "manage:user_reset_two_factor", "manage:audit_export", "person_invite", "person_revoke",
    "risk:plan_new", "help:factsheet_pdf", "evidence:download", "evidence:share",
    "evidence:link", "toolkit:device_check_pdf", "toolkit:device_to_plan",
}  # fmt: skip


def test_every_page_of_the_app_is_scanned(world: World) -> None:
    from django.urls import Resolver404, resolve

    from tests.web.test_authorization_matrix import ALL_PATTERNS

    scanned = set()
    for screen in SCREENS.values():
        try:
            scanned.add(resolve(screen.path(world).split("?")[0]).view_name)
            if screen.reaches:
                scanned.add(screen.reaches)
        except Resolver404:
            assert screen.status == 404
    assert set(ALL_PATTERNS) - NOT_PAGES - scanned == set()
