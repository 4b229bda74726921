"""Upload pages check who is asking before they read the body (which can be up to 2 GiB)."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpRequest
from django.test import Client
from django.urls import reverse

from tests.conftest import sign_in

pytestmark = pytest.mark.django_db

PAGES = ("toolkit:photos", "toolkit:devices")


@pytest.fixture
def body_reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Paths of the requests whose body Django parsed."""
    reads: list[str] = []
    original = HttpRequest._load_post_and_files

    def load(request: HttpRequest) -> None:
        reads.append(request.path)
        original(request)

    monkeypatch.setattr(HttpRequest, "_load_post_and_files", load)
    return reads


def _post(client: Client, url: str) -> Any:
    # A token of the caller's own choosing: the CSRF check alone would let this body be read.
    client.cookies["cl_csrf"] = "a" * 32
    upload = SimpleUploadedFile("big.bin", b"x" * 4096)
    return client.post(url, {"csrfmiddlewaretoken": "a" * 32, "photos": upload, "file": upload})


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("who", [None, "outsider", "bob"])
def test_the_body_is_not_read_for_someone_who_may_not_add_to_the_case(
    world: Any, body_reads: list[str], page: str, who: str | None
) -> None:
    client = Client(enforce_csrf_checks=True)
    if who is not None:
        sign_in(client, getattr(world, who))
    response = _post(client, reverse(page, kwargs={"reference": world.case.reference}))
    assert response.status_code in (302, 403, 404)
    assert body_reads == []


@pytest.mark.parametrize("page", PAGES)
def test_the_assigned_caseworker_still_needs_a_valid_csrf_token(
    world: Any, body_reads: list[str], page: str
) -> None:
    client = Client(enforce_csrf_checks=True)
    sign_in(client, world.alice)
    url = reverse(page, kwargs={"reference": world.case.reference})
    client.cookies["cl_csrf"] = "a" * 32
    upload = SimpleUploadedFile("a.jpg", b"x")
    refused = client.post(url, {"photos": upload, "file": upload})
    assert refused.status_code == 403  # a cookie but no token in the form: refused
    assert body_reads == [url]  # read by the CSRF check, which now runs after the case check


def test_too_many_files_at_once_gets_a_plain_message(
    world: Any, client: Client, settings: Any
) -> None:
    settings.DATA_UPLOAD_MAX_NUMBER_FILES = 3
    sign_in(client, world.alice)
    photos = [SimpleUploadedFile(f"p{n}.jpg", b"x") for n in range(4)]
    url = reverse("toolkit:photos", kwargs={"reference": world.case.reference})
    response = client.post(url, {"photos": photos})
    assert response.status_code == 400
    page = " ".join(response.content.decode().split())
    assert "That was more than 3 files at once." in page and "one zip file" in page
