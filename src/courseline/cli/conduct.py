"""`courseline conduct …`: behaviour suggestions and course-of-conduct analysis offline."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import sys
from enum import Enum, StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape

conduct_app = typer.Typer(
    help="The stalking diary: suggest behaviours, analyse a course of conduct.",
    no_args_is_help=True,
)
# Diary rows (who, what, where), file names and the reasons quoting them are printed with
# markup=False or escape(): never read as Rich markup, emoji codes left as they are.
out = Console(soft_wrap=True, emoji=False)
err = Console(stderr=True, emoji=False)


@conduct_app.command("suggest")
def suggest_command(
    text: Annotated[str | None, typer.Argument(help="An incident description.")] = None,
    file: Annotated[
        Path | None,
        typer.Option("--file", help="JSON lines, each with a 'text' field; '-' reads stdin."),
    ] = None,
) -> None:
    """Suggest behaviour keys for descriptions (one JSON line out per description, in order)."""
    from courseline.law.conduct import suggest

    if (text is None) == (file is None):
        err.print("Give either a TEXT or --file, not both.")
        raise typer.Exit(2)
    stream = sys.stdin if file == Path("-") else None
    lines = [json.dumps({"text": text})] if text is not None else None
    if lines is None:
        try:
            handle = stream or (file.open(encoding="utf-8") if file else sys.stdin)
        except OSError as exc:
            err.print(f"Cannot read {file}: {exc.strerror}", markup=False)
            raise typer.Exit(2) from None
        lines = list(handle)
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            description = item["text"]
            if not isinstance(description, str):
                raise TypeError
        except (json.JSONDecodeError, KeyError, TypeError):
            err.print(f"Line {number}: not a JSON object with a 'text' string")
            raise typer.Exit(2) from None
        suggestions = suggest(description)
        result = {
            "behaviours": [s.behaviour.value for s in suggestions],
            "scores": {s.behaviour.value: round(s.score, 3) for s in suggestions},
            "triggers": {s.behaviour.value: list(s.triggers) for s in suggestions},
        }
        sys.stdout.write(json.dumps(result, ensure_ascii=False) + "\n")


class OutputFormat(StrEnum):
    TEXT = "text"
    JSON = "json"


def _jsonable(value: Any) -> Any:
    """Analysis dataclasses as JSON: enums as values, dates as ISO, law objects by key."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            f.name: _jsonable(getattr(value, f.name))
            for f in dataclasses.fields(value)
            if f.name not in ("jurisdiction", "offence")
        }
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, tuple | list | frozenset | set):
        return [_jsonable(item) for item in value]
    if hasattr(value, "model_dump"):  # pydantic law data (sources, information items)
        return value.model_dump(mode="json")
    return value


def _text_report(result: Any) -> None:
    out.print(f"[bold]Course of conduct under the law of {escape(result.jurisdiction_name)}[/]")
    out.print(result.disclaimer, highlight=False, markup=False)
    for group in result.perpetrators:
        course = group.course
        out.print(
            # The label names the person as written in the diary's "who" column.
            f"\n[bold]{escape(group.label)}[/]: {course.occasions} occasion(s), "
            f"{course.first} to {course.last} ({course.span_days} days)",
            highlight=False,
        )
        for signal in group.escalation:
            out.print(
                f"  escalation: {signal.title}: {signal.reason}", highlight=False, markup=False
            )
        for offence in group.offences:
            met = "met" if offence.course_of_conduct_met else "not met"
            out.print(
                f"  {offence.title} ({offence.section}), confidence {offence.confidence}: "
                f"course-of-conduct rule {met}; overall {offence.overall}",
                highlight=False,
                markup=False,
            )
            for element in offence.elements:
                ids = ", ".join(element.incident_ids) or "-"
                # markup=False also keeps "[incidents: …]", which Rich took for a tag and dropped.
                out.print(
                    f"    - {element.status}: {element.test} [incidents: {ids}]",
                    highlight=False,
                    markup=False,
                )
        for limit in group.time_limits:
            if limit.status != "none":
                out.print(
                    f"  time limit {limit.status}: {limit.message}", highlight=False, markup=False
                )
        for indicator in group.four:
            out.print(
                f"  FOUR {indicator.label}: {indicator.status}", highlight=False, markup=False
            )


@conduct_app.command("analyse")
def analyse_command(
    diary_file: Annotated[Path, typer.Argument(help="A diary as CSV or Excel (.xlsx).")],
    jurisdiction: Annotated[
        str,
        typer.Option(help="england-wales, scotland, northern-ireland or ireland."),
    ] = "england-wales",
    output: Annotated[OutputFormat, typer.Option("--format", help="text or json.")] = (
        OutputFormat.TEXT
    ),
    today: Annotated[
        str | None, typer.Option(help="Analyse as of this date (YYYY-MM-DD); default today.")
    ] = None,
) -> None:
    """Analyse a diary file's course of conduct against one jurisdiction's offences."""
    from courseline.law import diary
    from courseline.law.analysis import analyse
    from courseline.law.jurisdictions import JURISDICTION_KEYS, load_jurisdiction
    from courseline.law.model import IncidentRecord

    if jurisdiction not in JURISDICTION_KEYS:
        err.print(
            f"Unknown jurisdiction {jurisdiction!r}: use {', '.join(JURISDICTION_KEYS)}",
            markup=False,
        )
        raise typer.Exit(2)
    try:
        table = diary.read_table(diary_file.read_bytes(), diary_file.name)
    except OSError as exc:
        err.print(f"Cannot read {diary_file}: {exc.strerror}", markup=False)
        raise typer.Exit(2) from None
    except diary.DiaryError as exc:
        err.print(f"{diary_file}: {exc}", markup=False)
        raise typer.Exit(1) from None
    result = diary.parse_rows(table, diary.guess_mapping(table.headers))
    if not result.ok:
        for problem in result.errors:
            err.print(
                f"{diary_file}: row {problem.row}: {problem.reason}", highlight=False, markup=False
            )
        raise typer.Exit(1)
    records = [
        IncidentRecord(
            id=str(row.row),
            start=row.start,
            end=row.end,
            precision=row.precision,
            text=row.description,
            behaviours=row.behaviours,
            perpetrator=row.perpetrator.strip() or None,
            place=row.place,
            location=row.location,
            channel=row.channel,
            fear_of_violence=row.fear,
            impacts=row.impacts,
            impact_notes=row.impact_notes,
            reported_to_police=bool(row.police_reference),
        )  # fmt: skip
        for row in result.rows
    ]
    as_of = dt.date.fromisoformat(today) if today else dt.date.today()  # noqa: DTZ011
    report = analyse(records, load_jurisdiction(jurisdiction), today=as_of)
    if output is OutputFormat.JSON:
        sys.stdout.write(json.dumps(_jsonable(report), ensure_ascii=False, indent=2) + "\n")
    else:
        _text_report(report)
