"""scripts/build_indicators.py: the shipped snapshot is exactly what the script builds."""

from __future__ import annotations

import importlib.util
import json
import shutil
import sys
from pathlib import Path
from types import ModuleType

import pytest

from courseline.digital.indicators import normalise_certificate

ROOT = Path(__file__).resolve().parents[3]
SHARED_DATA = ROOT.parent / "shared" / "data"
SHIPPED = ROOT / "src" / "courseline" / "digital" / "indicators" / "data"

needs_data = pytest.mark.skipif(
    not (SHARED_DATA / "stalkerware-indicators").is_dir(), reason="../shared/data is absent"
)


def build_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "build_indicators", ROOT / "scripts" / "build_indicators.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["build_indicators"] = module
    spec.loader.exec_module(module)
    return module


@needs_data
def test_rebuilding_from_the_shared_data_reproduces_the_shipped_files_byte_for_byte() -> None:
    files = build_module().build(SHARED_DATA)
    assert set(files) == {p.name for p in SHIPPED.iterdir() if p.is_file()}
    for name, data in files.items():
        assert (SHIPPED / name).read_bytes() == data, f"{name} is stale: run the build script"


@needs_data
def test_the_check_mode_reports_a_stale_snapshot(tmp_path: Path) -> None:
    module = build_module()
    out = tmp_path / "out"
    assert module.main(["--data", str(SHARED_DATA), "--out", str(out)]) == 0
    assert module.main(["--data", str(SHARED_DATA), "--out", str(out), "--check"]) == 0
    (out / "ATTRIBUTION.md").write_text("edited")
    assert module.main(["--data", str(SHARED_DATA), "--out", str(out), "--check"]) == 1


@needs_data
def test_the_c2_ip_schema_drift_is_folded_into_c2_ips() -> None:
    snapshot = json.loads((SHIPPED / "indicators.json").read_bytes())
    mobistealth = next(a for a in snapshot["apps"] if a["name"] == "MobiStealth")
    assert {"72.167.46.196", "5.79.71.114"} <= set(mobistealth["c2_ips"])


@needs_data
def test_isdi_flags_keep_their_meaning() -> None:
    snapshot = json.loads((SHIPPED / "indicators.json").read_bytes())
    kinds = {(a["source"], a["kind"]) for a in snapshot["apps"]}
    # dual-use rows stay dual-use; ISDi's copies of Echap rows are not duplicated.
    assert kinds == {
        ("echap", "stalkerware"),
        ("echap", "watchware"),
        ("isdi", "dual-use"),
        ("isdi", "stalkerware"),
    }
    isdi = next(s for s in snapshot["sources"] if s["name"] == "isdi")
    assert isdi["skipped_rows"]["stalkerware (already in Echap)"] > 0


@needs_data
def test_an_unknown_key_in_the_upstream_yaml_stops_the_build(tmp_path: Path) -> None:
    module = build_module()
    data = tmp_path / "data"
    shutil.copytree(SHARED_DATA, data)
    ioc = data / "stalkerware-indicators" / "ioc.yaml"
    ioc.chmod(0o644)
    ioc.write_text(ioc.read_text() + "- name: Odd\n  type: stalkerware\n  colour: red\n")
    with pytest.raises(module.BuildError, match="unknown keys"):
        module.build(data)


@needs_data
def test_a_sample_for_an_unknown_app_stops_the_build(tmp_path: Path) -> None:
    module = build_module()
    data = tmp_path / "data"
    shutil.copytree(SHARED_DATA, data)
    samples = data / "stalkerware-indicators" / "samples.csv"
    samples.chmod(0o644)
    samples.write_text(samples.read_text() + "a" * 64 + ",,,,NoSuchApp\n")
    with pytest.raises(module.BuildError, match="NoSuchApp"):
        module.build(data)


@pytest.mark.parametrize(
    "value", ["ab:cd:ef:01:23:45:67:89:ab:cd:ef:01:23:45:67:89:ab:cd:ef:01", " " + "aB" * 20 + "\n"]
)
def test_certificates_are_normalised_as_the_app_normalises_them(value: str) -> None:
    assert build_module()._cert(value, "here") == normalise_certificate(value)


def test_a_certificate_that_is_not_sha1_stops_the_build() -> None:
    module = build_module()
    with pytest.raises(module.BuildError, match="not a SHA-1"):
        module._cert("ab:cd", "here")
