"""`courseline photos scan`."""

from __future__ import annotations

import json
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from courseline.cli import app
from tests.digital.photos import fixtures as fx
from tests.digital.photos import iso_fixtures as iso

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


def test_clean_writes_copies_without_location_and_leaves_originals(tmp_path: Path) -> None:
    from courseline.digital.photos.scan import scan_file

    source = tmp_path / "in"
    (source / "sub").mkdir(parents=True)
    original = fx.jpeg_with_gps((48.8566, 2.3522))
    (source / "sub" / "gps.jpg").write_bytes(original)
    out = tmp_path / "out"
    result = runner.invoke(app, ["photos", "clean", str(source), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "cleaned:" in result.output and "EXIF GPS" in result.output
    assert (source / "sub" / "gps.jpg").read_bytes() == original
    assert scan_file(out / "sub" / "gps.jpg").location is None


def test_clean_refuses_what_it_cannot_clean_losslessly_and_says_why(tmp_path: Path) -> None:
    (tmp_path / "anim.gif").write_bytes(b"GIF89a" + bytes(64))  # a format that is not read
    result = runner.invoke(
        app, ["photos", "clean", str(tmp_path / "anim.gif"), "--out", str(tmp_path / "o")]
    )
    assert result.exit_code == 1
    assert "refused" in result.output and "gif" in result.output
    assert not (tmp_path / "o" / "anim.gif").exists()


def test_clean_in_place_replaces_the_original_only_after_verifying(tmp_path: Path) -> None:
    from courseline.digital.photos.scan import scan_file

    photo = tmp_path / "gps.jpg"
    photo.write_bytes(fx.jpeg_with_gps())
    result = runner.invoke(app, ["photos", "clean", str(photo), "--in-place"])
    assert result.exit_code == 0, result.output
    assert scan_file(photo).location is None
    assert [p.name for p in tmp_path.iterdir()] == ["gps.jpg"]
    assert runner.invoke(app, ["photos", "clean", str(photo)]).exit_code == 2


@pytest.mark.parametrize("mode", [0o644, 0o440], ids=oct)
def test_clean_in_place_keeps_the_permissions_of_the_original(tmp_path: Path, mode: int) -> None:
    photos = [tmp_path / "gps.jpg", tmp_path / "clip.mp4"]
    photos[0].write_bytes(fx.jpeg_with_gps())
    photos[1].write_bytes(iso.mp4_with_xyz(mdat_size=64))
    for photo in photos:
        photo.chmod(mode)
    result = runner.invoke(app, ["photos", "clean", *map(str, photos), "--in-place"])
    assert result.exit_code == 0, result.output
    assert result.output.count("cleaned:") == 2
    assert [stat.S_IMODE(photo.stat().st_mode) for photo in photos] == [mode, mode]


def test_scan_json_keeps_exactly_the_documented_keys_with_automatic_jobs(tmp_path: Path) -> None:
    (tmp_path / "gps.jpg").write_bytes(fx.jpeg_with_gps((48.8566, 2.3522)))
    args = ["photos", "scan", str(tmp_path), "--format", "json", "--jobs", "0"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert set(report) == {"files", "places", "summary"}
    (entry,) = report["files"]
    assert set(entry) == {"path", "format", "location", "sources", "taken_at", "device", "error"}
    assert set(entry["sources"][0]) == {"kind", "lat", "lon"}
    assert report["places"][0]["nearest_town"] == "Paris, France"


def test_a_json_scan_loads_neither_scipy_nor_reverse_geocode_nor_django(tmp_path: Path) -> None:
    (tmp_path / "gps.jpg").write_bytes(fx.jpeg_with_gps((48.8566, 2.3522)))
    code = (
        "import json, sys\n"
        "from typer.testing import CliRunner\n"
        "from courseline.cli import app\n"
        f"r = CliRunner().invoke(app, ['photos', 'scan', {str(tmp_path)!r}, '--format', 'json'])\n"
        "assert r.exit_code == 0, r.output\n"
        "heavy = ('numpy', 'scipy', 'reverse_geocode', 'django')\n"
        "print(json.dumps([m for m in heavy if m in sys.modules]))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert json.loads(done.stdout.splitlines()[-1]) == []


def test_file_names_that_look_like_rich_markup_are_printed_as_they_are(tmp_path: Path) -> None:
    source = tmp_path / "in"
    (source / "[").mkdir(parents=True)
    (source / "[" / "b].jpg").write_bytes(fx.jpeg_with_gps())  # the path contains "[/b]"
    (source / "[bold]x.jpg").write_bytes(fx.jpeg_with_gps())
    wide = {"COLUMNS": "400"}  # no wrapping inside the table's cells
    scanned = runner.invoke(app, ["photos", "scan", str(source), "--recursive"], env=wide)
    assert scanned.exit_code == 0, scanned.output
    assert str(source / "[bold]x.jpg") in scanned.output
    assert str(source / "[" / "b].jpg") in scanned.output
    out = tmp_path / "out"
    cleaned = runner.invoke(app, ["photos", "clean", str(source), "--out", str(out)])
    assert cleaned.exit_code == 0, cleaned.output
    assert f"cleaned: {source / '[' / 'b].jpg'} -> {out / '[' / 'b].jpg'}" in cleaned.output
    assert f"cleaned: {source / '[bold]x.jpg'} -> {out / '[bold]x.jpg'}" in cleaned.output
