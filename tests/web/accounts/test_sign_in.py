"""Sign-in: password, second factor for staff, throttling, sessions and password reset."""

from __future__ import annotations

import re
from typing import Any

from django.core import mail
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from courseline.web.audit.models import AuditEvent
from tests.conftest import PASSWORD, sign_in

LOGIN = "/account/login/"


def login(client: Any, email: str, password: str = PASSWORD, **extra: Any) -> Any:
    return client.post(LOGIN, {"email": email, "password": password}, **extra)


def code_for(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def test_anonymous_home_leads_to_sign_in(client: Any) -> None:
    response = client.get("/")
    assert response.status_code == 302
    assert response.url.startswith(LOGIN)


def test_staff_must_pass_the_second_factor_before_seeing_cases(world: Any, client: Any) -> None:
    device = TOTPDevice.objects.create(user=world.alice, name="phone", confirmed=True)
    assert login(client, world.alice.email).status_code == 302
    blocked = client.get(reverse("cases:detail", kwargs={"reference": world.case.reference}))
    assert blocked.status_code == 302
    assert blocked.url.startswith(reverse("accounts:two_factor") + "?next=%2Fcases%2F")
    wrong = client.post(reverse("accounts:two_factor"), {"code": "000000"})
    assert "wrong or has expired" in wrong.content.decode()
    assert AuditEvent.objects.filter(action="auth.2fa_failed").exists()
    throttled = client.post(reverse("accounts:two_factor"), {"code": code_for(device)})
    assert "Too many wrong codes" in throttled.content.decode()
    device.refresh_from_db()
    device.throttle_reset()  # as if the back-off period had passed
    ok = client.post(reverse("accounts:two_factor"), {"code": code_for(device)})
    assert ok.status_code == 302
    page = client.get(reverse("cases:detail", kwargs={"reference": world.case.reference}))
    assert page.status_code == 200


def test_staff_without_a_device_are_sent_to_enrol(world: Any, client: Any) -> None:
    login(client, world.bob.email)
    response = client.get(reverse("cases:dashboard"), follow=True)
    assert response.redirect_chain[-1][0] == reverse("accounts:two_factor_setup")
    html = response.content.decode()
    assert 'src="data:image/svg+xml' in html
    device = TOTPDevice.objects.get(user=world.bob, confirmed=False)
    done = client.post(reverse("accounts:two_factor_setup"), {"code": code_for(device)})
    assert done.status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    assert client.get(reverse("cases:dashboard")).status_code == 200
    assert AuditEvent.objects.filter(action="auth.2fa_enrolled", actor_id=world.bob.pk).exists()


def test_demo_users_skip_the_second_factor_only_in_demo_mode(
    world: Any, client: Any, settings: Any
) -> None:
    world.alice.is_demo = True
    world.alice.save()
    login(client, world.alice.email)
    assert client.get(reverse("cases:dashboard")).status_code == 302
    settings.DEMO_MODE = True
    page = client.get(reverse("cases:dashboard"))
    assert page.status_code == 200
    assert "Two-factor sign-in is skipped for demo accounts" in page.content.decode()


def test_victims_do_not_need_a_second_factor(world: Any, client: Any) -> None:
    login(client, world.vic.email)
    assert client.get(reverse("portal")).status_code == 200


def test_a_wrong_password_is_refused_and_audited_without_the_name_typed(
    world: Any, client: Any
) -> None:
    response = login(client, world.alice.email, "wrong password")
    assert response.status_code == 200
    assert "Enter a correct email address and password" in response.content.decode()
    failed = AuditEvent.objects.get(action="auth.login_failed")
    assert world.alice.email not in str(failed.chain_payload())
    assert failed.ip == "127.0.0.1"


def test_an_account_is_locked_after_repeated_failures_even_with_the_right_password(
    world: Any, client: Any, settings: Any
) -> None:
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        login(client, world.alice.email, "wrong", REMOTE_ADDR=f"10.0.0.{attempt + 1}")
    locked = login(client, world.alice.email, REMOTE_ADDR="10.0.0.99")
    assert locked.status_code == 429
    assert "Too many attempts" in locked.content.decode()
    # Another account from another address is unaffected.
    assert login(client, world.bob.email, REMOTE_ADDR="10.0.0.50").status_code == 302


def test_an_address_is_locked_after_failures_across_accounts(
    world: Any, client: Any, settings: Any
) -> None:
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        login(client, f"nobody{attempt}@example.org", "wrong", REMOTE_ADDR="10.9.9.9")
    assert login(client, world.bob.email, REMOTE_ADDR="10.9.9.9").status_code == 429
    assert login(client, world.bob.email, REMOTE_ADDR="10.9.9.8").status_code == 302


def test_sessions_expire_when_idle_and_at_browser_close(settings: Any) -> None:
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert settings.SESSION_SAVE_EVERY_REQUEST is True
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE is True


def test_signing_out_everywhere_ends_other_sessions(world: Any, client: Any) -> None:
    from django.test import Client

    other = Client()
    sign_in(other, world.alice)
    sign_in(client, world.alice)
    assert other.get(reverse("cases:dashboard")).status_code == 200
    response = client.post(reverse("accounts:sign_out_everywhere"))
    assert response.status_code == 302
    assert other.get(reverse("cases:dashboard")).url.startswith(LOGIN)
    assert client.get(reverse("cases:dashboard")).url.startswith(LOGIN)
    assert AuditEvent.objects.filter(action="auth.sessions_revoked").exists()


def test_a_password_reset_link_works_once(world: Any, client: Any) -> None:
    client.post(reverse("accounts:password_reset"), {"email": world.vic.email})
    assert len(mail.outbox) == 1
    assert "Courseline" not in mail.outbox[0].subject
    link = re.search(r"https?://[^/]+(/account/password-reset/\S+/)", mail.outbox[0].body)
    assert link is not None
    form_page = client.get(link.group(1), follow=True)
    set_url = form_page.redirect_chain[-1][0]
    new = "a brand new long passphrase 7"
    done = client.post(set_url, {"new_password1": new, "new_password2": new})
    assert done.status_code == 302
    assert login(client, world.vic.email, new).status_code == 302
    client.logout()
    again = client.get(link.group(1), follow=True)
    assert "expired or has been used" in again.content.decode()


def test_a_reset_for_an_unknown_address_looks_the_same(world: Any, client: Any) -> None:
    response = client.post(reverse("accounts:password_reset"), {"email": "nobody@example.org"})
    assert response.status_code == 302
    assert response.url == reverse("accounts:password_reset_done")
    assert mail.outbox == []
