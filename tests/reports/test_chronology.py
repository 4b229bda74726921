"""The chronology: content, escaping, wording, and the PDF's extracted text."""

from __future__ import annotations

import datetime as dt
import io
import re
import time

import pytest
from pypdf import PdfReader

from courseline.law.model import Behaviour, Fear, Impact, IncidentRecord, Place, TimePrecision
from courseline.reports.chart import Series, StackedBars, stacked_bars_svg
from courseline.reports.chronology import (
    ChronologyExhibit,
    ChronologyIncident,
    ChronologyInput,
    ImpactRecord,
    RiskRecord,
    chronology_html,
    chronology_pdf,
)

UTC = dt.UTC


def incident(
    number: int, when: dt.datetime, *behaviours: Behaviour, **extra: object
) -> ChronologyIncident:  # noqa: E501
    return ChronologyIncident(
        reference=f"I-{number}",
        start=when,
        summary=f"Incident number {number} as logged.",
        behaviours=frozenset(behaviours),
        **extra,  # type: ignore[arg-type]
    )


def case(incidents: list[ChronologyIncident], **extra: object) -> ChronologyInput:
    return ChronologyInput(
        case_reference="CL-2026-000042",
        prepared_by="Alice Caseworker",
        prepared_for="Northshire Police, PC 1234",
        prepared_on=dt.date(2026, 3, 1),
        incidents=incidents,
        **extra,  # type: ignore[arg-type]
    )


def sample() -> ChronologyInput:
    incidents = [
        incident(1, dt.datetime(2025, 11, 3, 21, 40, tzinfo=UTC), Behaviour.CONTACTING,
                 exhibits=("AB/1", "AB/2")),
        incident(2, dt.datetime(2025, 12, 24, 8, 5, tzinfo=UTC), Behaviour.LOITERING,
                 Behaviour.FOLLOWING, place=Place.HOME, fear_of_violence=Fear.YES,
                 precision=TimePrecision.APPROXIMATE),
        incident(3, dt.datetime(2026, 1, 10, 18, 0, tzinfo=UTC), Behaviour.THREATS_VIOLENCE,
                 precision=TimePrecision.RANGE, end=dt.datetime(2026, 1, 10, 20, 0, tzinfo=UTC),
                 exhibits=("AB/3",), reported_to_police=True),
    ]  # fmt: skip
    exhibits = [
        ChronologyExhibit(f"AB/{n}", f"screenshot-{n}.png", f"{n:064x}", 1000 * n,
                          dt.datetime(2026, 1, 11, 9, 0, tzinfo=UTC), "victim upload", ("I-1",))
        for n in (1, 2, 3)
    ]  # fmt: skip
    risk = [RiskRecord(dt.date(2025, 11, 5), "DASH risk checklist", "high", "Alice Caseworker")]
    impacts = [ImpactRecord(dt.date(2025, 12, 28), frozenset({Impact.SECURITY, Impact.WORK}),
                            "Fitted a doorbell camera", "I-2")]  # fmt: skip
    return case(incidents, exhibits=exhibits, risk_history=risk, impacts=impacts)


def test_the_html_holds_every_section() -> None:
    html = chronology_html(sample())
    for heading in [
        "Chronology of incidents and evidence",
        "Summary of the course of conduct",
        "Incidents in time order",
        "Exhibits",
        "Risk history",
        "Effects on daily life",
        "How this bundle was produced and how to verify it",
    ]:
        assert heading in html
    assert "courseline evidence verify bundle.zip" in html
    assert "sha256sum -c manifest.sha256" in html
    assert "<svg" in html and "Incidents per month, by behaviour" in html


def test_times_are_local_and_precision_is_shown() -> None:
    html = chronology_html(sample())
    assert "Mon 3 Nov 2025, 21:40 GMT" in html
    assert "about Wed 24 Dec 2025, 08:05 GMT (approximate time)" in html
    assert "between Sat 10 Jan 2026, 18:00 GMT and Sat 10 Jan 2026, 20:00 GMT" in html
    summer = case([incident(1, dt.datetime(2025, 7, 1, 12, 0, tzinfo=UTC))])
    assert "Tue 1 Jul 2025, 13:00 BST" in chronology_html(summer)


def test_everything_from_the_case_is_escaped() -> None:
    hostile = "<script>alert(1)</script><img src=http://evil.example/x>"
    data = case(
        [ChronologyIncident("I-<1>", dt.datetime(2026, 1, 1, tzinfo=UTC), hostile,
                            channel=hostile, exhibits=(hostile,))],
        exhibits=[ChronologyExhibit(hostile, hostile, "0" * 64, 1,
                                    dt.datetime(2026, 1, 1, tzinfo=UTC), hostile, (hostile,))],
        risk_history=[RiskRecord(dt.date(2026, 1, 1), hostile, hostile, hostile, hostile)],
        impacts=[ImpactRecord(dt.date(2026, 1, 1), frozenset({Impact.HOME}), hostile, hostile)],
        organisation=hostile,
    )  # fmt: skip
    html = chronology_html(data)
    assert "<script" not in html and "<img" not in html
    assert "&lt;script&gt;" in html
    chronology_pdf(data)  # renders without fetching anything


def test_the_wording_never_overclaims() -> None:
    html = chronology_html(sample()).lower()
    assert "admissib" not in html
    assert "certain" not in html
    assert "professional judgement" in html


def test_the_summary_counts_behaviours_and_months() -> None:
    html = chronology_html(sample())
    assert "3 incidents are logged between 3 Nov 2025 and 10 Jan 2026" in html
    assert "(68 days, 3 calendar months)" in html
    assert re.search(r"Threats or violence</td><td class='num'>1</td>", html)


def test_an_empty_case_still_renders() -> None:
    html = chronology_html(case([]))
    assert "No incidents are logged." in html
    assert "No risk assessments are recorded" in html


def test_incident_records_from_the_analysis_map_across() -> None:
    record = IncidentRecord(
        id="7", start=dt.datetime(2026, 2, 2, 10, tzinfo=UTC), text="Waited outside work",
        behaviours=frozenset({Behaviour.LOITERING}), place=Place.WORK,
        location="12 Secret Street",
    )  # fmt: skip
    mapped = ChronologyIncident.from_record(record, reference="I-7", exhibits=["AB/9"])
    html = chronology_html(case([mapped]))
    assert "Waited outside work" in html and "AB/9" in html
    assert "12 Secret Street" not in html


def test_naive_times_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        ChronologyIncident("I-1", dt.datetime(2026, 1, 1), "x")  # noqa: DTZ001


def test_the_pdf_text_holds_the_incidents_and_exhibit_references() -> None:
    pdf = chronology_pdf(sample())
    assert pdf.startswith(b"%PDF-")
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    for expected in ["CL-2026-000042", "I-1", "I-2", "I-3", "Incident number 2 as logged.",
                     "AB/1", "AB/2", "AB/3", "Alice Caseworker", "Northshire Police",
                     "sha256sum -c manifest.sha256", "Fitted a doorbell"]:  # fmt: skip
        assert expected in text, expected


def test_a_large_case_renders_its_html_quickly() -> None:
    start = dt.datetime(2024, 1, 1, tzinfo=UTC)
    behaviours = list(Behaviour)
    incidents = [
        incident(n, start + dt.timedelta(hours=31 * n), behaviours[n % len(behaviours)],
                 exhibits=(f"AB/{n % 200 + 1}",))
        for n in range(500)
    ]  # fmt: skip
    exhibits = [
        ChronologyExhibit(f"AB/{n}", f"f{n}.jpg", f"{n:064x}", n, start, "victim upload")
        for n in range(1, 201)
    ]
    began = time.perf_counter()
    html = chronology_html(case(incidents, exhibits=exhibits))
    assert time.perf_counter() - began < 5
    assert html.count('class="incident"') == 500


# --- chart -----------------------------------------------------------------------------------


def test_the_chart_draws_one_block_per_nonzero_value_and_escapes_labels() -> None:
    chart = StackedBars(
        title="<t>",
        periods=("Jan", "Feb", "Mar"),
        series=(Series("A & B", (1, 0, 2)), Series("C", (0, 3, 1))),
        totals=(1, 2, 3),
    )
    svg = stacked_bars_svg(chart)
    assert svg.count("<rect") == 4 + 2  # four blocks, two legend swatches
    assert "A &amp; B" in svg and "&lt;t&gt;" in svg


def test_the_chart_refuses_series_of_the_wrong_length() -> None:
    with pytest.raises(ValueError, match="values"):
        stacked_bars_svg(StackedBars("t", ("Jan",), (Series("A", (1, 2)),)))
