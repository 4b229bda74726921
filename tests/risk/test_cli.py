"""`courseline risk list` and `courseline risk score`, run on the sub-app directly."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from courseline.cli.risk import risk_app

runner = CliRunner()


def answers_file(tmp_path: Path, content: str) -> str:
    path = tmp_path / "answers.json"
    path.write_text(content, encoding="utf-8")
    return str(path)


def test_list_as_json_gives_keys_titles_and_item_keys() -> None:
    result = runner.invoke(risk_app, ["list", "--format", "json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert [row["key"] for row in rows] == ["domestic-abuse-checklist", "stalking-screening",
                                           "self-check"]  # fmt: skip
    assert len(rows[0]["items"]) == 24
    assert "stalking_harassment" in rows[0]["items"]
    assert set(rows[0]) == {"key", "title", "items"}


def test_list_as_text_shows_a_table() -> None:
    result = runner.invoke(risk_app, ["list"])
    assert result.exit_code == 0, result.output
    assert "stalking-screening" in result.output


def test_score_as_json_reports_band_critical_items_prompts_and_gaps(tmp_path: Path) -> None:
    path = answers_file(tmp_path, json.dumps({"strangulation": "yes", "injury": "unsure"}))
    result = runner.invoke(risk_app, ["score", "domestic-abuse-checklist", path,
                                      "--format", "json"])  # fmt: skip
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["score"] == 1
    assert report["band"]["key"] == "below_threshold"
    assert report["critical_present"] == ["strangulation"]
    assert "professional_judgement" in [p["key"] for p in report["referral_prompts"]]
    assert report["unsure_items"] == ["injury"]
    assert len(report["not_answered"]) == 22


def test_score_as_text_shows_score_band_and_prompts(tmp_path: Path) -> None:
    path = answers_file(tmp_path, json.dumps({"stalking_harassment": "yes"}))
    result = runner.invoke(risk_app, ["score", "domestic-abuse-checklist", path])
    assert result.exit_code == 0, result.output
    assert "Score: 1 of 24" in result.output
    assert "Below the 14-yes threshold" in result.output
    assert "stalking-screening" in result.output
    assert "Not answered" in result.output


def test_an_unknown_item_key_exits_2_naming_the_key(tmp_path: Path) -> None:
    path = answers_file(tmp_path, json.dumps({"made_up": "yes"}))
    result = runner.invoke(risk_app, ["score", "stalking-screening", path])
    assert result.exit_code == 2
    assert "'made_up'" in result.output


def test_an_answer_that_is_not_offered_exits_2(tmp_path: Path) -> None:
    path = answers_file(tmp_path, json.dumps({"loitering": "perhaps"}))
    result = runner.invoke(risk_app, ["score", "stalking-screening", path])
    assert result.exit_code == 2
    assert "'perhaps'" in result.output


def test_bad_json_exits_2(tmp_path: Path) -> None:
    path = answers_file(tmp_path, "{not json")
    result = runner.invoke(risk_app, ["score", "stalking-screening", path])
    assert result.exit_code == 2
    assert "not valid JSON" in result.output


def test_json_that_is_not_an_object_of_strings_exits_2(tmp_path: Path) -> None:
    path = answers_file(tmp_path, json.dumps(["yes"]))
    result = runner.invoke(risk_app, ["score", "stalking-screening", path])
    assert result.exit_code == 2


def test_an_unknown_instrument_exits_2(tmp_path: Path) -> None:
    path = answers_file(tmp_path, "{}")
    result = runner.invoke(risk_app, ["score", "nope", path])
    assert result.exit_code == 2
    assert "unknown instrument 'nope'" in result.output
