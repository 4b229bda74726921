"""Helpers for the browser tests: signing in, security codes, and what a page did."""

from __future__ import annotations

from base64 import b32decode
from dataclasses import dataclass, field
from typing import Any

from playwright.sync_api import BrowserContext, ConsoleMessage, Error, Page, Request, expect

from tests.conftest import PASSWORD, sign_in


@dataclass
class BrowserLog:
    """Console errors, uncaught script errors and every request a page made."""

    origin: str
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    documents: set[str] = field(default_factory=set)

    def foreign_requests(self) -> list[str]:
        """Requests to anywhere but the live server (inline ``data:`` URLs are not requests)."""
        return [
            url
            for url in self.requests
            if not (url.startswith(self.origin + "/") or url.startswith("data:"))
        ]

    def script_problems(self) -> list[str]:
        return [*self.console_errors, *self.page_errors]


def watch(page: Page, log: BrowserLog) -> None:
    def on_console(message: ConsoleMessage) -> None:
        if message.type != "error":
            return
        url = message.location.get("url", "")
        if message.text.startswith("Failed to load resource") and url in log.documents:
            return  # a page answered 403, 404 or 429 on purpose; its status is tested itself
        log.console_errors.append(f"{message.text} ({url})")

    def on_page_error(error: Error) -> None:
        log.page_errors.append(f"{error.name}: {error.message}")

    def on_request(request: Request) -> None:
        log.requests.append(request.url)
        if request.resource_type == "document":
            log.documents.add(request.url)

    page.on("console", on_console)
    page.on("pageerror", on_page_error)
    page.on("request", on_request)


def totp_code(key: bytes, *, step: int = 30, t0: int = 0, digits: int = 6) -> str:
    """The code an authenticator app would show right now for ``key``."""
    from django_otp.oath import totp

    return f"{totp(key, step=step, t0=t0, digits=digits):0{digits}d}"


def device_code(device: Any) -> str:
    """The current code of a django-otp TOTPDevice."""
    return totp_code(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)


def key_from_setup_page(shown: str) -> bytes:
    """The key as the setup page shows it: base32 in groups of four, without padding."""
    compact = "".join(shown.split()).upper()
    return b32decode(compact + "=" * (-len(compact) % 8))


def sign_in_with_form(page: Page, email: str, password: str = PASSWORD) -> None:
    """Type an email address and password into the real sign-in page and submit it."""
    page.goto("/account/login/")
    expect(page.get_by_role("heading", name="Sign in", exact=True)).to_be_visible()
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.wait_for_load_state()
    # Django refuses a form whose Origin header is "null" (sent under Referrer-Policy:
    # no-referrer): say so plainly rather than failing later on a missing heading.
    expect(page.get_by_text("CSRF verification failed")).to_have_count(0)


def sign_in_with_cookie(context: BrowserContext, origin: str, user: Any, *, verified: bool) -> None:
    """Skip the forms: a session made by Django's test client, handed to the browser.

    ``verified`` staff have passed their second factor; unverified ones must still do so.
    """
    from django.conf import settings
    from django.test import Client

    client = Client()
    if verified:
        sign_in(client, user)
    else:
        client.force_login(user)
    session_id = client.cookies[settings.SESSION_COOKIE_NAME].value
    context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": session_id, "url": origin}]
    )
