"""A clearly fictional demo organisation, its users and populated cases (idempotent).

Every name is invented and marked "(fictional)"; e-mail addresses use the reserved
example.org domain. Demo users may skip two-factor sign-in only while COURSELINE_DEMO=1.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from courseline.web.accounts.models import Organisation, Role, Team, User
from courseline.web.cases import actions
from courseline.web.cases.models import Case, PersonRole, SafeToContact
from courseline.web.demo_evidence import add_demo_evidence

DEMO_SLUG = "demo-fictional-service"
DEMO_PASSWORD = "demo-only-not-a-secret"  # noqa: S105  (printed by `make run`; demo mode only)


@dataclass(frozen=True)
class DemoLogin:
    email: str
    role: str
    name: str


DEMO_USERS = (
    DemoLogin("admin@demo.example.org", Role.ADMIN, "Ada Admin (fictional)"),
    DemoLogin("supervisor@demo.example.org", Role.SUPERVISOR, "Sunita Supervisor (fictional)"),
    DemoLogin("alice@demo.example.org", Role.CASEWORKER, "Alice Advocate (fictional)"),
    DemoLogin("bob@demo.example.org", Role.CASEWORKER, "Bob Caseworker (fictional)"),
    DemoLogin("vic@demo.example.org", Role.VICTIM, "Vic Tester (fictional)"),
)

_NOTES = (
    "First contact by phone. Client reports unwanted messages from a former partner over "
    "about six weeks, rising from daily to several times a day. Agreed to start a diary.",
    "Client says the former partner appeared outside her workplace twice this week. "
    "Discussed safe routes and telling the workplace security desk.",
    "Client worried her location is known: a photo she posted showed her street sign. "
    "Checked her recent photos together with the photo check; gave her cleaned copies.",
)


def _user(org: Organisation, team: Team, login: DemoLogin) -> User:
    user = User.objects.filter(email=login.email).first()
    if user is None:
        user = User.objects.create_user(
            email=login.email,
            password=DEMO_PASSWORD,
            full_name=login.name,
            role=login.role,
            organisation=org,
            team=None if login.role in (Role.ADMIN, Role.VICTIM) else team,
            is_demo=True,
        )
    return user


def _populate(case: Case, alice: User, vic: User) -> None:
    victim = actions.do_add_person(
        None,
        alice,
        case,
        PersonRole.VICTIM,
        actions.PersonDetails(
            name="Vic Tester (fictional)",
            aliases="",
            safe_to_contact=SafeToContact.YES,
            safe_contact_method="Mobile, text first; never leave a voicemail.",
            details="Lives with two children. Works shifts at a (fictional) library.",
        ),
    )
    actions.do_link_portal_account(None, alice, victim, vic)
    actions.do_add_person(
        None,
        alice,
        case,
        PersonRole.PERPETRATOR,
        actions.PersonDetails(
            name="Sam Sample (fictional)",
            aliases="S. Sample\nsam_the_sample (social media)",
            safe_to_contact=SafeToContact.NO,
            safe_contact_method="",
            details="Former partner. Relationship ended eight months ago.",
        ),
    )
    for body in _NOTES:
        actions.do_add_note(None, alice, case, body)
    _log_demo_incidents(case, alice, vic)


# (days ago, hour, place, channel, behaviours, feared violence, impacts, description)
_IncidentRow = tuple[int, int, str, str, list[str], str, list[str], str]
_INCIDENTS: tuple[_IncidentRow, ...] = (
    (
        70,
        22,
        "online",
        "Mobile (texts)",
        ["contacting"],
        "no",
        [],
        "Twelve texts in an hour asking to talk, after I said I did not want contact.",
    ),
    (
        55,
        8,
        "home",
        "",
        ["loitering", "watching_spying"],
        "yes",
        ["changed_routine"],
        "His car was parked across from my house when I left for work. He watched me go.",
    ),
    (
        41,
        17,
        "work",
        "",
        ["following", "loitering"],
        "yes",
        ["work", "changed_routine"],
        "Waited outside the library at closing time and followed me to the bus stop.",
    ),
    (
        30,
        9,
        "home",
        "",
        ["giving_leaving_items"],
        "unsure",
        ["security"],
        "Flowers and a card on my doorstep saying we are meant to be together.",
    ),
    (
        12,
        23,
        "online",
        "Instagram @sam_the_sample",
        ["contacting", "threats_violence"],
        "yes",
        ["social", "health"],
        "Messages saying I will regret ignoring him and he knows my shifts.",
    ),
)


def _log_demo_incidents(case: Case, alice: User, vic: User) -> None:
    from courseline.web.incidents.actions import IncidentData, do_log_incident

    suspect = case.people.filter(role=PersonRole.PERPETRATOR).first()
    now = timezone.localtime()
    for days, hour, place, channel, behaviours, fear, impacts, text in _INCIDENTS:
        when = (now - dt.timedelta(days=days)).replace(hour=hour, minute=0, second=0, microsecond=0)
        data = IncidentData(
            event_start=when, precision="exact", description=text, place=place, channel=channel,
            behaviours=behaviours, perpetrator=suspect, fear_of_violence=fear, impacts=impacts,
        )  # fmt: skip
        do_log_incident(None, alice, case, data)
    do_log_incident(
        None, vic, case,
        IncidentData(
            event_start=now - dt.timedelta(days=2), precision="approximate", place="public",
            description="I think I saw him in the supermarket car park again.",
            fear_of_violence="unsure",
        ),
        entered_by_victim=True,
    )  # fmt: skip


def seed_demo() -> list[str]:
    """Create the demo data if it is missing; return the demo case references."""
    with transaction.atomic():
        org, _ = Organisation.objects.get_or_create(
            slug=DEMO_SLUG,
            defaults={"name": "Demo Stalking Advocacy Service (fictional)", "is_demo": True},
        )
        team, _ = Team.objects.get_or_create(organisation=org, name="Demo team (fictional)")
        users = {login.email: _user(org, team, login) for login in DEMO_USERS}
        alice = users["alice@demo.example.org"]
        bob = users["bob@demo.example.org"]
        existing = list(
            Case.objects.filter(organisation=org).order_by("id").values_list("reference", flat=True)
        )
        if existing:
            return existing
        today = timezone.localdate()
        first = actions.do_open_case(
            None,
            alice,
            team=team,
            summary="Fictional demo case: a former partner keeps contacting and following the "
            "client after the relationship ended.",
            assigned_to=alice,
            next_review=today - dt.timedelta(days=3),
        )
        _populate(first, alice, users["vic@demo.example.org"])
        add_demo_evidence(first, alice)
        second = actions.do_open_case(
            None,
            bob,
            team=team,
            summary="Fictional demo case: an unknown account posts about the client online and "
            "sends gifts to her home.",
            assigned_to=bob,
            next_review=today + dt.timedelta(days=14),
        )
        actions.do_add_note(None, bob, second, "Initial assessment booked for next week.")
        return [first.reference, second.reference]
