"""Every URL of the project × every persona → the outcome we expect.

A new view must be added to EXPECTED (test_it_covers_every_url_pattern fails otherwise),
which forces a decision, per persona, about who may reach it. Outcomes:
  ok       200
  redirect 302 somewhere other than the sign-in page
  login    302 to the sign-in page (anonymous, deny by default)
  403/404/405  the status code
A case the persona may not see is 404, exactly like a case that does not exist.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from courseline.web.audit.models import AuditEvent

PERSONAS = ("anonymous", "admin", "supervisor", "alice", "bob", "vic", "outsider")


def _row(**outcomes: str) -> dict[str, str]:
    assert set(outcomes) == set(PERSONAS), f"row must name every persona: {sorted(outcomes)}"
    return outcomes


def _all(outcome: str, anonymous: str | None = None) -> dict[str, str]:
    row = dict.fromkeys(PERSONAS, outcome)
    if anonymous is not None:
        row["anonymous"] = anonymous
    return row


CASE_STAFF_ONLY = _row(
    anonymous="login", admin="403", supervisor="ok", alice="ok", bob="ok", vic="403",
    outsider="ok",
)  # fmt: skip
ASSIGNED_CASE = _row(
    anonymous="login", admin="403", supervisor="ok", alice="ok", bob="404", vic="403",
    outsider="404",
)  # fmt: skip
SUPERVISOR_OF_CASE = _row(
    anonymous="login", admin="403", supervisor="ok", alice="403", bob="403", vic="403",
    outsider="404",
)  # fmt: skip
ADMIN_ONLY = _row(
    anonymous="login", admin="ok", supervisor="403", alice="403", bob="403", vic="403",
    outsider="403",
)  # fmt: skip
ADMIN_ONLY_POST = {**ADMIN_ONLY, "admin": "405"}
STAFF_POST_ONLY = _row(
    anonymous="login", admin="403", supervisor="405", alice="405", bob="405", vic="403",
    outsider="405",
)  # fmt: skip
VICTIM_ONLY = _row(
    anonymous="login", admin="403", supervisor="403", alice="403", bob="403", vic="ok",
    outsider="403",
)  # fmt: skip

EXPECTED: dict[str, dict[str, str]] = {
    "home": _all("redirect", anonymous="login"),
    "healthz": _all("ok"),
    "exit": _all("redirect"),
    "portal": VICTIM_ONLY,
    "accounts:login": _all("redirect", anonymous="ok"),
    "accounts:logout": _all("405", anonymous="login"),
    "accounts:two_factor": {**_all("ok", anonymous="login"), "vic": "redirect"},
    "accounts:two_factor_setup": {**_all("redirect", anonymous="login"), "vic": "ok"},
    "accounts:account": _all("ok", anonymous="login"),
    "accounts:change_password": _all("ok", anonymous="login"),
    "accounts:sign_out_everywhere": _all("405", anonymous="login"),
    "accounts:password_reset": _all("ok"),
    "accounts:password_reset_done": _all("ok"),
    "accounts:password_reset_confirm": _all("ok"),
    "accounts:password_reset_complete": _all("ok"),
    "manage:user_list": ADMIN_ONLY,
    "manage:user_create": ADMIN_ONLY,
    "manage:user_edit": ADMIN_ONLY,
    "manage:user_reset_two_factor": ADMIN_ONLY_POST,
    "manage:team_create": ADMIN_ONLY,
    "manage:audit_export": ADMIN_ONLY,
    "cases:list": CASE_STAFF_ONLY,
    "cases:dashboard": CASE_STAFF_ONLY,
    "cases:create": CASE_STAFF_ONLY,
    "cases:detail": ASSIGNED_CASE,
    "cases:note_add": ASSIGNED_CASE,
    "cases:note_correct": ASSIGNED_CASE,
    "cases:note_history": ASSIGNED_CASE,
    "cases:person_add": ASSIGNED_CASE,
    "cases:person_edit": ASSIGNED_CASE,
    "cases:person_portal": ASSIGNED_CASE,
    "cases:review": ASSIGNED_CASE,
    "cases:close": ASSIGNED_CASE,
    "cases:reopen": ASSIGNED_CASE,
    "cases:assign": SUPERVISOR_OF_CASE,
    "incidents:timeline": ASSIGNED_CASE,
    "incidents:log": ASSIGNED_CASE,
    "incidents:detail": ASSIGNED_CASE,
    "incidents:edit": ASSIGNED_CASE,
    "incidents:import": ASSIGNED_CASE,
    "incidents:import_map": {**ASSIGNED_CASE, "supervisor": "redirect", "alice": "redirect"},
    "incidents:export": ASSIGNED_CASE,
    "incidents:conduct": ASSIGNED_CASE,
    "risk:overview": ASSIGNED_CASE,
    "risk:assess": ASSIGNED_CASE,
    "risk:detail": ASSIGNED_CASE,
    "risk:referral_new": ASSIGNED_CASE,
    "risk:plan_new": STAFF_POST_ONLY,
    "risk:referral": ASSIGNED_CASE,
    "risk:plan": ASSIGNED_CASE,
    "help:index": _all("ok"),
    "help:search": _all("ok"),
    "help:self_check": _all("ok"),
    "help:exit_explained": _all("ok"),
    "help:safety": _all("ok"),
    "help:law": _all("ok"),
    "help:factsheet": _all("ok"),
    "help:factsheet_pdf": _all("ok"),
    "training:index": {**_all("ok", anonymous="login"), "vic": "403"},
    "training:exercise": {**_all("ok", anonymous="login"), "vic": "403"},
    "person_invite": STAFF_POST_ONLY,
    "person_revoke": STAFF_POST_ONLY,
    "portal_join": _all("404"),
    "portal_case": VICTIM_ONLY,
    "portal_log": VICTIM_ONLY,
    "portal_incident": VICTIM_ONLY,
    "cases:audit": SUPERVISOR_OF_CASE,
    "toolkit:photos": ASSIGNED_CASE,
    "toolkit:photo_check": ASSIGNED_CASE,
    "public_photo": _all("ok"),
    "evidence:list": ASSIGNED_CASE,
    "evidence:add": ASSIGNED_CASE,
    "evidence:export": ASSIGNED_CASE,
    "evidence:statement": ASSIGNED_CASE,
    "evidence:detail": ASSIGNED_CASE,
    "evidence:download": STAFF_POST_ONLY,
    "evidence:share": STAFF_POST_ONLY,
    "evidence:link": STAFF_POST_ONLY,
    "portal_evidence": VICTIM_ONLY,
    "portal_statement": VICTIM_ONLY,
    "toolkit:devices": ASSIGNED_CASE,
    "toolkit:device_check": ASSIGNED_CASE,
    "toolkit:device_check_pdf": ASSIGNED_CASE,
    "toolkit:device_to_plan": STAFF_POST_ONLY,
}

# Views whose GET shows case data and must leave an audit record of the read.
AUDITED_CASE_READS = {
    "cases:detail", "cases:note_correct", "cases:note_history", "cases:person_edit",
    "cases:audit", "incidents:timeline", "incidents:detail", "incidents:edit",
    "incidents:export", "incidents:conduct", "portal_case", "portal_incident",
    "risk:overview", "risk:detail", "risk:referral", "risk:plan", "risk:assess",
    "risk:referral_new", "toolkit:photos", "toolkit:photo_check", "evidence:list",
    "evidence:add", "evidence:detail", "evidence:export", "evidence:statement", "portal_evidence",
    "portal_statement", "toolkit:devices", "toolkit:device_check", "toolkit:device_check_pdf",
}  # fmt: skip


def _url_patterns(
    patterns: list[Any], namespace: str = "", params: frozenset[str] = frozenset()
) -> dict[str, frozenset[str]]:
    """Every named URL with the parameters it takes (its own and its includes')."""
    found: dict[str, frozenset[str]] = {}
    for entry in patterns:
        own = params | frozenset(getattr(entry.pattern, "converters", {}))
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            found.update(_url_patterns(entry.url_patterns, inner, own))
        elif isinstance(entry, URLPattern):
            assert entry.name, f"every URL needs a name: {entry.pattern}"
            found[f"{namespace}{entry.name}"] = own
    return found


ALL_PATTERNS = _url_patterns(get_resolver().url_patterns)


def test_it_covers_every_url_pattern() -> None:
    assert set(ALL_PATTERNS) == set(EXPECTED)


def _url(name: str, world: Any) -> str:
    """The URL of ``name`` filled in with the world's objects (the case Alice is assigned)."""
    values = {
        "reference": world.case.reference,
        "note_id": world.note.pk,
        "person_id": world.person.pk,
        "user_id": world.alice.pk,
        "uidb64": "MQ",
        "token": "set-password",
        "incident_id": world.incident.pk,
        "fmt": "csv",
        "instrument_key": "stalking-screening",
        "assessment_id": world.assessment.pk,
        "kind": "marac",
        "referral_id": world.referral.pk,
        "plan_id": world.plan.pk,
        "slug": "warning-signs",
        "check_id": world.photo_check.pk,
        "item_id": world.evidence.pk,
    }
    if name.startswith("toolkit:device_") and name != "toolkit:devices":
        values["check_id"] = world.device_check.pk
    if name == "training:exercise":
        from courseline.web.help.scenarios import all_scenarios

        values["slug"] = all_scenarios()[0].slug
    return reverse(name, kwargs={key: values[key] for key in ALL_PATTERNS[name]})


def _outcome(response: Any) -> str:
    if response.status_code == 302:
        return "login" if response.url.startswith(reverse("accounts:login")) else "redirect"
    if response.status_code == 200:
        return "ok"
    return str(response.status_code)


@pytest.mark.parametrize(
    ("name", "persona"),
    [(name, persona) for name in sorted(EXPECTED) for persona in PERSONAS],
)
def test_each_persona_gets_the_expected_outcome(
    name: str, persona: str, world: Any, client: Any
) -> None:
    from tests.conftest import sign_in

    if persona != "anonymous":
        sign_in(client, getattr(world, persona))
    before = AuditEvent.objects.filter(case_id=world.case.pk).count()
    response = client.get(_url(name, world))
    assert _outcome(response) == EXPECTED[name][persona]
    if name in AUDITED_CASE_READS and response.status_code == 200:
        assert AuditEvent.objects.filter(case_id=world.case.pk).count() > before


CASE_WRITES = {
    "cases:note_add": {"body": "intruder note"},
    "cases:note_correct": {"body": "rewritten", "reason": "x"},
    "cases:person_add": {
        "role": "third_party", "name": "Intruder", "safe_to_contact": "unknown",
    },
    "cases:person_edit": {"name": "Renamed", "safe_to_contact": "no"},
    "cases:person_portal": {"email": ""},
    "cases:review": {"next_review": "01/01/2099"},
    "cases:close": {"reason": "closing someone else's case"},
    "cases:assign": {"reason": "take it"},
    "incidents:log": {"precision": "approximate", "date": "01/01/2026", "description": "x",
                      "place": "home", "fear_of_violence": "no"},
    "incidents:edit": {"precision": "approximate", "date": "01/01/2026", "description": "x",
                       "place": "home", "fear_of_violence": "no", "edit_reason": "x"},
    "person_invite": {},
    "person_revoke": {},
    "risk:referral_new": {"summary": "intruder referral"},
    "risk:plan_new": {},
    "risk:referral": {"status": "closed", "on": "01/01/2026"},
    "risk:plan": {"new_item": "intruder item"},
    "risk:assess": {"action": "save", "judgement": "standard", "judgement_reasons": "x",
                    "next_review_due": "01/01/2099", "reason": "first"},
    "toolkit:photos": {"action": "check", "profile": "location"},
    "evidence:add": {"title": "x", "source": "on_behalf"},
    "evidence:download": {"reason": "x", "copy": "original"},
    "evidence:share": {"recipient": "x", "reason": "x"},
    "evidence:link": {},
    "evidence:export": {"reason": "x", "copies": "originals"},
    "evidence:statement": {"text": "intruder statement"},
    "toolkit:devices": {"source": "packages", "owner": "x", "consent": "on"},
    "toolkit:device_to_plan": {"finding": "0"},
}  # fmt: skip


@pytest.mark.parametrize("persona", ["anonymous", "admin", "bob", "vic", "outsider"])
@pytest.mark.parametrize("name", sorted(CASE_WRITES))
def test_refused_personas_cannot_change_the_case(
    name: str, persona: str, world: Any, client: Any
) -> None:
    from courseline.web.cases.models import Case, CaseEvent, NoteVersion, Person, PersonVersion
    from courseline.web.evidence.models import (
        BundleExport,
        CustodyEvent,
        EvidenceItem,
        StatementVersion,
    )  # fmt: skip
    from courseline.web.incidents.models import IncidentVersion, PortalInvite
    from courseline.web.risk.models import (
        Assessment,
        Referral,
        ReferralEvent,
        SafetyPlan,
        SafetyPlanVersion,
    )  # fmt: skip
    from courseline.web.toolkit.models import DeviceCheck, PhotoCheck
    from tests.conftest import sign_in

    def snapshot() -> tuple[object, ...]:
        case = Case.objects.get(pk=world.case.pk)
        return (
            case.status, case.assigned_to_id, case.next_review,
            NoteVersion.objects.count(), PersonVersion.objects.count(), CaseEvent.objects.count(),
            IncidentVersion.objects.count(), PortalInvite.objects.count(),
            Assessment.objects.count(), Referral.objects.count(), ReferralEvent.objects.count(),
            SafetyPlan.objects.count(), SafetyPlanVersion.objects.count(),
            Person.objects.get(pk=world.person.pk).portal_user_id, PhotoCheck.objects.count(),
            EvidenceItem.objects.count(), CustodyEvent.objects.count(),
            BundleExport.objects.count(), StatementVersion.objects.count(),
            list(world.evidence.incidents.values_list("pk", flat=True)),
            DeviceCheck.objects.count(),
            SafetyPlan.objects.get(pk=world.plan.pk).latest_id,
        )  # fmt: skip

    if persona != "anonymous":
        sign_in(client, getattr(world, persona))
    data = dict(CASE_WRITES[name])
    if name == "cases:assign":
        data["assigned_to"] = str(world.bob.pk)
    before = snapshot()
    response = client.post(_url(name, world), data)
    assert _outcome(response) in {"login", "403", "404"}
    assert snapshot() == before
