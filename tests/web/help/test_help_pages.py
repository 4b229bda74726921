"""Public help pages: every factsheet renders with its sources, search, self-check, law page."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from courseline.law.jurisdictions import all_jurisdictions
from courseline.web.help.factsheets import FactsheetError, all_factsheets, parse_factsheet
from courseline.web.help.search import rebuild_index

SLUGS = [sheet.slug for sheet in all_factsheets()]
REQUIRED = {
    "warning-signs", "key-actions", "keeping-a-diary", "iphone-safety", "android-safety",
    "spyware-on-phones", "spyware-on-computers", "location-in-photos", "account-takeover",
    "social-networks", "covert-trackers", "covering-your-tracks", "reporting-to-the-police",
    "support-services",
}  # fmt: skip
PUBLIC_PAGES = [
    "/help/", "/help/search/?q=tracker", "/help/am-i-being-stalked/", "/help/exit-this-page/",
    "/help/staying-safe-online/", "/help/what-the-law-says/",
    *[f"/help/{slug}/" for slug in SLUGS],
]  # fmt: skip
LOADS = re.compile(r'<(?:script|img|iframe|link)[^>]*(?:src|href)="([^"]+)"|action="([^"]+)"')


def test_every_factsheet_the_issue_lists_exists() -> None:
    assert set(SLUGS) >= REQUIRED


@pytest.mark.parametrize("slug", SLUGS)
def test_each_factsheet_renders_with_its_sources_and_review_date(
    slug: str, client: Any, db: Any
) -> None:
    response = client.get(f"/help/{slug}/")
    html = response.content.decode()
    sheet = next(s for s in all_factsheets() if s.slug == slug)
    assert response.status_code == 200
    assert sheet.meta.sources and sheet.meta.last_reviewed
    assert "Sources" in html and "Last reviewed" in html
    assert "govuk-exit-this-page__button" in html
    assert len(sheet.headings) >= 2  # a contents list
    for related in sheet.meta.related:
        assert related in SLUGS or related == "what-the-law-says", related
    for target in re.findall(r'href="(/help/[^"#?]*)', html):
        assert client.get(target).status_code == 200, f"{slug} links to {target}"


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_public_pages_set_no_cookie_and_load_nothing_from_elsewhere(
    path: str, client: Any, db: Any
) -> None:
    response = client.get(path)
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers and not response.cookies
    for found in LOADS.findall(response.content.decode()):
        url = found[0] or found[1]
        assert url.startswith(("/", "data:")) or url == "", f"{path} loads {url}"


def test_a_factsheet_downloads_as_a_pdf(client: Any, db: Any) -> None:
    response = client.get(reverse("help:factsheet_pdf", kwargs={"slug": "keeping-a-diary"}))
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert "Set-Cookie" not in response.headers


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        ("airtag", "covert-trackers"),
        ("spyware", "spyware-on-phones"),
        ("diary", "keeping-a-diary"),
        ("tracker", "covert-trackers"),
        ("hacked", "account-takeover"),
        ("my email was hacked", "account-takeover"),
        ("snap map", "social-networks"),
        ("garda", "reporting-to-the-police"),
    ],
)
def test_search_finds_factsheets_by_everyday_words(
    words: str, expected: str, client: Any, db: Any
) -> None:
    rebuild_index()
    html = client.get(reverse("help:search"), {"q": words}).content.decode()
    results = re.findall(r'href="/help/([a-z0-9-]+)/"', html.split("found.")[1])
    assert expected in results[:3], (words, results)


def test_search_treats_symbols_as_text(client: Any, db: Any) -> None:
    rebuild_index()
    for query in ['"', "'; DROP TABLE help_fts; --", "NEAR(", "*", "a:*|b"]:
        assert client.get(reverse("help:search"), {"q": query}).status_code == 200


def test_the_self_check_stores_nothing_and_sets_no_cookie(client: Any, db: Any) -> None:
    from courseline.risk.instruments import load_instrument

    instrument = load_instrument("self-check")
    data = dict.fromkeys(instrument.item_keys, "yes")
    with CaptureQueriesContext(connection) as queries:
        response = client.post(reverse("help:self_check"), data)
    html = response.content.decode()
    assert response.status_code == 200 and "999" in html
    assert len(queries.captured_queries) == 0
    assert "Set-Cookie" not in response.headers


def test_the_law_page_matches_the_law_data(client: Any, db: Any) -> None:
    from django.utils.html import escape

    html = client.get(reverse("help:law")).content.decode()
    for jurisdiction in all_jurisdictions():
        assert escape(jurisdiction.name) in html
        for offence in jurisdiction.offences:
            assert escape(offence.title) in html, offence.key
            assert escape(offence.section) in html, offence.key


def test_a_factsheet_without_sources_is_refused_naming_the_file(tmp_path: Path) -> None:
    text = (
        "---\nslug: x-y\ntitle: A title\nsummary: A summary here\naudience: public\n"
        "last_reviewed: 2026-11-28\nsources: []\n---\n## A\nBody\n"
    )
    with pytest.raises(FactsheetError, match="x-y.md: sources"):
        parse_factsheet(text, source_name="x-y.md")
    with pytest.raises(FactsheetError, match="does not match the file name"):
        parse_factsheet(text.replace("sources: []", "sources: [{title: Abc, url: 'https://example.org'}]"),
                        source_name="other.md")  # fmt: skip


def test_the_photo_check_can_be_found_from_the_help_pages(client: Any) -> None:
    target = reverse("public_photo")
    for page in (reverse("help:index"), reverse("help:factsheet", args=["location-in-photos"])):
        assert f'href="{target}"' in client.get(page).content.decode(), page


def test_the_search_box_keeps_no_suggestions_on_the_device(client: Any) -> None:
    # Autofill would offer earlier searches ("spyware") to the next person using the browser.
    page = client.get(reverse("help:index")).content.decode()
    box = page[page.index('id="help-q"') :].split(">", 1)[0]
    assert 'autocomplete="off"' in box
