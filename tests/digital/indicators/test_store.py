"""courseline.digital.indicators: loading, lookups, validation and safe updates."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path
from typing import IO

import pytest

from courseline.digital import indicators
from courseline.digital.indicators import (
    AppKind,
    IndicatorError,
    active_path,
    fetch,
    load,
    load_packaged,
    parse,
    update,
)
from tests.digital.indicators.fixtures import APPS, snapshot


def write(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


# ---- the packaged snapshot ---------------------------------------------------------------------
def test_the_packaged_snapshot_loads_with_attribution_and_every_kind() -> None:
    packaged = load_packaged()
    assert {s.name for s in packaged.sources} == {"echap", "isdi"}
    echap = packaged.source("echap")
    assert echap and echap.licence == "CC-BY-4.0" and "Echap" in echap.attribution
    counts = packaged.counts()
    assert counts["stalkerware (echap)"]["apps"] == 147
    assert counts["stalkerware (echap)"]["packages"] == 613
    assert counts["stalkerware (echap)"]["certificates"] == 471
    assert counts["stalkerware (echap)"]["sha256"] == 3228
    assert counts["watchware (echap)"]["apps"] == 27
    assert counts["dual-use (isdi)"]["apps"] > 5000
    assert load() is packaged


def test_packaged_lookups_find_known_apps() -> None:
    packaged = load_packaged()
    truth = packaged.app_for_package("com.thetruth")
    assert truth and truth.name == "TheTruthSpy" and truth.kind is AppKind.STALKERWARE
    cert = packaged.app_for_certificate(
        "31:a6:ec:ec:d9:7c:f3:9b:c4:12:6b:87:45:cd:94:a7:c3:0b:f8:1c"
    )
    assert cert is truth
    life360 = packaged.app_for_ios_bundle("COM.LIFE360.SAFETYMAP")
    assert life360 and life360.kind is AppKind.WATCHWARE
    # A package listed as stalkerware by Echap and as watchware too resolves to stalkerware.
    both = packaged.app_for_package("org.findmykids.app")
    assert both and both.kind is AppKind.STALKERWARE
    assert packaged.app_for_package("com.android.chrome") is None


# ---- parsing and validation --------------------------------------------------------------------
def test_a_generated_set_parses_and_resolves_overlaps_by_kind() -> None:
    parsed = parse(snapshot())
    assert parsed.version == "2026-01-01+test"
    shared = parsed.app_for_package("com.shared.pkg")
    assert shared and shared.name == "SpyOne"
    assert parsed.app_for_apk_sha256("AB" * 32) is parsed.apps[0]
    assert parsed.ref(parsed.apps[0]).to_json() == {
        "set": "test",
        "name": "SpyOne",
        "version": "2026-01-01-abc",
    }
    assert parsed.app_for_ios_bundle("com.kidwatch.ios") is parsed.apps[1]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "not a JSON"),
        (b"\x00\xff\xfe binary", "not a JSON"),
        (b"[1, 2]", "JSON object"),
        (b'{"format": 2}', "unsupported format"),
        (snapshot(tamper=True), "content hash"),
        (snapshot()[:-20], "not a JSON"),
        (snapshot([]), "no stalkerware apps"),
        (snapshot([{**APPS[0], "certificates": []}]), "no stalkerware certificates"),
        (snapshot([{**APPS[0], "kind": "spyware"}]), "unknown kind"),
        (snapshot([{**APPS[0], "source": "elsewhere"}]), "not a listed source"),
        (snapshot([{**APPS[0], "certificates": ["aa" * 20]}]), "upper-case SHA-1"),
        (snapshot([{**APPS[0], "sha256": ["xyz"]}]), "SHA-256"),
        (snapshot([{**APPS[0], "colour": ["red"]}]), "unknown fields"),
        (snapshot([{**APPS[0], "packages": "com.one"}]), "list of strings"),
        (b"[" * 100000 + b"]" * 100000, "not a JSON"),
    ],
)
def test_bad_sets_are_refused_with_a_clear_message(data: bytes, message: str) -> None:
    with pytest.raises(IndicatorError, match=message):
        parse(data)


def test_load_reads_an_explicit_path_and_rereads_it_when_it_changes(tmp_path: Path) -> None:
    path = write(tmp_path / "set.json", snapshot())
    first = load(path)
    assert load(path) is first
    write(path, snapshot(version="2026-02-02+test", apps=APPS[:1]))
    assert load(path).version == "2026-02-02+test"


def test_load_of_a_missing_path_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(IndicatorError, match="cannot read"):
        load(tmp_path / "nope.json")


# ---- updating ----------------------------------------------------------------------------------
def test_update_installs_a_valid_set_and_load_prefers_it(tmp_path: Path) -> None:
    new = update(write(tmp_path / "new.json", snapshot()), tmp_path / "var")
    assert active_path(tmp_path / "var").read_bytes() == snapshot()
    assert load(data_dir=tmp_path / "var").version == new.version == "2026-01-01+test"
    assert load(data_dir=tmp_path / "empty") is load_packaged()


def test_a_failed_update_keeps_the_old_set(tmp_path: Path) -> None:
    data_dir = tmp_path / "var"
    update(write(tmp_path / "good.json", snapshot()), data_dir)
    for bad in (b"garbage", snapshot(tamper=True), snapshot([]), snapshot()[:100]):
        with pytest.raises(IndicatorError):
            update(write(tmp_path / "bad.json", bad), data_dir)
        assert active_path(data_dir).read_bytes() == snapshot()
        assert load(data_dir=data_dir).version == "2026-01-01+test"
    assert [p.name for p in active_path(data_dir).parent.iterdir()] == ["indicators.json"]


def test_update_keeps_the_previous_set_beside_the_new_one(tmp_path: Path) -> None:
    data_dir = tmp_path / "var"
    update(write(tmp_path / "a.json", snapshot()), data_dir)
    update(write(tmp_path / "b.json", snapshot(version="2026-03-03+test")), data_dir)
    previous = active_path(data_dir).with_name("indicators.previous.json")
    assert json.loads(previous.read_bytes())["version"] == "2026-01-01+test"


def test_update_checks_an_expected_hash(tmp_path: Path) -> None:
    path = write(tmp_path / "a.json", snapshot())
    with pytest.raises(IndicatorError, match="not the expected"):
        update(path, tmp_path / "var", expected_sha256="0" * 64)
    assert not active_path(tmp_path / "var").exists()
    good = parse(snapshot()).content_sha256
    assert update(path, tmp_path / "var", expected_sha256=good.upper()).content_sha256 == good


def test_update_refuses_a_file_over_the_size_cap(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(indicators.store, "MAX_SNAPSHOT_BYTES", 100)
    with pytest.raises(IndicatorError, match="larger than"):
        update(write(tmp_path / "a.json", snapshot()), tmp_path / "var")


# ---- fetching ----------------------------------------------------------------------------------
def fake_opener(body: bytes) -> indicators.store.Opener:
    def opener(url: str, timeout: float) -> IO[bytes]:
        assert url.startswith("https://") and timeout > 0
        return io.BytesIO(body)

    return opener


def test_update_from_an_https_url_uses_the_opener(tmp_path: Path) -> None:
    new = update("https://example.org/set.json", tmp_path / "var", opener=fake_opener(snapshot()))
    assert new.version == "2026-01-01+test"


@pytest.mark.parametrize("url", ["http://example.org/x.json", "file:///etc/passwd", "ftp://x/y"])
def test_only_https_urls_are_fetched(url: str) -> None:
    with pytest.raises(IndicatorError, match="only https"):
        fetch(url, opener=fake_opener(snapshot()))


def test_a_download_over_the_cap_is_refused() -> None:
    with pytest.raises(IndicatorError, match="larger than"):
        fetch("https://example.org/x.json", opener=fake_opener(b"x" * 101), limit=100)


def test_a_failed_download_is_a_clear_error() -> None:
    def broken(url: str, timeout: float) -> IO[bytes]:
        raise OSError("network unreachable")

    with pytest.raises(IndicatorError, match="download failed"):
        fetch("https://example.org/x.json", opener=broken)


def test_redirects_away_from_https_are_refused() -> None:
    handler = indicators.store._https_only_redirects()
    with pytest.raises(IndicatorError, match="away from https"):
        handler.redirect_request(None, None, 302, "Found", {}, "http://example.org/x")


def test_loading_indicators_does_not_import_urllib() -> None:
    # urllib.request is slow to import and only `update --from https://` needs it.
    code = (
        "import sys, courseline.digital.indicators as i; i.load_packaged(); "
        "print('urllib.request' in sys.modules)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert done.stdout.strip() == "False"
