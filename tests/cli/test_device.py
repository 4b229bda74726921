"""`courseline device` and `courseline indicators`, run through Typer's CliRunner."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from courseline.cli.device import device_app, indicators_app
from courseline.digital.indicators import active_path
from tests.digital.devices import fixtures as fx
from tests.digital.indicators import fixtures as indicator_fx
from tests.digital.indicators.fixtures import snapshot

runner = CliRunner()


@pytest.fixture(autouse=True)
def _data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("COURSELINE_DATA_DIR", str(tmp_path / "var"))
    return tmp_path / "var"


def write(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def package_list(tmp_path: Path) -> Path:
    return write(
        tmp_path / "pm.txt",
        b"package:com.thetruth installer=null uid:10200\n"
        b"package:com.whatsapp installer=com.android.vending\n",
    )


def test_check_refuses_to_run_without_consent(tmp_path: Path) -> None:
    result = runner.invoke(device_app, ["check", "--packages", str(package_list(tmp_path))])
    assert result.exit_code == 2
    assert "consent" in result.output


def test_check_needs_exactly_one_source(tmp_path: Path) -> None:
    result = runner.invoke(device_app, ["check", "--consent", "Vic"])
    assert result.exit_code == 2 and "exactly one source" in result.output
    path = str(package_list(tmp_path))
    result = runner.invoke(
        device_app, ["check", "--consent", "Vic", "--packages", path, "--ios-usb"]
    )
    assert result.exit_code == 2


def test_check_a_package_list_as_json(tmp_path: Path) -> None:
    result = runner.invoke(
        device_app,
        [
            "check",
            "--packages",
            str(package_list(tmp_path)),
            "--consent",
            "Vic",
            "--format",
            "json",
        ],
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert set(data) == {"device", "findings", "not_checked"}
    (finding,) = data["findings"]
    assert finding["check"] == "stalkerware-package"
    assert finding["evidence"]["package"] == "com.thetruth"
    assert finding["indicator"]["set"] == "echap" and finding["indicator"]["name"] == "TheTruthSpy"
    assert data["device"]["consent"]["owner"] == "Vic"
    assert any(n["check"] == "accessibility-service" for n in data["not_checked"])


def test_check_text_output_explains_the_finding(tmp_path: Path) -> None:
    result = runner.invoke(
        device_app, ["check", "--packages", str(package_list(tmp_path)), "--consent", "Vic"]
    )
    assert result.exit_code == 0, result.output
    assert "CRITICAL" in result.output and "TheTruthSpy" in result.output
    assert "What it does not mean" in result.output and "Not checked" in result.output


def test_check_an_androidqf_folder_a_bug_report_and_an_ios_backup(tmp_path: Path) -> None:
    aqf = fx.write_folder(tmp_path / "aqf", fx.androidqf_files())
    bug = write(tmp_path / "br.zip", fx.bugreport_zip())
    backup = fx.ios_backup(tmp_path / "backup", bundles=["com.life360.safetymap"], mdm=True)
    for option, path in (("--androidqf", aqf), ("--bugreport", bug), ("--ios-backup", backup)):
        result = runner.invoke(
            device_app, ["check", option, str(path), "--consent", "Vic", "--format", "json"]
        )
        assert result.exit_code == 0, (option, result.output)
        assert json.loads(result.output)["findings"], option


def test_checklist_answers_are_added_to_an_ios_report(tmp_path: Path) -> None:
    backup = fx.ios_backup(tmp_path / "backup")
    result = runner.invoke(
        device_app,
        [
            "check",
            "--ios-backup",
            str(backup),
            "--consent",
            "Vic",
            "--format",
            "json",
            "--answer",
            "find-my-sharing=yes",
        ],
    )
    assert result.exit_code == 0, result.output
    checks = [f["check"] for f in json.loads(result.output)["findings"]]
    assert "ios-manual-find-my-sharing" in checks
    bad = runner.invoke(
        device_app,
        ["check", "--ios-backup", str(backup), "--consent", "Vic", "--answer", "nope=yes"],
    )
    assert bad.exit_code == 2 and "unknown checklist item" in bad.output


@pytest.mark.parametrize(
    ("option", "data"),
    [
        ("--bugreport", b"PK\x03\x04truncated"),
        ("--bugreport", b"\x00\x01binary garbage"),
        ("--packages", b""),
        ("--packages", b"\x00\xff\xfe" * 100),
    ],
)
def test_malformed_input_is_a_clear_error_without_a_traceback(
    tmp_path: Path, option: str, data: bytes
) -> None:
    path = write(tmp_path / "input", data)
    result = runner.invoke(device_app, ["check", option, str(path), "--consent", "Vic"])
    assert result.exit_code == 2
    assert "Error:" in result.output and "Traceback" not in result.output


def test_a_wrong_folder_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    for option in ("--androidqf", "--ios-backup"):
        result = runner.invoke(
            device_app, ["check", option, str(tmp_path / "empty"), "--consent", "Vic"]
        )
        assert result.exit_code == 2 and "Error:" in result.output


def test_adb_without_the_tool_names_the_package(monkeypatch: pytest.MonkeyPatch) -> None:
    from courseline.digital.devices.sources import adb

    monkeypatch.setattr(adb.shutil, "which", lambda name: None)
    result = runner.invoke(device_app, ["check", "--adb", "--consent", "Vic"])
    assert result.exit_code == 2 and "adb" in result.output


def test_the_checklist_command_lists_the_items() -> None:
    result = runner.invoke(device_app, ["checklist", "--format", "json"])
    assert result.exit_code == 0
    assert "family-sharing" in {item["id"] for item in json.loads(result.output)}


def test_paths_device_data_and_app_names_are_printed_literally(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    apps = copy.deepcopy(indicator_fx.APPS)
    apps[0]["name"] = "[/b][i]Spy :cat:"  # its package is com.spyone.agent
    indicator_set = write(Path("[") / "b] set.json", snapshot(apps))
    packages = write(Path("[") / "b] [bold]pm :warning:.txt", b"package:com.spyone.agent\n")
    args = ["check", "--packages", str(packages), "--indicators", str(indicator_set)]
    result = runner.invoke(device_app, [*args, "--consent", "[/b] [bold]Vic"])
    assert result.exit_code == 0, result.exception
    assert "Stalkerware found: [/b][i]Spy :cat: (com.spyone.agent)" in result.output
    assert "Consent: [/b] [bold]Vic, " in result.output
    binary = write(Path("[bold]dump [link=x].txt"), b"\x00\xff\xfe" * 100)
    result = runner.invoke(device_app, ["check", "--packages", str(binary), "--consent", "Vic"])
    assert result.exit_code == 2, result.exception
    assert "Error: [bold]dump [link=x].txt: binary data" in " ".join(result.output.split())
    missing = runner.invoke(
        device_app, ["check", "--androidqf", "[/b] [bold]gone", "--consent", "Vic"]
    )
    assert missing.exit_code == 2, missing.exception
    assert "Error: [/b] [bold]gone: no such folder" in " ".join(missing.output.split())


# ---- indicators --------------------------------------------------------------------------------
def test_info_shows_versions_licences_and_counts() -> None:
    result = runner.invoke(indicators_app, ["info", "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert {s["licence"] for s in data["sources"]} == {"CC-BY-4.0", "MIT"}
    assert data["counts"]["stalkerware (echap)"]["packages"] == 613
    assert data["location"] == "packaged"
    text = runner.invoke(indicators_app, ["info"])
    assert text.exit_code == 0 and "Echap" in text.output


def test_update_installs_a_good_set_and_keeps_it_after_a_bad_one(
    tmp_path: Path, _data_dir: Path
) -> None:
    good = write(tmp_path / "good.json", snapshot())
    result = runner.invoke(indicators_app, ["update", "--from", str(good)])
    assert result.exit_code == 0, result.output
    assert active_path(_data_dir).read_bytes() == snapshot()
    bad = write(tmp_path / "bad.json", snapshot(tamper=True))
    result = runner.invoke(indicators_app, ["update", "--from", str(bad)])
    assert result.exit_code == 2 and "still active" in result.output
    assert active_path(_data_dir).read_bytes() == snapshot()
    info = json.loads(runner.invoke(indicators_app, ["info", "--format", "json"]).output)
    assert info["version"] == "2026-01-01+test"


def test_update_refuses_plain_http() -> None:
    result = runner.invoke(indicators_app, ["update", "--from", "http://example.org/x.json"])
    assert result.exit_code == 2 and "https" in result.output


def test_info_prints_an_indicator_set_s_fields_literally(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = {**indicator_fx.SOURCE, "name": "[/b] [bold]src", "attribution": "[link=x]By"}
    monkeypatch.setattr(indicator_fx, "SOURCE", source)
    apps = [{**app, "source": source["name"]} for app in indicator_fx.APPS]
    path = write(tmp_path / "set.json", snapshot(apps))
    result = runner.invoke(indicators_app, ["info", "--path", str(path)])
    assert result.exit_code == 0, result.exception  # the table's set labels name the source
    assert "  [/b] [bold]src: 2026-01-01-abc, licence CC0-1.0" in result.output
    assert "    [link=x]By" in result.output
