"""`courseline evidence verify`: exit codes and output for good, damaged and unusable bundles."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import zipfile
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from courseline.cli.evidence import evidence_app
from courseline.evidence.bundle import BundleItem, BundleMeta, write_bundle

# Registered here the way the main `courseline` app registers it.
app = typer.Typer()
app.add_typer(evidence_app, name="evidence")
runner = CliRunner()
WHEN = dt.datetime(2026, 3, 1, 9, 30, tzinfo=dt.UTC)


def _write(out: Path, reference: str = "CL-2026-000001") -> Path:
    data = b"photo bytes" * 100
    items = [
        BundleItem("AB/1", "photo.jpg", hashlib.sha256(data).hexdigest(), len(data), WHEN,
                   "victim upload", lambda: io.BytesIO(data), ("I-1",)),
    ]  # fmt: skip
    write_bundle(out, items, b"%PDF-1.7 stand-in", BundleMeta(reference, "A. Worker", WHEN))
    return out


@pytest.fixture
def bundle(tmp_path: Path) -> Path:
    return _write(tmp_path / "bundle.zip")


def test_a_good_bundle_exits_0_and_prints_the_manifest_hash(bundle: Path) -> None:
    result = runner.invoke(app, ["evidence", "verify", str(bundle)])
    assert result.exit_code == 0, result.output
    assert "Bundle verified" in result.output
    with zipfile.ZipFile(bundle) as zf:
        assert hashlib.sha256(zf.read("manifest.json")).hexdigest() in result.output
    assert "CL-2026-000001" in result.output


def test_every_problem_is_printed_and_the_exit_is_1(bundle: Path, tmp_path: Path) -> None:
    damaged = tmp_path / "damaged.zip"
    with zipfile.ZipFile(bundle) as old, zipfile.ZipFile(damaged, "w") as new:
        for info in old.infolist():
            data = old.read(info)
            if info.filename.startswith("evidence/"):
                data = data.replace(b"photo", b"phot0", 1)
            new.writestr(info, data)
        new.writestr("[red]planted[/red].txt", b"x")
    result = runner.invoke(app, ["evidence", "verify", str(damaged)])
    assert result.exit_code == 1
    assert "CHANGED evidence/AB-1-photo.jpg" in result.output
    assert "UNLISTED [red]planted[/red].txt" in result.output
    assert "2 problem(s) found" in result.output


def test_json_output_lists_the_problems(bundle: Path, tmp_path: Path) -> None:
    missing = tmp_path / "missing.zip"
    with zipfile.ZipFile(bundle) as old, zipfile.ZipFile(missing, "w") as new:
        for info in old.infolist():
            if not info.filename.startswith("evidence/"):
                new.writestr(info, old.read(info))
    result = runner.invoke(app, ["evidence", "verify", "--format", "json", str(missing)])
    assert result.exit_code == 1
    document = json.loads(result.output)
    assert document["ok"] is False
    assert document["problems"] == [
        {
            "kind": "missing",
            "file": "evidence/AB-1-photo.jpg",
            "detail": "manifest.sha256 lists it but the zip lacks it",
        }
    ]


@pytest.mark.parametrize("content", [None, b"", b"hello, not a zip"])
def test_unusable_input_exits_2(tmp_path: Path, content: bytes | None) -> None:
    path = tmp_path / "x.zip"
    if content is not None:
        path.write_bytes(content)
    result = runner.invoke(app, ["evidence", "verify", str(path)])
    assert result.exit_code == 2
    assert "Cannot check this bundle" in result.output


def test_the_bundle_path_and_manifest_fields_are_printed_literally(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "[").mkdir()
    hostile = _write(Path("[/b] [bold]x :warning:.zip"), reference="CL-[/b]-[bold]1 :warning:")
    result = runner.invoke(app, ["evidence", "verify", str(hostile)])
    assert result.exit_code == 0, result.exception
    assert "Bundle for case CL-[/b]-[bold]1 :warning:, made 2026-03-01" in result.output
    unusable = Path("[/b] [link=x]y.zip")
    unusable.write_bytes(b"hello, not a zip")
    result = runner.invoke(app, ["evidence", "verify", str(unusable)])
    assert result.exit_code == 2, result.exception
    assert "Cannot check this bundle: [/b] [link=x]y.zip is not a zip file" in result.output
