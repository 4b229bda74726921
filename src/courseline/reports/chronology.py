"""The case chronology: a self-contained HTML document and its PDF, for an evidence bundle.

The web layer maps its models onto :class:`ChronologyInput` (plain, typed, frozen records) and
calls :func:`chronology_pdf`. The document has a cover (no victim address: none is asked for),
a summary of the course of conduct by behaviour and over time with a chart, every incident
with its exhibits, the exhibit list with hashes, the risk history, the recorded effects on
daily life, and a note on how the bundle was produced and how to check it.

Everything from the case is HTML-escaped. Styles and the chart are inline, so rendering fetches
nothing. The wording describes what was logged; it does not decide what happened, and it does
not say what a court will accept.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from html import escape
from zoneinfo import ZoneInfo

from courseline import __version__
from courseline.law.model import (
    BEHAVIOUR_LABELS,
    IMPACT_LABELS,
    Behaviour,
    Fear,
    Impact,
    IncidentRecord,
    Place,
    TimePrecision,
)
from courseline.reports.chart import Series, StackedBars, stacked_bars_svg
from courseline.reports.pdf import html_to_pdf

NOT_CATEGORISED = "No behaviour recorded yet"

PLACE_LABELS: dict[Place, str] = {
    Place.HOME: "At or near home",
    Place.WORK: "At or near work",
    Place.SCHOOL: "At or near school or college",
    Place.PUBLIC: "In a public place",
    Place.ONLINE: "Online or by phone",
    Place.OTHER: "Somewhere else",
    Place.UNKNOWN: "",
}

FEAR_LABELS: dict[Fear, str] = {
    Fear.YES: "yes, recorded",
    Fear.NO: "no, recorded",
    Fear.UNSURE: "not recorded or unsure",
}


@dataclass(frozen=True, slots=True)
class ChronologyIncident:
    reference: str
    """How the incident is named in this document and in the manifest (e.g. 'I-12')."""
    start: dt.datetime
    summary: str
    behaviours: frozenset[Behaviour] = frozenset()
    precision: TimePrecision = TimePrecision.EXACT
    end: dt.datetime | None = None
    place: Place = Place.UNKNOWN
    channel: str = ""
    exhibits: tuple[str, ...] = ()
    fear_of_violence: Fear = Fear.UNSURE
    reported_to_police: bool = False

    def __post_init__(self) -> None:
        if self.start.tzinfo is None or (self.end is not None and self.end.tzinfo is None):
            raise ValueError("incident times must be timezone-aware")

    @classmethod
    def from_record(
        cls, record: IncidentRecord, *, reference: str, exhibits: Sequence[str] = ()
    ) -> ChronologyIncident:
        """From the course-of-conduct analysis record (its free-text location is left out)."""
        return cls(
            reference=reference,
            start=record.start,
            summary=record.text,
            behaviours=record.behaviours,
            precision=record.precision,
            end=record.end,
            place=record.place,
            channel=record.channel,
            exhibits=tuple(exhibits),
            fear_of_violence=record.fear_of_violence,
            reported_to_police=record.reported_to_police,
        )


@dataclass(frozen=True, slots=True)
class ChronologyExhibit:
    reference: str
    filename: str
    sha256: str
    size: int
    received_at: dt.datetime
    source: str
    incidents: tuple[str, ...] = ()
    file_in_bundle: str = ""


@dataclass(frozen=True, slots=True)
class RiskRecord:
    assessed_on: dt.date
    instrument: str
    result_band: str
    assessed_by: str
    note: str = ""


@dataclass(frozen=True, slots=True)
class ImpactRecord:
    recorded_on: dt.date
    impacts: frozenset[Impact]
    note: str = ""
    incident_reference: str = ""


@dataclass(frozen=True, slots=True)
class ChronologyInput:
    case_reference: str
    prepared_by: str
    prepared_for: str
    prepared_on: dt.date
    incidents: Sequence[ChronologyIncident]
    exhibits: Sequence[ChronologyExhibit] = ()
    risk_history: Sequence[RiskRecord] = ()
    impacts: Sequence[ImpactRecord] = ()
    organisation: str = ""
    timezone: str = "Europe/London"
    copies: str = "originals"
    """What the bundle's evidence files are: 'originals' or 'location-stripped copies'."""
    generator: str = field(default=f"Courseline {__version__}")


STYLE = """
@page { size: A4; margin: 18mm 16mm 20mm;
  @bottom-left { content: string(caseref); font: 8pt "DejaVu Sans", sans-serif; color: #505a5f; }
  @bottom-right { content: "Page " counter(page) " of " counter(pages);
    font: 8pt "DejaVu Sans", sans-serif; color: #505a5f; } }
body { font-family: "DejaVu Sans", "Liberation Sans", sans-serif; font-size: 9.5pt;
  line-height: 1.35; color: #0b0c0c; }
.caseref { string-set: caseref content(); }
h1 { font-size: 20pt; margin: 0 0 6mm; } h2 { font-size: 13pt; margin: 8mm 0 3mm;
  break-after: avoid; border-bottom: 1px solid #b1b4b6; padding-bottom: 1mm; }
h3 { font-size: 10.5pt; margin: 0 0 1mm; break-after: avoid; }
.cover { break-after: page; } .cover dl { font-size: 11pt; }
dl { display: grid; } dt { font-weight: bold; margin-top: 2mm; } dd { margin: 0; }
.note { color: #505a5f; font-size: 8.5pt; }
table { border-collapse: collapse; width: 100%; margin: 2mm 0 4mm; }
th, td { text-align: left; vertical-align: top; padding: 1mm 1.5mm;
  border-bottom: 1px solid #d0d0d0; }
th { font-size: 8.5pt; } td.num, th.num { text-align: right; } .nowrap { white-space: nowrap; }
.hash { font-family: "DejaVu Sans Mono", monospace; font-size: 6.5pt; word-break: break-all; }
.incident { break-inside: avoid; border-left: 3px solid #1d70b8; padding: 1mm 0 1mm 3mm;
  margin: 0 0 3mm; }
.incident p { margin: 1mm 0; white-space: pre-wrap; }
.meta { font-size: 8.5pt; color: #383f43; }
.section { break-before: page; }
"""


def _zone(data: ChronologyInput) -> ZoneInfo:
    return ZoneInfo(data.timezone)


def _when(moment: dt.datetime, zone: ZoneInfo) -> str:
    local = moment.astimezone(zone)
    return f"{local:%a} {local.day} {local:%b %Y, %H:%M} {local.tzname() or ''}".rstrip()


def _day(day: dt.date) -> str:
    return f"{day.day} {day:%b %Y}"


def _incident_time(incident: ChronologyIncident, zone: ZoneInfo) -> str:
    if incident.precision is TimePrecision.RANGE and incident.end is not None:
        return f"between {_when(incident.start, zone)} and {_when(incident.end, zone)}"
    if incident.precision is TimePrecision.APPROXIMATE:
        return f"about {_when(incident.start, zone)} (approximate time)"
    return _when(incident.start, zone)


def _behaviour_keys(incident: ChronologyIncident) -> list[str]:
    if not incident.behaviours:
        return [NOT_CATEGORISED]
    return [BEHAVIOUR_LABELS[b] for b in sorted(incident.behaviours, key=_behaviour_order)]


def _behaviour_order(behaviour: Behaviour) -> int:
    return list(Behaviour).index(behaviour)


def _months(first: dt.date, last: dt.date) -> list[tuple[int, int]]:
    months = []
    year, month = first.year, first.month
    while (year, month) <= (last.year, last.month):
        months.append((year, month))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


# --- sections --------------------------------------------------------------------------------


def _cover(data: ChronologyInput) -> str:
    rows = [
        ("Case reference", data.case_reference),
        ("Prepared by", data.prepared_by),
        ("Prepared for", data.prepared_for),
        ("Date prepared", _day(data.prepared_on)),
    ]
    if data.organisation:
        rows.insert(2, ("Organisation", data.organisation))
    items = "".join(f"<dt>{escape(k)}</dt><dd>{escape(v)}</dd>" for k, v in rows)
    return (
        '<section class="cover">'
        f'<p class="caseref">{escape(data.case_reference)}</p>'
        "<h1>Chronology of incidents and evidence</h1>"
        f"<dl>{items}</dl>"
        "<p>This chronology sets out what was logged on the case record: the incidents in time "
        "order, the evidence received for each, the risk assessments made and the recorded "
        "effects on daily life. It is a summary of records, prepared to help the police and "
        "prosecutors see the whole course of conduct. It does not decide what happened, and "
        "incidents that were never logged are not in it.</p>"
        f'<p class="note">Times are shown in {escape(data.timezone)} local time. Evidence '
        f"files in the bundle: {escape(data.copies)}. Made with {escape(data.generator)}.</p>"
        "</section>"
    )


def _summary(data: ChronologyInput, zone: ZoneInfo) -> str:
    incidents = sorted(data.incidents, key=lambda i: (i.start, i.reference))
    if not incidents:
        return "<section><h2>Summary of the course of conduct</h2><p>No incidents are logged.</p></section>"  # noqa: E501
    dates = [i.start.astimezone(zone).date() for i in incidents]
    first, last = dates[0], dates[-1]
    by_behaviour: dict[str, list[dt.date]] = {}
    for incident, day in zip(incidents, dates, strict=True):
        for label in _behaviour_keys(incident):
            by_behaviour.setdefault(label, []).append(day)
    order = [BEHAVIOUR_LABELS[b] for b in Behaviour] + [NOT_CATEGORISED]
    rows = "".join(
        f"<tr><td>{escape(label)}</td><td class='num'>{len(days)}</td>"
        f"<td>{_day(min(days))}</td><td>{_day(max(days))}</td></tr>"
        for label in order
        if (days := by_behaviour.get(label))
    )
    months = _months(first, last)
    per_month = Counter((d.year, d.month) for d in dates)
    busiest = max(months, key=lambda m: (per_month[m], m))
    span = (last - first).days
    text = (
        f"<p>{len(incidents)} incident{'s' if len(incidents) != 1 else ''} are logged between "
        f"{_day(first)} and {_day(last)} ({span} day{'s' if span != 1 else ''}, "
        f"{len(months)} calendar month{'s' if len(months) != 1 else ''}). The month with the "
        f"most incidents was {dt.date(*busiest, 1):%B %Y} ({per_month[busiest]}).</p>"
    )
    return (
        "<section><h2>Summary of the course of conduct</h2>"
        f"{text}"
        "<h3>By behaviour</h3>"
        '<table><thead><tr><th>Behaviour</th><th class="num">Incidents</th>'
        "<th>First</th><th>Most recent</th></tr></thead>"
        f"<tbody>{rows}</tbody></table>"
        '<p class="note">An incident with several behaviours is counted under each of them. '
        "Behaviours are the ones a person confirmed on the record.</p>"
        "<h3>Over time</h3>"
        f"{_chart(incidents, dates, months, by_behaviour, order)}"
        '<p class="note">Each bar is a calendar month; its coloured blocks count the behaviours '
        "recorded that month, and the number above it is the number of incidents.</p>"
        f"{_month_table(months, per_month)}"
        "</section>"
    )


def _chart(
    incidents: list[ChronologyIncident],
    dates: list[dt.date],
    months: list[tuple[int, int]],
    by_behaviour: dict[str, list[dt.date]],
    order: list[str],
) -> str:
    index = {month: n for n, month in enumerate(months)}
    series = []
    for label in order:
        days = by_behaviour.get(label)
        if not days:
            continue
        values = [0] * len(months)
        for day in days:
            values[index[(day.year, day.month)]] += 1
        series.append(Series(label, tuple(values)))
    totals = [0] * len(months)
    for day in dates:
        totals[index[(day.year, day.month)]] += 1
    chart = StackedBars(
        title="Incidents per month, by behaviour",
        periods=tuple(f"{dt.date(y, m, 1):%b %y}" for y, m in months),
        series=tuple(series),
        totals=tuple(totals),
        y_label="Behaviours recorded",
    )
    return stacked_bars_svg(chart)


def _month_table(months: list[tuple[int, int]], per_month: Counter[tuple[int, int]]) -> str:
    cells = "".join(
        f"<tr><td>{dt.date(y, m, 1):%B %Y}</td><td class='num'>{per_month[(y, m)]}</td></tr>"
        for y, m in months
    )
    return (
        '<table style="width: auto"><thead><tr><th>Month</th><th class="num">Incidents</th>'
        f"</tr></thead><tbody>{cells}</tbody></table>"
    )


def _incident(incident: ChronologyIncident, zone: ZoneInfo) -> str:
    facts = [f"Behaviours: {escape(', '.join(_behaviour_keys(incident)))}"]
    if place := PLACE_LABELS[incident.place]:
        facts.append(f"Where: {escape(place)}")
    if incident.channel:
        facts.append(f"How: {escape(incident.channel)}")
    facts.append(f"Feared violence: {FEAR_LABELS[incident.fear_of_violence]}")
    if incident.reported_to_police:
        facts.append("Reported to the police")
    exhibits = ", ".join(incident.exhibits) if incident.exhibits else "none linked"
    facts.append(f"Exhibits: {escape(exhibits)}")
    return (
        '<div class="incident">'
        f"<h3>{escape(incident.reference)}: {escape(_incident_time(incident, zone))}</h3>"
        f"<p>{escape(incident.summary)}</p>"
        f'<div class="meta">{" · ".join(facts)}</div>'
        "</div>"
    )


def _incidents(data: ChronologyInput, zone: ZoneInfo) -> str:
    incidents = sorted(data.incidents, key=lambda i: (i.start, i.reference))
    body = "".join(_incident(i, zone) for i in incidents) or "<p>No incidents are logged.</p>"
    return (
        '<section class="section"><h2>Incidents in time order</h2>'
        '<p class="note">Each entry is as logged on the case record. Approximate times and time '
        "ranges are marked; they are placed in order by their earliest time.</p>"
        f"{body}</section>"
    )


def _exhibits(data: ChronologyInput) -> str:
    if not data.exhibits:
        return "<section><h2>Exhibits</h2><p>No exhibits are in this bundle.</p></section>"
    rows = "".join(
        f'<tr><td class="nowrap">{escape(e.reference)}</td><td>{escape(e.filename)}'
        + (f'<br><span class="note">{escape(e.file_in_bundle)}</span>' if e.file_in_bundle else "")
        + f"</td><td class='num'>{e.size:,}</td>"
        f"<td>{escape(e.received_at.astimezone(dt.UTC).strftime('%Y-%m-%d %H:%M UTC'))}</td>"
        f"<td>{escape(e.source)}</td><td>{escape(', '.join(e.incidents))}</td>"
        f'<td class="hash">{escape(e.sha256)}</td></tr>'
        for e in data.exhibits
    )
    return (
        '<section class="section"><h2>Exhibits</h2>'
        "<table><thead><tr><th>Exhibit</th><th>File</th><th class='num'>Bytes</th>"
        "<th>Received</th><th>Source</th><th>Incidents</th><th>SHA-256</th></tr></thead>"
        f"<tbody>{rows}</tbody></table></section>"
    )


def _risk(data: ChronologyInput) -> str:
    if not data.risk_history:
        body = "<p>No risk assessments are recorded on the case.</p>"
    else:
        rows = "".join(
            f'<tr><td class="nowrap">{_day(r.assessed_on)}</td><td>{escape(r.instrument)}</td>'
            f"<td>{escape(r.result_band)}</td><td>{escape(r.assessed_by)}</td>"
            f"<td>{escape(r.note)}</td></tr>"
            for r in sorted(data.risk_history, key=lambda r: r.assessed_on)
        )
        body = (
            "<table><thead><tr><th>Date</th><th>Tool</th><th>Result</th><th>By</th>"
            f"<th>Note</th></tr></thead><tbody>{rows}</tbody></table>"
        )
    return (
        "<section><h2>Risk history</h2>"
        f"{body}"
        '<p class="note">Each result is the professional judgement of the person named, '
        "supported by a structured tool. It is not a prediction: risk can change quickly, and a "
        "lower result does not mean the person is safe.</p></section>"
    )


def _impact(data: ChronologyInput) -> str:
    if not data.impacts:
        return (
            "<section><h2>Effects on daily life</h2><p>No effects on daily life are recorded. "
            "That does not mean there were none.</p></section>"
        )
    counts: Counter[Impact] = Counter()
    for record in data.impacts:
        counts.update(record.impacts)
    summary = "".join(
        f"<tr><td>{escape(IMPACT_LABELS[impact])}</td><td class='num'>{counts[impact]}</td></tr>"
        for impact in Impact
        if counts[impact]
    )
    entries = "".join(
        f'<tr><td class="nowrap">{_day(r.recorded_on)}</td>'
        f"<td>{escape(', '.join(IMPACT_LABELS[i] for i in Impact if i in r.impacts))}</td>"
        f"<td>{escape(r.note)}</td><td>{escape(r.incident_reference)}</td></tr>"
        for r in sorted(data.impacts, key=lambda r: r.recorded_on)
    )
    return (
        "<section><h2>Effects on daily life</h2>"
        '<table style="width: auto"><thead><tr><th>Effect</th><th class="num">Times recorded'
        f"</th></tr></thead><tbody>{summary}</tbody></table>"
        "<table><thead><tr><th>Date</th><th>Effects</th><th>Note</th><th>Incident</th></tr>"
        f"</thead><tbody>{entries}</tbody></table>"
        '<p class="note">These are the changes recorded on the case, with their dates. Whether '
        "they amount to a substantial adverse effect is for the police, prosecutors and, in the "
        "end, the court. This is a factual record, not a victim personal statement.</p>"
        "</section>"
    )


def _method(data: ChronologyInput) -> str:
    return (
        '<section class="section"><h2>How this bundle was produced and how to verify it</h2>'
        f"<p>Made with {escape(data.generator)} on {_day(data.prepared_on)} by "
        f"{escape(data.prepared_by)}.</p>"
        "<h3>On arrival</h3>"
        "<p>Each file was stored byte for byte as it was received. Its SHA-256 hash was "
        "worked out by the server while the file arrived, and recorded with the time received "
        "(UTC), the account that added it and its source. Files are kept encrypted; views, "
        "downloads, exports and shares are recorded in an append-only, hash-chained custody "
        "log.</p>"
        "<h3>In the bundle</h3>"
        f"<p>The evidence folder holds the files ({escape(data.copies)}), each named after its "
        "exhibit reference. While the bundle was written, every file was hashed again and "
        "compared with the hash recorded on arrival; the bundle is only produced when all of "
        "them match. manifest.json and manifest.csv list every file with its hash, size, time "
        "received, source and linked incidents. manifest.sha256 holds the hash of "
        "manifest.json and of every other file.</p>"
        "<h3>To check it</h3>"
        "<p>With Courseline: <code>courseline evidence verify bundle.zip</code> recomputes "
        "every hash and lists every file that was changed, is missing or was added. Without "
        "it: unzip the bundle and, in that folder, run <code>sha256sum -c manifest.sha256"
        "</code> (on Windows, <code>Get-FileHash</code> in PowerShell gives the same "
        "hashes).</p>"
        "<p>Compare the hash of manifest.json with the one sent with the bundle. If they are "
        "the same and every file matches, the files are the ones listed when the bundle was "
        "made.</p>"
        "<h3>What this shows and what it does not</h3>"
        "<p>Matching hashes show that a file has not changed since it was received. They do "
        "not show who made the file, when its content was created, or that what it shows is "
        "true: a screenshot can be edited before it is uploaded. Whether material can be used "
        "in proceedings is for the police, prosecutors and the court.</p>"
        "</section>"
    )


def chronology_html(data: ChronologyInput) -> str:
    """The chronology as one self-contained HTML document (inline CSS and SVG)."""
    zone = _zone(data)
    body = "".join(
        [
            _cover(data),
            _summary(data, zone),
            _incidents(data, zone),
            _exhibits(data),
            _risk(data),
            _impact(data),
            _method(data),
        ]
    )
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        f"<title>Chronology {escape(data.case_reference)}</title>"
        f"<style>{STYLE}</style></head><body>{body}</body></html>"
    )


def chronology_pdf(data: ChronologyInput) -> bytes:
    """The chronology rendered to PDF with WeasyPrint (nothing is fetched)."""
    return html_to_pdf(chronology_html(data))
