"""Setting up an organisation from the command line: its teams and first administrator.

There is no web page for this on purpose: creating an organisation is an operator's job on
the server, and the first administrator then manages everything else in the web app.
"""

from __future__ import annotations

from django.contrib.auth.password_validation import validate_password
from django.db import transaction
from django.utils.text import slugify

from courseline.web.accounts.models import Organisation, Role, Team, User
from courseline.web.audit.log import record


class SetupError(Exception):
    """The organisation cannot be created as asked; the message says why."""


def do_create_organisation(
    name: str, teams: list[str], admin_email: str, admin_name: str, admin_password: str
) -> Organisation:
    slug = slugify(name)[:50]
    if not slug:
        raise SetupError("The organisation needs a name with letters or digits")
    if Organisation.objects.filter(slug=slug).exists():
        raise SetupError(f"An organisation called {name!r} already exists")
    email = admin_email.strip().lower()
    if User.objects.filter(email=email).exists():
        raise SetupError(f"An account with the address {email} already exists")
    candidate = User(email=email, full_name=admin_name)
    try:
        validate_password(admin_password, candidate)
    except Exception as exc:  # ValidationError: report its messages, not a traceback
        messages = getattr(exc, "messages", [str(exc)])
        raise SetupError("The password is too weak: " + " ".join(messages)) from None
    with transaction.atomic():
        org = Organisation.objects.create(name=name, slug=slug)
        for team in dict.fromkeys(t.strip() for t in teams if t.strip()):
            Team.objects.create(organisation=org, name=team)
        admin = User.objects.create_user(
            email=email,
            password=admin_password,
            full_name=admin_name,
            role=Role.ADMIN,
            organisation=org,
        )
        record(
            "organisation.created",
            actor=admin,
            obj=org,
            organisation_id=org.pk,
            detail={"teams": org.teams.count(), "admin_id": admin.pk},
        )
    return org
