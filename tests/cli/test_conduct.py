"""`courseline conduct suggest` and `courseline conduct analyse`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from courseline.cli import app

runner = CliRunner()

DIARY = (
    "Date,What happened,Behaviours,Who,Feared violence\n"
    "01/09/2026 10:00,Followed me home from the station,following,Sam,yes\n"
    "15/09/2026 21:00,Sent 40 texts overnight,contacting,Sam,yes\n"
)


def test_suggest_answers_one_json_line_for_a_text() -> None:
    result = runner.invoke(app, ["conduct", "suggest", "he followed me home from the bus"])
    assert result.exit_code == 0, result.output
    line = json.loads(result.output)
    assert "following" in line["behaviours"]


def test_suggest_reads_json_lines_and_keeps_their_order(tmp_path: Path) -> None:
    lines = [
        {"text": "he rang me 20 times"},
        {"text": "lovely sunny day"},
        {"text": "slashed my tyres"},
    ]
    path = tmp_path / "incidents.jsonl"
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\n")
    result = runner.invoke(app, ["conduct", "suggest", "--file", str(path)])
    assert result.exit_code == 0, result.output
    answers = [json.loads(line) for line in result.output.splitlines()]
    assert len(answers) == 3
    assert "contacting" in answers[0]["behaviours"]
    assert answers[1]["behaviours"] == []
    assert "interfering_property" in answers[2]["behaviours"]


def test_suggest_refuses_a_line_without_text(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text('{"words": "x"}\n')
    result = runner.invoke(app, ["conduct", "suggest", "--file", str(path)])
    assert result.exit_code == 2
    assert "Line 1" in result.output


def test_analyse_reports_the_course_of_conduct_as_json(tmp_path: Path) -> None:
    path = tmp_path / "diary.csv"
    path.write_text(DIARY)
    args = ["conduct", "analyse", str(path), "--jurisdiction", "england-wales",
            "--format", "json", "--today", "2026-11-28"]  # fmt: skip
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    (group,) = report["perpetrators"]
    assert group["course"]["occasions"] == 2
    stalking = next(o for o in group["offences"] if o["key"].endswith("s2a"))
    assert stalking["course_of_conduct_met"] is True


def test_analyse_as_text_and_with_bad_rows(tmp_path: Path) -> None:
    path = tmp_path / "diary.csv"
    path.write_text(DIARY)
    text = runner.invoke(app, ["conduct", "analyse", str(path), "--jurisdiction", "ireland"])
    assert text.exit_code == 0 and "Decision support" in text.output
    bad = tmp_path / "bad.csv"
    bad.write_text("Date,What happened\n31/02/2026,x\n")
    result = runner.invoke(app, ["conduct", "analyse", str(bad)])
    assert result.exit_code == 1 and "row 2" in result.output
    unknown = runner.invoke(app, ["conduct", "analyse", str(path), "--jurisdiction", "mars"])
    assert unknown.exit_code == 2


# ---- untrusted text is printed as it is, never read as Rich markup ------------------------------
def _flat(output: str) -> str:
    """The output with line wrapping undone (stderr is wrapped at the terminal width)."""
    return " ".join(output.split())


def test_analyse_prints_names_from_the_diary_literally(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A closing tag alone in the "who" column crashed the report with MarkupError, an opening
    # one restyled the rest of the line, and a link tag hid itself and made a hyperlink.
    monkeypatch.chdir(tmp_path)
    (tmp_path / "[").mkdir()
    diary = Path("[/b] [bold]diary.csv")  # in a folder named "["
    diary.write_text(
        "Date,What happened,Behaviours,Who,Feared violence\n"
        "01/09/2026 10:00,Followed me home,following,[/b],yes\n"
        "15/09/2026 21:00,Sent 40 texts,contacting,[bold]Sam :warning:,yes\n"
        "20/09/2026 21:00,Rang 20 times,contacting,[link=https://evil.example]Al,yes\n"
    )
    result = runner.invoke(app, ["conduct", "analyse", str(diary), "--today", "2026-11-28"])
    assert result.exit_code == 0, result.output
    assert "\nPerson [/b]: 1 occasion(s)" in result.output
    assert "\nPerson [bold]Sam :warning:: 1 occasion(s)" in result.output
    assert "\nPerson [link=https://evil.example]Al: 1 occasion(s)" in result.output
    assert "[incidents: 2]" in result.output  # shown, not taken for a tag and dropped


def test_analyse_errors_quote_file_names_and_cells_literally(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "[").mkdir()
    bad = Path("[/b] [bold]bad.csv")
    bad.write_text("Date,What happened,Behaviours\n01/09/2026,x,[/b]\n")
    result = runner.invoke(app, ["conduct", "analyse", str(bad)])
    assert isinstance(result.exception, SystemExit) and result.exit_code == 1, result.exception
    assert "[/b] [bold]bad.csv: row 2: '[/b]' is not a behaviour" in _flat(result.output)
    empty = Path("[/b] :warning:.xlsx")
    empty.write_bytes(b"")
    result = runner.invoke(app, ["conduct", "analyse", str(empty)])
    assert isinstance(result.exception, SystemExit) and result.exit_code == 1, result.exception
    assert "[/b] :warning:.xlsx: The file is empty" in _flat(result.output)
    for command in (["analyse"], ["suggest", "--file"]):
        missing = runner.invoke(app, ["conduct", *command, "[/b] [bold]gone.csv"])
        assert missing.exit_code == 2, missing.exception
        assert "Cannot read [/b] [bold]gone.csv: No such file" in _flat(missing.output)
