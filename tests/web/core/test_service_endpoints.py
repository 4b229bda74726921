"""Health check, Exit this page, security headers and refusal of oversize or unknown input."""

from __future__ import annotations

import re
from typing import Any

from django.urls import reverse

from tests.conftest import sign_in


def test_healthz_reports_ok_as_json_and_sets_no_cookie(db: Any, client: Any) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}
    assert not response.cookies
    assert "Set-Cookie" not in response.headers


def test_healthz_sets_no_cookie_even_for_a_signed_in_client(world: Any, client: Any) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    sign_in(client, world.alice)
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/healthz")
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers
    assert len(queries.captured_queries) == 1


def test_pages_carry_strict_security_headers(db: Any, client: Any) -> None:
    response = client.get(reverse("accounts:login"))
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'none'" in csp
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert "geolocation=()" in response.headers["Permissions-Policy"]
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_the_login_page_has_exit_this_page_and_no_inline_script(db: Any, client: Any) -> None:
    html = client.get(reverse("accounts:login")).content.decode()
    assert "govuk-exit-this-page__button" in html
    assert "govuk-js-exit-this-page-skiplink" in html
    assert "<script>" not in html and "onclick" not in html


def test_victim_pages_have_exit_this_page(world: Any, client: Any) -> None:
    sign_in(client, world.vic)
    html = client.get(reverse("portal")).content.decode()
    assert "govuk-exit-this-page__button" in html


def test_exit_ends_the_session_and_goes_to_a_neutral_site(
    world: Any, client: Any, settings: Any
) -> None:
    settings.EXIT_URL = "https://www.example.com/weather"
    sign_in(client, world.vic)
    response = client.get(reverse("exit"))
    assert response.status_code == 302
    assert response.url == "https://www.example.com/weather"
    assert client.get(reverse("portal")).status_code == 302


def test_an_oversize_body_is_refused_with_413_and_changes_nothing(
    world: Any, client: Any, settings: Any
) -> None:
    from courseline.web.cases.models import NoteVersion

    sign_in(client, world.alice)
    url = reverse("cases:note_add", kwargs={"reference": world.case.reference})
    before = NoteVersion.objects.count()
    response = client.post(url, {"body": "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 10)})
    assert response.status_code == 413
    assert "too large" in response.content.decode()
    assert NoteVersion.objects.count() == before


def test_a_case_you_may_not_see_looks_exactly_like_one_that_does_not_exist(
    world: Any, client: Any
) -> None:
    sign_in(client, world.bob)
    hidden = client.get(reverse("cases:detail", kwargs={"reference": world.case.reference}))
    missing = client.get(reverse("cases:detail", kwargs={"reference": "CL-1999-999999"}))
    assert hidden.status_code == missing.status_code == 404

    def normalise(html: bytes, reference: str) -> str:
        text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html.decode())
        return text.replace(reference, "X")

    assert normalise(hidden.content, world.case.reference) == normalise(
        missing.content, "CL-1999-999999"
    )
