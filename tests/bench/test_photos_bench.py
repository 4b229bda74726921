"""bench/photos.py: the manifest-agreement check and the JPEG image-data extractor."""

from __future__ import annotations

import importlib.util
import sys
import types
from pathlib import Path
from typing import Any

import pytest

from tests.digital.photos import fixtures as fx

BENCH = Path(__file__).resolve().parents[2] / "bench" / "photos.py"


def load() -> types.ModuleType:
    spec = importlib.util.spec_from_file_location("bench_photos", BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


bench = load()
CORPUS = "roll"


def manifest() -> dict[str, Any]:
    return {
        "files": [
            {"path": "DCIM/a.JPG", "format": "jpeg", "gps": [51.5, -0.12],
             "sources": ["exif-gps", "xmp"]},
            {"path": "DCIM/b.mov", "format": "mov", "gps": [-33.8688, 151.2093],
             "sources": ["quicktime-keys"]},
            {"path": "DCIM/c.png", "format": "png", "gps": None, "sources": []},
            {"path": "DCIM/d.JPG", "format": "jpeg", "gps": None, "sources": [], "error": True},
        ]
    }  # fmt: skip


def scanned() -> dict[str, Any]:
    def entry(
        path: str, fmt: str | None, sources: list[dict[str, Any]], error: str | None = None
    ) -> dict[str, Any]:
        first = next((s for s in sources if "lat" in s), None)
        location = {"lat": first["lat"], "lon": first["lon"]} if first else None
        return {"path": f"{CORPUS}/{path}", "format": fmt, "location": location, "sources": sources,
                "taken_at": None, "device": None, "error": error}  # fmt: skip

    return {
        "files": [
            entry("DCIM/a.JPG", "jpeg", [
                {"kind": "exif-gps", "lat": 51.5000001, "lon": -0.1200002},
                {"kind": "xmp", "lat": 51.5, "lon": -0.12},
            ]),
            entry("DCIM/b.mov", "mov", [
                {"kind": "quicktime-keys", "lat": -33.8688, "lon": 151.2093},
            ]),
            entry("DCIM/c.png", "png", []),
            entry("DCIM/d.JPG", None, [], error="file ends inside a JPEG segment"),
            entry("manifest.json", None, [], error="not a recognised photo or video format"),
        ]
    }  # fmt: skip


def test_a_scan_matching_the_manifest_agrees_on_every_file_and_ignores_the_manifest() -> None:
    result = bench.agreement(manifest(), scanned(), CORPUS)
    assert (result.agreed, result.total, result.problems) == (4, 4, [])
    assert result.percent == 100.0
    assert result.ignored == ["manifest.json"]


def test_quicktime_coordinates_get_the_iso6709_rounding_but_exif_does_not() -> None:
    scan = scanned()
    scan["files"][1]["sources"][0]["lat"] += 4e-5  # within half of the 4th decimal
    scan["files"][1]["location"]["lat"] += 4e-5
    assert bench.agreement(manifest(), scan, CORPUS).problems == []
    scan["files"][0]["sources"][0]["lat"] += 4e-5
    scan["files"][0]["location"]["lat"] += 4e-5
    (problem,) = bench.agreement(manifest(), scan, CORPUS).problems
    assert problem.startswith("DCIM/a.JPG: exif-gps at")


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda s: s["files"].pop(0), "DCIM/a.JPG: missing from the scan output"),
        (lambda s: s["files"][0]["sources"].pop(1), "DCIM/a.JPG: sources ['exif-gps'], expected"),
        (lambda s: s["files"][2].update(location={"lat": 1.0, "lon": 2.0}),
         "DCIM/c.png: location reported"),
        (lambda s: s["files"][3].update(error=None), "DCIM/d.JPG: malformed file not reported"),
        (lambda s: s["files"][2].update(error="boom"), "DCIM/c.png: unexpected error: boom"),
        (lambda s: s["files"][1].update(format="mp4"), "DCIM/b.mov: format 'mp4'"),
        (lambda s: s["files"][1].update(location=None), "DCIM/b.mov: location missing"),
    ],
)  # fmt: skip
def test_each_kind_of_disagreement_is_counted_and_explained(change: Any, expected: str) -> None:
    scan = scanned()
    change(scan)
    result = bench.agreement(manifest(), scan, CORPUS)
    assert result.agreed == 3 and result.total == 4
    assert result.problems[0].startswith(expected), result.problems


def test_image_data_runs_from_the_first_sos_marker_to_the_end() -> None:
    plain = fx.jpeg(body=300)
    with_metadata = fx.jpeg(fx.app1_exif(fx.exif_tiff(gps=(1.0, 2.0))), *fx.app2(70_000), body=300)
    data = bench.jpeg_image_data(plain)
    assert data is not None and data.startswith(b"\xff\xda") and data.endswith(b"\xff\xd9")
    assert bench.jpeg_image_data(with_metadata) == data
    assert bench.jpeg_image_data(fx.jpeg(body=301)) != data
    assert bench.jpeg_image_data(b"not a jpeg") is None
