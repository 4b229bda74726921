"""Reading a stalking diary kept in a spreadsheet (CSV or XLSX) into incident records.

Import is two steps: ``read_table`` turns the file into rows of text (refusing anything
hostile or too large), then ``parse_rows`` applies a column mapping and either returns every
row as a ``DiaryRow`` or reports every bad row by its number with the reason. Nothing is
half-parsed: callers import only when ``errors`` is empty.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from zoneinfo import ZoneInfo

from courseline.law.model import BEHAVIOUR_LABELS, Behaviour, Fear, Impact, Place, TimePrecision

MAX_FILE_BYTES = 2 * 1024 * 1024
MAX_ROWS = 2000
MAX_COLUMNS = 40
MAX_CELL_CHARS = 10_000
MAX_XLSX_UNCOMPRESSED = 40 * 1024 * 1024
MAX_XLSX_RATIO = 100
LONDON = ZoneInfo("Europe/London")


class DiaryError(Exception):
    """The file as a whole cannot be read; the message says why, in plain words."""


class DiaryField(StrEnum):
    """The diary columns Courseline understands. Only date and description are required."""

    DATE = "date"
    TIME = "time"
    END = "end"
    DESCRIPTION = "description"
    BEHAVIOURS = "behaviours"
    LOCATION = "location"
    PLACE = "place"
    CHANNEL = "channel"
    PERPETRATOR = "perpetrator"
    FEAR = "fear"
    IMPACTS = "impacts"
    POLICE_REFERENCE = "police_reference"
    WITNESSES = "witnesses"


REQUIRED_FIELDS = (DiaryField.DATE, DiaryField.DESCRIPTION)

FIELD_LABELS: dict[DiaryField, str] = {
    DiaryField.DATE: "Date (and time) it happened",
    DiaryField.TIME: "Time it happened",
    DiaryField.END: "Latest date and time (for a range)",
    DiaryField.DESCRIPTION: "What happened",
    DiaryField.BEHAVIOURS: "Behaviours",
    DiaryField.LOCATION: "Where",
    DiaryField.PLACE: "Kind of place (home, work, online...)",
    DiaryField.CHANNEL: "Channel, number or account used",
    DiaryField.PERPETRATOR: "Who did it",
    DiaryField.FEAR: "Feared violence (yes/no)",
    DiaryField.IMPACTS: "Effect on daily life",
    DiaryField.POLICE_REFERENCE: "Police reference",
    DiaryField.WITNESSES: "Witnesses",
}

# Header words that suggest a column, for the first guess of the mapping (the user confirms).
_HEADER_HINTS: dict[DiaryField, tuple[str, ...]] = {
    DiaryField.DATE: ("date", "when", "day"),
    DiaryField.TIME: ("time",),
    DiaryField.END: ("end", "until", "to date", "latest"),
    DiaryField.DESCRIPTION: ("what happened", "description", "details", "incident", "what"),
    DiaryField.BEHAVIOURS: ("behaviour", "behavior", "type", "category"),
    DiaryField.LOCATION: ("location", "where", "address"),
    DiaryField.PLACE: ("place",),
    DiaryField.CHANNEL: ("channel", "platform", "number", "account", "method", "how"),
    DiaryField.PERPETRATOR: ("perpetrator", "who", "suspect", "person"),
    DiaryField.FEAR: ("fear", "afraid", "scared"),
    DiaryField.IMPACTS: ("impact", "effect", "affect"),
    DiaryField.POLICE_REFERENCE: ("police", "crime ref", "reference", "ref"),
    DiaryField.WITNESSES: ("witness",),
}


@dataclass(frozen=True, slots=True)
class Table:
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True, slots=True)
class RowError:
    row: int  # the spreadsheet row number, counting the header as row 1
    reason: str


@dataclass(frozen=True, slots=True)
class DiaryRow:
    """One valid diary row, ready to become an incident (behaviours as written, if any)."""

    row: int
    start: dt.datetime
    precision: TimePrecision
    end: dt.datetime | None
    description: str
    behaviours: frozenset[Behaviour]
    location: str = ""
    place: Place = Place.UNKNOWN
    channel: str = ""
    perpetrator: str = ""
    fear: Fear = Fear.UNSURE
    impacts: frozenset[Impact] = field(default_factory=frozenset)
    impact_notes: str = ""
    police_reference: str = ""
    witnesses: str = ""


@dataclass(frozen=True, slots=True)
class ParseResult:
    rows: tuple[DiaryRow, ...]
    errors: tuple[RowError, ...]

    @property
    def ok(self) -> bool:
        return not self.errors


# --- Reading files ------------------------------------------------------------------------------


def read_table(data: bytes, filename: str) -> Table:
    """Read a CSV or XLSX file into text rows, or raise DiaryError with a clear reason."""
    if len(data) > MAX_FILE_BYTES:
        raise DiaryError(f"The file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB")
    if not data.strip():
        raise DiaryError("The file is empty")
    name = filename.lower()
    if name.endswith(".xlsx") or data[:4] == b"PK\x03\x04":
        raw = _read_xlsx(data)
    elif name.endswith((".csv", ".txt")):
        raw = _read_csv(data)
    else:
        raise DiaryError("Choose a CSV or an Excel (.xlsx) file")
    return _to_table(raw)


def _read_csv(data: bytes) -> list[list[str]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    if "\x00" in text:
        raise DiaryError("The file is not a text CSV file")
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(text[:4096], ",;\t")
    except csv.Error:
        dialect = csv.excel
    try:
        return [
            row for row in csv.reader(io.StringIO(text), dialect) if any(c.strip() for c in row)
        ]
    except csv.Error as exc:
        raise DiaryError(f"The CSV file could not be read: {exc}") from None


def _check_zip(data: bytes) -> None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise DiaryError("The Excel file is damaged or not really an .xlsx file") from None
    total = sum(info.file_size for info in infos)
    packed = max(1, sum(info.compress_size for info in infos))
    if total > MAX_XLSX_UNCOMPRESSED or total / packed > MAX_XLSX_RATIO:
        raise DiaryError("The Excel file expands to far more data than a diary: refused")


def _read_xlsx(data: bytes) -> list[list[str]]:
    _check_zip(data)
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many types for malformed files
        raise DiaryError("The Excel file is damaged or not really an .xlsx file") from None
    try:
        sheet = book.worksheets[0]
        rows: list[list[str]] = []
        for values in sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS + 1):
            if len(rows) > MAX_ROWS + 1:
                break
            cells = [_cell_text(value) for value in values]
            while cells and not cells[-1].strip():  # read-only sheets pad rows to max_col
                cells.pop()
            if cells:
                rows.append(cells)
        return rows
    except Exception:
        raise DiaryError("The Excel file could not be read") from None
    finally:
        book.close()


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return (
            value.strftime("%d/%m/%Y %H:%M")
            if value.time() != dt.time()
            else value.strftime("%d/%m/%Y")
        )
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, dt.time):
        return value.strftime("%H:%M")
    return str(value)


def _to_table(raw: list[list[str]]) -> Table:
    if not raw:
        raise DiaryError("The file has no rows")
    if len(raw) - 1 > MAX_ROWS:
        raise DiaryError(f"The file has more than {MAX_ROWS} rows; split it into smaller files")
    width = max(len(row) for row in raw)
    if width > MAX_COLUMNS:
        raise DiaryError(f"The file has more than {MAX_COLUMNS} columns")
    headers = tuple(_clean(cell) or f"Column {i + 1}" for i, cell in enumerate(_pad(raw[0], width)))
    rows = tuple(tuple(_clean(cell) for cell in _pad(row, width)) for row in raw[1:])
    if not rows:
        raise DiaryError("The file has a header row but no entries")
    return Table(headers, rows)


def _pad(row: Sequence[str], width: int) -> list[str]:
    return list(row) + [""] * (width - len(row))


def _clean(cell: str) -> str:
    return cell.strip()[:MAX_CELL_CHARS]


def guess_mapping(headers: Sequence[str]) -> dict[DiaryField, int]:
    """A first guess of which column holds which field, from the header words."""
    mapping: dict[DiaryField, int] = {}
    used: set[int] = set()
    for fld, hints in _HEADER_HINTS.items():
        for index, header in enumerate(headers):
            low = header.lower()
            if index not in used and any(hint in low for hint in hints):
                mapping[fld] = index
                used.add(index)
                break
    return mapping


# --- Parsing rows -------------------------------------------------------------------------------

_DATE_FORMATS = ("%d/%m/%Y", "%d/%m/%y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d", "%d %B %Y", "%d %b %Y")
_TIME_RE = re.compile(r"^(\d{1,2})[:.](\d{2})(?::\d{2})?\s*(am|pm)?$", re.IGNORECASE)
_APPROX_RE = re.compile(r"^(about|around|approx\.?|approximately|c\.|circa|~)\s*", re.IGNORECASE)


def parse_date(text: str) -> dt.date | None:
    """A date written the UK way (day first), or ISO. None if it is not a real date."""
    cleaned = re.sub(r"(\d)(st|nd|rd|th)\b", r"\1", text.strip(), flags=re.IGNORECASE)
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(cleaned, fmt).replace(tzinfo=LONDON).date()
        except ValueError:
            continue
    return None


def parse_time(text: str) -> dt.time | None:
    match = _TIME_RE.match(text.strip())
    if not match:
        return None
    hour, minute, half = int(match.group(1)), int(match.group(2)), (match.group(3) or "").lower()
    if half:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if half == "pm" else 0)
    if hour > 23 or minute > 59:
        return None
    return dt.time(hour, minute)


def parse_when(text: str, time_text: str = "") -> tuple[dt.datetime, bool] | None:
    """Date (with optional time in the same cell or a separate one) → (aware datetime, exact)."""
    value = text.strip()
    approximate = bool(_APPROX_RE.match(value))
    value = _APPROX_RE.sub("", value)
    date_part, _, rest = value.partition(" ")
    date = parse_date(value) or parse_date(date_part)
    time_source = time_text.strip() or (rest.strip() if parse_date(date_part) else "")
    if date is None:
        return None
    if time_source:
        time = parse_time(_APPROX_RE.sub("", time_source))
        if time is None:
            return None
        approximate = approximate or bool(_APPROX_RE.match(time_source))
    else:
        time, approximate = dt.time(12, 0), True
    return dt.datetime.combine(date, time, tzinfo=LONDON), not approximate


_BEHAVIOUR_WORDS: dict[str, Behaviour] = {key.value: key for key in Behaviour}
_BEHAVIOUR_WORDS.update({label.lower(): key for key, label in BEHAVIOUR_LABELS.items()})
_FEAR_WORDS = {
    "yes": Fear.YES, "y": Fear.YES, "true": Fear.YES,
    "no": Fear.NO, "n": Fear.NO, "false": Fear.NO,
    "unsure": Fear.UNSURE, "not sure": Fear.UNSURE, "don't know": Fear.UNSURE, "": Fear.UNSURE,
}  # fmt: skip


def _split(text: str) -> list[str]:
    return [part.strip().lower() for part in re.split(r"[;,\n]", text) if part.strip()]


def _row_value(row: Sequence[str], mapping: Mapping[DiaryField, int], fld: DiaryField) -> str:
    index = mapping.get(fld)
    return row[index] if index is not None and index < len(row) else ""


def _parse_behaviours(text: str) -> frozenset[Behaviour]:
    behaviours = set()
    for word in _split(text):
        key = _BEHAVIOUR_WORDS.get(word) or _BEHAVIOUR_WORDS.get(word.replace(" ", "_"))
        if key is None:
            raise ValueError(f"{word!r} is not a behaviour Courseline knows")
        behaviours.add(key)
    return frozenset(behaviours)


def _parse_impacts(text: str) -> tuple[frozenset[Impact], str]:
    """Known impact keys become structured; anything else is kept as words."""
    known = {impact.value for impact in Impact}
    words = _split(text)
    impacts = frozenset(Impact(word) for word in words if word in known)
    return impacts, "; ".join(word for word in words if word not in known)


def _parse_row(number: int, row: Sequence[str], mapping: Mapping[DiaryField, int]) -> DiaryRow:
    def value(fld: DiaryField) -> str:
        return _row_value(row, mapping, fld)

    description = value(DiaryField.DESCRIPTION)
    if not description:
        raise ValueError("'What happened' is empty")
    when = parse_when(value(DiaryField.DATE), value(DiaryField.TIME))
    if when is None:
        raise ValueError(
            f"the date {value(DiaryField.DATE)!r} {value(DiaryField.TIME)!r} is not a real date "
            "(write it day first, for example 27/03/2026 or 27/03/2026 18:30)".replace(" ''", "")
        )
    start, exact = when
    end: dt.datetime | None = None
    precision = TimePrecision.EXACT if exact else TimePrecision.APPROXIMATE
    if value(DiaryField.END):
        parsed_end = parse_when(value(DiaryField.END))
        if parsed_end is None or parsed_end[0] < start:
            raise ValueError(
                f"the end {value(DiaryField.END)!r} is not a real date after the start"
            )
        end, precision = parsed_end[0], TimePrecision.RANGE
    behaviours = _parse_behaviours(value(DiaryField.BEHAVIOURS))
    fear_text = value(DiaryField.FEAR).lower()
    if fear_text not in _FEAR_WORDS:
        raise ValueError(f"feared violence must be yes, no or unsure, not {fear_text!r}")
    place_text = value(DiaryField.PLACE).lower() or "unknown"
    if place_text not in {p.value for p in Place}:
        raise ValueError(f"the kind of place {place_text!r} is not one of {', '.join(Place)}")
    impacts, notes = _parse_impacts(value(DiaryField.IMPACTS))
    return DiaryRow(
        row=number,
        start=start,
        precision=precision,
        end=end,
        description=description,
        behaviours=behaviours,
        location=value(DiaryField.LOCATION),
        place=Place(place_text),
        channel=value(DiaryField.CHANNEL),
        perpetrator=value(DiaryField.PERPETRATOR),
        fear=_FEAR_WORDS[fear_text],
        impacts=impacts,
        impact_notes=notes,
        police_reference=value(DiaryField.POLICE_REFERENCE),
        witnesses=value(DiaryField.WITNESSES),
    )


def parse_rows(table: Table, mapping: Mapping[DiaryField, int]) -> ParseResult:
    """Every row parsed, or every bad row reported by its number (header = row 1)."""
    missing = [FIELD_LABELS[f] for f in REQUIRED_FIELDS if f not in mapping]
    if missing:
        return ParseResult((), (RowError(1, "Choose a column for: " + ", ".join(missing)),))
    rows: list[DiaryRow] = []
    errors: list[RowError] = []
    for offset, row in enumerate(table.rows):
        number = offset + 2
        try:
            rows.append(_parse_row(number, row, mapping))
        except ValueError as exc:
            errors.append(RowError(number, str(exc)))
    return ParseResult(tuple(rows), tuple(errors))
