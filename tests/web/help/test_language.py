"""No page mixes languages: until a translation ships, every reader gets English throughout."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("asked", ["cy", "ga", "cy-GB,cy;q=0.9"])
def test_a_browser_asking_for_welsh_or_irish_gets_english_throughout(asked: str) -> None:
    # An empty form makes Django write its own "required" message, which it has in Welsh and
    # Irish; the page around it is English, so that message must be English too.
    response = Client().post(
        reverse("public_photo"), {"action": "check"}, HTTP_ACCEPT_LANGUAGE=asked
    )
    page = response.content.decode()
    assert '<html lang="en-GB"' in page
    assert "This field is required." in page
    assert "Mae angen" not in page and "Tá an réimse seo" not in page
    assert response.headers.get("Content-Language", "en-gb") == "en-gb"
