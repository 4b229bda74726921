"""`courseline photos scan`."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from courseline.cli import app
from tests.digital.photos import fixtures as fx

runner = CliRunner()


def test_scan_reports_each_file_as_json_in_the_documented_shape(tmp_path: Path) -> None:
    folder = tmp_path / "roll"
    (folder / "sub").mkdir(parents=True)
    (folder / "gps.jpg").write_bytes(fx.jpeg_with_gps((48.8566, 2.3522)))
    (folder / "sub" / "plain.png").write_bytes(fx.png())
    (folder / "broken.jpg").write_bytes(b"\xff\xd8\xff\xe1\x00")
    result = runner.invoke(app, ["photos", "scan", str(folder), "--recursive", "--format", "json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    files = {Path(f["path"]).name: f for f in report["files"]}
    assert files["gps.jpg"]["location"] == {"lat": 48.8566, "lon": 2.3522}
    assert files["gps.jpg"]["sources"][0]["kind"] == "exif-gps"
    assert files["gps.jpg"]["device"]["make"] == "Apple"
    assert files["plain.png"]["location"] is None and files["plain.png"]["error"] is None
    assert files["broken.jpg"]["error"]
    assert str(folder) in files["plain.png"]["path"] and "sub" in files["plain.png"]["path"]
    assert report["summary"]["files"] == 3 and report["summary"]["with_location"] == 1
    assert report["places"][0]["photos"] == 1


def test_scan_without_recursion_skips_subfolders_and_prints_a_table(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "gps.jpg").write_bytes(fx.jpeg_with_gps())
    (tmp_path / "top.jpg").write_bytes(fx.jpeg_with_gps())
    result = runner.invoke(app, ["photos", "scan", str(tmp_path)])
    assert result.exit_code == 0
    assert "1 files, 1 reveal a location" in result.output
