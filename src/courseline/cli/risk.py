"""`courseline risk …`: list the risk instruments and score a set of answers offline."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

if TYPE_CHECKING:
    from courseline.risk.instruments import ScoreResult

risk_app = typer.Typer(
    help="Risk checklists in our own words: list them, score answers.",
    no_args_is_help=True,
)
# Answer files, their paths and messages quoting them are printed with markup=False; instrument
# text is escape()d or Text. Emoji codes such as ":warning:" are left as they are.
out = Console(soft_wrap=True, emoji=False)
err = Console(stderr=True, soft_wrap=True, emoji=False)


class OutputFormat(StrEnum):
    TEXT = "text"
    JSON = "json"


@risk_app.command("list")
def list_command(
    output: Annotated[
        OutputFormat, typer.Option("--format", help="text (a table) or json.")
    ] = OutputFormat.TEXT,
) -> None:
    """List the shipped instruments and their item keys."""
    from courseline.risk.instruments import all_instruments

    instruments = all_instruments()
    if output is OutputFormat.JSON:
        rows = [{"key": i.key, "title": i.title, "items": list(i.item_keys)} for i in instruments]
        typer.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    table = Table("Key", "Title", "Audience", "Items")
    for instrument in instruments:
        table.add_row(
            Text(instrument.key),
            Text(instrument.title),
            instrument.audience.value,
            str(len(instrument.items)),
        )
    out.print(table)


@risk_app.command("score")
def score_command(
    instrument_key: Annotated[str, typer.Argument(metavar="INSTRUMENT", help="Instrument key.")],
    answers_file: Annotated[
        Path,
        typer.Argument(
            metavar="ANSWERS.json",
            help='A JSON object of item key to "yes", "no", "unsure" or "not_asked".',
        ),
    ],
    output: Annotated[
        OutputFormat, typer.Option("--format", help="text or json.")
    ] = OutputFormat.TEXT,
) -> None:
    """Score a set of answers: score, band, critical items, referral prompts, gaps."""
    from courseline.risk.instruments import (
        InvalidAnswerError,
        UnknownInstrumentError,
        UnknownItemError,
        load_instrument,
        score,
    )

    try:
        instrument = load_instrument(instrument_key)
    except UnknownInstrumentError as exc:
        _fail(str(exc))
    answers = _read_answers(answers_file)
    try:
        result = score(instrument, answers)
    except (UnknownItemError, InvalidAnswerError) as exc:
        _fail(str(exc))
    if output is OutputFormat.JSON:
        typer.echo(json.dumps(_result_json(result), indent=2, ensure_ascii=False))
        return
    out.print(
        f"[bold]{escape(instrument.title)}[/] (version {escape(str(instrument.version))})",
        highlight=False,
    )
    out.print(f"Score: {result.score} of {result.max_score}", highlight=False)
    out.print(f"Band: {result.band.label}", highlight=False, markup=False)
    out.print(result.meaning, highlight=False, markup=False)
    _print_list("Critical items answered yes", result.critical_present)
    _print_list("Referral prompts (for you to decide)", [p.text for p in result.referral_prompts])
    _print_list(
        "Follow-ups opened",
        [
            ", ".join((*f.items, *f.instruments)) + (f" ({f.note})" if f.note else "")
            for f in result.open_follow_ups
        ],
    )
    _print_list("Not sure", result.unsure_items)
    _print_list("Not answered", result.not_answered)
    out.print(f"\n[italic]{escape(result.not_meaning)}[/]", highlight=False)


def _fail(message: str) -> NoReturn:
    err.print(message, highlight=False, markup=False)
    raise typer.Exit(2)


def _read_answers(path: Path) -> dict[str, str]:
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        _fail(f"Cannot read {path}: {exc.strerror}")
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        _fail(f"{path.name}: not valid JSON: {exc}")
    if not isinstance(raw, dict) or not all(isinstance(v, str) for v in raw.values()):
        _fail(f'{path.name}: expected a JSON object like {{"item_key": "yes"}}')
    return raw


def _print_list(title: str, lines: Any) -> None:
    lines = list(lines)
    if not lines:
        return
    out.print(f"\n[bold]{title}:[/]")
    for line in lines:
        out.print(f"  - {line}", highlight=False, markup=False)


def _result_json(result: ScoreResult) -> dict[str, Any]:
    return {
        "instrument": result.instrument_key,
        "version": result.instrument_version,
        "score": result.score,
        "max_score": result.max_score,
        "band": {
            "key": result.band.key,
            "label": result.band.label,
            "meaning": result.band.meaning,
        },
        "raises_concern": result.raises_concern,
        "critical_present": list(result.critical_present),
        "critical_unsure": list(result.critical_unsure),
        "factors_present": list(result.factors_present),
        "unsure_items": list(result.unsure_items),
        "not_asked": list(result.not_asked),
        "not_answered": list(result.not_answered),
        "referral_prompts": [
            {"key": p.key, "text": p.text, "kinds": [k.value for k in p.kinds]}
            for p in result.referral_prompts
        ],
        "open_follow_ups": [
            {
                "from_item": f.from_item,
                "items": list(f.items),
                "instruments": list(f.instruments),
                "note": f.note,
            }
            for f in result.open_follow_ups
        ],
        "meaning": result.meaning,
        "not_meaning": result.not_meaning,
    }
