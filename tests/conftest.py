"""Shared fixtures: the personas every access test uses, and signed-in clients for them.

Personas (one organisation "Northshire", plus an outsider organisation):
admin, supervisor, caseworker Alice (assigned to the case), caseworker Bob (same team,
not assigned: must be refused), victim Vic (portal; linked to the case), outsider (a
supervisor of another organisation), anonymous.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass

os.environ.setdefault("COURSELINE_ENVIRONMENT", "development")
# A throw-away data directory (development secret key, static root) for every test run.
os.environ.setdefault("COURSELINE_DATA_DIR", tempfile.mkdtemp(prefix="courseline-tests-"))
os.makedirs(os.path.join(os.environ["COURSELINE_DATA_DIR"], "static"), exist_ok=True)

import pytest  # noqa: E402


@pytest.fixture(autouse=True)
def _fast_and_plain(settings):  # type: ignore[no-untyped-def]
    """Tests use a fast password hasher and unhashed static names (no collectstatic)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


PASSWORD = "correct horse battery staple 42"


@dataclass
class World:
    org: object
    other_org: object
    team: object
    admin: object
    supervisor: object
    alice: object
    bob: object
    vic: object
    outsider: object
    case: object
    other_case: object
    note: object
    person: object
    suspect: object
    incident: object
    assessment: object
    referral: object
    plan: object
    photo_check: object
    evidence: object
    device_check: object


def make_world() -> World:
    import datetime as dt
    import io

    from django.utils import timezone

    from courseline.digital.devices.consent import Consent
    from courseline.digital.photos.model import LocationSource, PhotoScan, SourceKind
    from courseline.web.accounts.models import Organisation, Role, Team, User
    from courseline.web.cases import actions
    from courseline.web.cases.models import PersonRole, SafeToContact
    from courseline.web.evidence import actions as evidence_actions
    from courseline.web.evidence.uploads import pending_from_stream
    from courseline.web.incidents import actions as incident_actions
    from courseline.web.toolkit import actions as toolkit_actions

    org = Organisation.objects.create(name="Northshire Stalking Service", slug="northshire")
    team = Team.objects.create(organisation=org, name="North team")
    other_org = Organisation.objects.create(name="Southshire Police Unit", slug="southshire")
    other_team = Team.objects.create(organisation=other_org, name="South team")

    def user(email: str, role: str, org: object, team: object | None) -> User:
        return User.objects.create_user(
            email=email, password=PASSWORD, full_name=email.split("@")[0].title(),
            role=role, organisation=org, team=team,
        )  # fmt: skip

    admin = user("admin@north.example.org", Role.ADMIN, org, None)
    supervisor = user("supervisor@north.example.org", Role.SUPERVISOR, org, team)
    alice = user("alice@north.example.org", Role.CASEWORKER, org, team)
    bob = user("bob@north.example.org", Role.CASEWORKER, org, team)
    vic = user("vic@north.example.org", Role.VICTIM, org, None)
    outsider = user("outsider@south.example.org", Role.SUPERVISOR, other_org, other_team)

    case = actions.do_open_case(
        None, alice, team=team, summary="Test case summary", assigned_to=alice, next_review=None
    )
    details = actions.PersonDetails(
        name="Vic Victim", aliases="", safe_to_contact=SafeToContact.YES,
        safe_contact_method="text", details="",
    )  # fmt: skip
    person = actions.do_add_person(None, alice, case, PersonRole.VICTIM, details)
    person.portal_user = vic
    person.save(update_fields=["portal_user"])
    note = actions.do_add_note(None, alice, case, "First note")
    suspect = actions.do_add_person(
        None, alice, case, PersonRole.PERPETRATOR,
        actions.PersonDetails("Sam Suspect", "S.S.", SafeToContact.NO, "", ""),
    )  # fmt: skip
    # Entered by the victim through the portal: staff see it too.
    incident = incident_actions.do_log_incident(
        None, vic, case,
        incident_actions.IncidentData(
            event_start=timezone.now() - dt.timedelta(days=3), precision="exact",
            description="He followed me from the bus stop to my door.",
        ),
        entered_by_victim=True,
    )  # fmt: skip
    from courseline.risk.instruments import load_instrument
    from courseline.web.risk import actions as risk_actions

    screening = load_instrument("stalking-screening")
    assessment = risk_actions.do_record_assessment(
        None, alice, case, screening,
        risk_actions.AssessmentInput(
            answers=dict.fromkeys(screening.item_keys, "no"), notes={}, judgement="standard",
            judgement_reasons="Nothing reported yet", override_reason="",
            next_review_due=timezone.localdate() + dt.timedelta(days=28), reason="first",
        ),
        None,
    )  # fmt: skip
    referral = risk_actions.do_create_referral(
        None, alice, case, assessment, "police", "Police", "", "Test referral", ""
    )
    plan = risk_actions.do_create_safety_plan(
        None, alice, case, assessment, risk_actions.plan_items_from(screening, assessment)
    )
    photo_check = toolkit_actions.do_record_photo_check(
        None,
        alice,
        case,
        [PhotoScan("IMG_0001.JPG", "jpeg", (LocationSource(SourceKind.EXIF_GPS, 51.5, -0.1),))],
        [],
    )
    evidence = evidence_actions.do_add_evidence(
        None, alice, case,
        pending_from_stream("note.txt", "text/plain", io.BytesIO(b"A fictional note.\n")),
        title="Fictional note", description="", source="on_behalf", claimed_time=None,
        incidents=[incident],
    )  # fmt: skip
    consent = Consent("Vic Victim")
    device_check = toolkit_actions.do_record_device_check(
        None, alice, case, source="packages", filename="packages.txt", consent=consent,
        report={
            "device": {"platform": "android", "source": "package list"},
            "findings": [{
                "check": "stalkerware-package", "severity": "critical", "confidence": "high",
                "title": "Known stalkerware", "meaning": "m", "not_meaning": "n",
                "next_step": "Plan for safety first.", "evidence": {"package": "com.example"},
                "indicator": None,
            }],
            "not_checked": [],
        },
        indicator_version="test",
    )  # fmt: skip
    outsider_case = actions.do_open_case(
        None, outsider, team=other_team, summary="Other org case", assigned_to=outsider,
        next_review=None,
    )  # fmt: skip
    return World(
        org, other_org, team, admin, supervisor, alice, bob, vic, outsider, case, outsider_case,
        note, person, suspect, incident, assessment, referral, plan, photo_check,
        evidence, device_check,
    )  # fmt: skip


@pytest.fixture
def world(db):  # type: ignore[no-untyped-def]
    return make_world()


def sign_in(client, user) -> None:  # type: ignore[no-untyped-def]
    """Sign a test client in as ``user`` with a verified second factor (staff)."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    client.force_login(user)
    if user.is_staff_role:
        device, _ = TOTPDevice.objects.get_or_create(
            user=user, name="test", defaults={"confirmed": True}
        )
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()


@pytest.fixture
def client_for(client):  # type: ignore[no-untyped-def]
    def _client_for(user):  # type: ignore[no-untyped-def]
        if user is not None:
            sign_in(client, user)
        return client

    return _client_for
