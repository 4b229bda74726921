"""Every change to an account: one transaction, one audit record."""

from __future__ import annotations

import secrets
from typing import Any

from django.db import transaction
from django.db.models import F
from django.http import HttpRequest
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from courseline.web.accounts.forms import CourselinePasswordResetForm
from courseline.web.accounts.models import Team, User
from courseline.web.audit.log import record

RESET_EMAIL = "accounts/email/password_reset.txt"
RESET_SUBJECT = "accounts/email/password_reset_subject.txt"


def send_password_link(request: HttpRequest, email: str) -> None:
    form = CourselinePasswordResetForm(data={"email": email})
    if form.is_valid():
        form.save(
            request=request,
            use_https=request.is_secure(),
            email_template_name=RESET_EMAIL,
            subject_template_name=RESET_SUBJECT,
        )


def do_start_two_factor_enrolment(request: HttpRequest) -> TOTPDevice:
    """A new, unconfirmed authenticator key for the signed-in user (shown once as a QR code)."""
    with transaction.atomic():
        device = TOTPDevice.objects.create(user=request.user, name="Authenticator", confirmed=False)
        record("auth.2fa_enrolment_started", request=request)
    return device


def do_confirm_two_factor(request: HttpRequest, device: TOTPDevice, *, enrolled: bool) -> None:
    with transaction.atomic():
        if enrolled:
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            TOTPDevice.objects.filter(user=device.user).exclude(pk=device.pk).delete()
        otp_login(request, device)
        record("auth.2fa_enrolled" if enrolled else "auth.2fa_verified", request=request)


def do_record_two_factor_failure(request: HttpRequest) -> None:
    record("auth.2fa_failed", request=request)


def do_sign_out_everywhere(request: HttpRequest, user: User) -> None:
    """Invalidate every session of ``user`` (this one included)."""
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(session_generation=F("session_generation") + 1)
        record("auth.sessions_revoked", request=request, actor=user, obj=user)


def do_change_password(request: HttpRequest, user: User, new_password: str) -> None:
    with transaction.atomic():
        user.set_password(new_password)
        user.save(update_fields=["password"])
        record("auth.password_changed", request=request, actor=user, obj=user)


def do_create_user(request: HttpRequest, admin: User, data: dict[str, Any]) -> User:
    with transaction.atomic():
        user = User.objects.create_user(
            email=data["email"],
            # A random password nobody knows: the new user sets their own through the e-mailed link.
            password=secrets.token_urlsafe(32),
            full_name=data["full_name"],
            role=data["role"],
            team=data.get("team"),
            is_active=data.get("is_active", True),
            organisation_id=admin.organisation_id,
        )
        record("account.created", request=request, obj=user, detail={"role": user.role})
        transaction.on_commit(lambda: send_password_link(request, user.email))
    return user


def do_update_user(request: HttpRequest, user: User, changed: list[str]) -> User:
    with transaction.atomic():
        user.save()
        if "is_active" in changed or "role" in changed or "team" in changed:
            User.objects.filter(pk=user.pk).update(session_generation=F("session_generation") + 1)
        # The new role, team and status are kept in the chain, so an account's history of
        # access can be rebuilt even though the account row itself is updated in place.
        detail = {
            "changed": sorted(changed),
            "role": user.role,
            "team_id": user.team_id,
            "is_active": user.is_active,
        }
        record("account.updated", request=request, obj=user, detail=detail)
    return user


def do_reset_two_factor(request: HttpRequest, user: User) -> None:
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        User.objects.filter(pk=user.pk).update(session_generation=F("session_generation") + 1)
        record("account.2fa_reset", request=request, obj=user)


def do_create_team(request: HttpRequest, admin: User, name: str) -> Team:
    with transaction.atomic():
        team = Team.objects.create(organisation_id=admin.organisation_id, name=name)
        record("team.created", request=request, obj=team)
    return team
