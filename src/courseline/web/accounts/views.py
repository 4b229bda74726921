"""Sign-in with a second factor, account self-service, and user management for admins."""

from __future__ import annotations

import csv
from typing import Any

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.forms import SetPasswordForm
from django.http import HttpRequest, HttpResponse, HttpResponseBase, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST
from django_otp.plugins.otp_totp.models import TOTPDevice

from courseline.web.accounts import actions
from courseline.web.accounts.access import (
    AuthedRequest,
    get_managed_user,
    role_required,
    users_managed_by,
)
from courseline.web.accounts.forms import (
    CourselinePasswordResetForm,
    LoginForm,
    TeamForm,
    TokenForm,
    UserForm,
)
from courseline.web.accounts.models import Role, Team
from courseline.web.audit.log import record
from courseline.web.audit.models import AuditEvent
from courseline.web.core.exports import spreadsheet_safe

ANY_ROLE = (Role.ADMIN, Role.SUPERVISOR, Role.CASEWORKER, Role.VICTIM)


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("home")


@login_not_required
@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("home")
    form = LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = authenticate(
            request,
            username=form.cleaned_data["email"].lower(),
            password=form.cleaned_data["password"],
        )
        if user is not None:
            login(request, user)
            return redirect(_next_url(request))
        form.add_error(None, "Enter a correct email address and password")
    return render(request, "accounts/login.html", {"form": form, "next": _next_url(request)})


def typed_login_name(request: HttpRequest, credentials: dict[str, Any] | None = None) -> str:
    """The account name a sign-in attempt is for, as django-axes counts failures per account."""
    name = (credentials or {}).get("username") or request.POST.get("email") or ""
    return str(name).strip().lower()


def locked_out(
    request: HttpRequest, original_response: Any = None, credentials: Any = None
) -> HttpResponse:
    """django-axes calls this once an account or an address has too many failed sign-ins."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(request, "accounts/locked_out.html", {"minutes": minutes}, status=429)


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    messages.success(request, "You have signed out")
    return redirect("accounts:login")


@require_http_methods(["GET", "POST"])
def two_factor(request: HttpRequest) -> HttpResponse:
    device = TOTPDevice.objects.filter(user=request.user, confirmed=True).first()
    if device is None:
        return redirect("accounts:two_factor_setup")
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        allowed, _ = device.verify_is_allowed()
        if not allowed:
            form.add_error("code", "Too many wrong codes. Wait a minute, then try again")
        elif device.verify_token(form.cleaned_data["code"]):
            actions.do_confirm_two_factor(request, device, enrolled=False)
            return redirect(_next_url(request))
        else:
            actions.do_record_two_factor_failure(request)
            form.add_error("code", "The security code is wrong or has expired")
    return render(request, "accounts/two_factor.html", {"form": form, "next": _next_url(request)})


@require_http_methods(["GET", "POST"])
def two_factor_setup(request: HttpRequest) -> HttpResponse:
    if TOTPDevice.objects.filter(user=request.user, confirmed=True).exists():
        messages.info(
            request, "Two-factor sign-in is already set up. An administrator can reset it"
        )
        return redirect("accounts:two_factor")
    device = TOTPDevice.objects.filter(user=request.user, confirmed=False).first()
    if device is None:
        device = actions.do_start_two_factor_enrolment(request)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["code"]):
            actions.do_confirm_two_factor(request, device, enrolled=True)
            messages.success(request, "Two-factor sign-in is set up")
            return redirect("home")
        actions.do_record_two_factor_failure(request)
        form.add_error("code", "The security code is wrong or has expired")
    qr = segno.make(device.config_url, error="m")
    context = {
        "form": form,
        "qr_data_uri": qr.svg_data_uri(scale=5, dark="#0b0c0c", light="#ffffff"),
        "secret": _base32_secret(device),
    }
    return render(request, "accounts/two_factor_setup.html", context)


def _base32_secret(device: TOTPDevice) -> str:
    from base64 import b32encode

    raw = b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(raw[i : i + 4] for i in range(0, len(raw), 4))


@role_required(*ANY_ROLE)
@require_http_methods(["GET"])
def account(request: AuthedRequest) -> HttpResponse:
    has_2fa = TOTPDevice.objects.filter(user=request.user, confirmed=True).exists()
    return render(request, "accounts/account.html", {"has_2fa": has_2fa})


@role_required(*ANY_ROLE)
@require_http_methods(["GET", "POST"])
def change_password(request: AuthedRequest) -> HttpResponse:
    from django.contrib.auth.forms import PasswordChangeForm

    form = PasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        actions.do_change_password(request, request.user, form.cleaned_data["new_password1"])
        from django.contrib.auth import update_session_auth_hash

        update_session_auth_hash(request, request.user)
        messages.success(request, "Your password has been changed")
        return redirect("accounts:account")
    return render(request, "accounts/change_password.html", {"form": form})


@role_required(*ANY_ROLE)
@require_POST
def sign_out_everywhere(request: AuthedRequest) -> HttpResponse:
    actions.do_sign_out_everywhere(request, request.user)
    logout(request)
    messages.success(request, "You have been signed out on every device")
    return redirect("accounts:login")


class PasswordResetView(auth_views.PasswordResetView):
    form_class = CourselinePasswordResetForm
    template_name = "accounts/password_reset.html"
    email_template_name = actions.RESET_EMAIL
    subject_template_name = actions.RESET_SUBJECT
    success_url = reverse_lazy("accounts:password_reset_done")


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    form_class = SetPasswordForm
    success_url = reverse_lazy("accounts:password_reset_complete")
    post_reset_login = False

    def form_valid(self, form: SetPasswordForm) -> HttpResponse:
        response = super().form_valid(form)
        record("auth.password_reset", request=self.request, actor=form.user, obj=form.user)
        return response


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"


# --- Administration ---------------------------------------------------------------------------


@role_required(Role.ADMIN)
@require_http_methods(["GET"])
def user_list(request: AuthedRequest) -> HttpResponse:
    users = users_managed_by(request.user).order_by("full_name")
    teams = Team.objects.filter(organisation_id=request.user.organisation_id).order_by("name")
    return render(request, "accounts/user_list.html", {"users": users, "teams": teams})


@role_required(Role.ADMIN)
@require_http_methods(["GET", "POST"])
def team_create(request: AuthedRequest) -> HttpResponse:
    form = TeamForm(request.POST or None, organisation_id=request.user.organisation_id)
    if request.method == "POST" and form.is_valid():
        team = actions.do_create_team(request, request.user, form.cleaned_data["name"])
        messages.success(request, f"Team {team.name} added")
        return redirect("manage:user_list")
    return render(request, "accounts/team_form.html", {"form": form})


@role_required(Role.ADMIN)
@require_http_methods(["GET", "POST"])
def user_create(request: AuthedRequest) -> HttpResponse:
    form = UserForm(request.POST or None, organisation_id=request.user.organisation_id)
    if request.method == "POST" and form.is_valid():
        user = actions.do_create_user(request, request.user, form.cleaned_data)
        messages.success(
            request, f"Account created. A link to set a password was sent to {user.email}"
        )
        return redirect("manage:user_list")
    return render(request, "accounts/user_form.html", {"form": form, "creating": True})


@role_required(Role.ADMIN)
@require_http_methods(["GET", "POST"])
def user_edit(request: AuthedRequest, user_id: int) -> HttpResponse:
    managed = get_managed_user(request.user, user_id)
    form = UserForm(
        request.POST or None, instance=managed, organisation_id=request.user.organisation_id
    )
    if request.method == "POST" and form.is_valid():
        if managed.pk == request.user.pk and (
            form.cleaned_data["role"] != Role.ADMIN or not form.cleaned_data["is_active"]
        ):
            form.add_error("role", "You cannot remove your own administrator access")
        else:
            actions.do_update_user(request, form.save(commit=False), form.changed_data)
            messages.success(request, "Account updated")
            return redirect("manage:user_list")
    has_2fa = TOTPDevice.objects.filter(user=managed, confirmed=True).exists()
    context = {"form": form, "managed": managed, "has_2fa": has_2fa, "creating": False}
    return render(request, "accounts/user_form.html", context)


@role_required(Role.ADMIN)
@require_POST
def user_reset_two_factor(request: AuthedRequest, user_id: int) -> HttpResponse:
    managed = get_managed_user(request.user, user_id)
    actions.do_reset_two_factor(request, managed)
    messages.success(request, f"Two-factor sign-in reset for {managed.full_name}")
    return redirect("manage:user_edit", user_id=managed.pk)


class _Echo:
    def write(self, value: str) -> str:
        return value


@role_required(Role.ADMIN)
@require_http_methods(["GET"])
def audit_export(request: AuthedRequest) -> HttpResponseBase:
    """The audit log of the admin's organisation as CSV (the export itself is audited)."""
    org_id = request.user.organisation_id
    record("audit.exported", request=request)
    events = AuditEvent.objects.filter(organisation_id=org_id).order_by("id")
    columns = [
        "id", "at", "actor_id", "actor_email", "action", "object_type", "object_id",
        "case_reference", "ip", "user_agent_hash", "detail", "prev_hash", "hash",
    ]  # fmt: skip
    writer = csv.writer(_Echo())

    def rows() -> Any:
        yield writer.writerow(columns)
        for event in events.iterator(chunk_size=2000):
            yield writer.writerow(
                spreadsheet_safe(value)
                for value in [
                    event.pk,
                    event.at.isoformat(),
                    event.actor_id,
                    event.actor_email,
                    event.action,
                    event.object_type,
                    event.object_id,
                    event.case_reference,
                    event.ip,
                    event.user_agent_hash,
                    event.detail,
                    event.prev_hash,
                    event.hash,
                ]  # fmt: skip
            )

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="courseline-audit.csv"'
    return response
