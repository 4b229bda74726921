"""`courseline network check` (tested on the network sub-app; the lead registers it)."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from courseline.cli.network import network_app
from tests.digital.network import fixtures as fx

runner = CliRunner()


class _Picked:
    def __init__(self, c2: str, site: str) -> None:
        self.c2_domains, self.websites = (c2,), (site,)


@pytest.fixture
def indicators() -> object:
    """A C2 domain and a vendor website of one stalkerware app in the packaged set (a website
    that is not also under some app's C2 domain)."""
    from courseline.digital.indicators import load
    from courseline.digital.network import Category, default_watchlist

    watchlist = default_watchlist()
    for app in load().apps:
        sites = [
            w
            for w in app.websites
            if (m := watchlist.match_domain(w)) is not None and m.category is Category.VENDOR
        ]
        if app.kind == "stalkerware" and app.c2_domains and sites:
            return _Picked(app.c2_domains[0], sites[0])
    raise AssertionError("the packaged set has no stalkerware app with C2 and website")


def _capture(tmp_path: Path, *names: str, tail: bytes = b"") -> Path:
    path = tmp_path / "c.pcap"
    frames = [(fx.T0 + i, fx.dns_query_frame(n)) for i, n in enumerate(names)]
    path.write_bytes(fx.pcap(frames) + tail)
    return path


def test_json_output_has_the_documented_shape_with_c2_and_vendor_apart(
    tmp_path: Path, indicators: object
) -> None:
    c2, site = indicators.c2_domains[0], indicators.websites[0]  # type: ignore[attr-defined]
    path = _capture(tmp_path, "x." + c2, site, "www.gov.uk")
    result = runner.invoke(
        network_app,
        ["check", "--consent", "Jo Bloggs", str(path), "--format", "json", "--list-domains"],
    )
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["schema"] == 1 and document["summary"]["packets"] == 3
    categories = {h["value"]: h["category"] for h in document["hits"]}
    assert categories["x." + c2] == "c2" and categories[site.lower()] == "vendor"
    severities = {f["evidence"]["value"]: f["severity"] for f in document["findings"]}
    assert severities["x." + c2] == "critical" and severities[site.lower()] == "low"
    vendor = next(f for f in document["findings"] if f["check"] == "network.vendor-site")
    assert "not a sign of infection" in vendor["not_meaning"]
    assert "infect" not in vendor["meaning"].lower()
    assert document["no_c2_hit"] is None and document["not_checked"]
    assert {e["name"] for e in document["dns_query_names"]} == {
        "x." + c2,
        site.lower(),
        "www.gov.uk",
    }
    hit = next(h for h in document["hits"] if h["category"] == "c2")
    assert hit["clients"] == [fx.CLIENT] and hit["first_seen"].startswith("2025-11-28T03:20:00")


def test_text_output_explains_a_clean_result_honestly(tmp_path: Path) -> None:
    result = runner.invoke(
        network_app, ["check", "--consent", "Jo Bloggs", str(_capture(tmp_path, "www.gov.uk"))]
    )
    assert result.exit_code == 0, result.output
    assert "No traffic to a listed monitoring-app server" in result.output
    assert "does not show the device is free" in result.output
    assert "Not checked:" in result.output and "Encrypted DNS" in result.output


def test_text_output_shows_c2_hits_with_meaning_and_safe_next_step(
    tmp_path: Path, indicators: object
) -> None:
    c2 = indicators.c2_domains[0]  # type: ignore[attr-defined]
    result = runner.invoke(
        network_app, ["check", "--consent", "Jo Bloggs", str(_capture(tmp_path, c2))]
    )
    assert result.exit_code == 0, result.output
    assert "CRITICAL" in result.output and "What it does not mean" in result.output
    assert "before removing anything" in result.output


def test_a_truncated_capture_warns_and_still_shows_results(
    tmp_path: Path, indicators: object
) -> None:
    c2 = indicators.c2_domains[0]  # type: ignore[attr-defined]
    path = _capture(tmp_path, c2, tail=b"\x01\x02\x03\x04\x05")
    result = runner.invoke(
        network_app, ["check", "--consent", "Jo Bloggs", str(path), "--format", "json"]
    )
    assert result.exit_code == 0
    document = json.loads(result.stdout)
    assert document["summary"]["truncated"] and len(document["hits"]) == 1
    assert "cut short" in result.stderr


@pytest.mark.parametrize("data", [b"garbage" * 10, b"\xd4\xc3\xb2\xa1\x02", b""])
def test_an_unreadable_capture_is_a_clear_error_without_traceback(
    tmp_path: Path, data: bytes
) -> None:
    path = tmp_path / "bad.pcap"
    path.write_bytes(data)
    result = runner.invoke(network_app, ["check", "--consent", "Jo Bloggs", str(path)])
    assert result.exit_code == 2
    assert "Cannot check" in result.stderr and "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_a_missing_file_or_bad_indicator_set_is_a_clear_error(tmp_path: Path) -> None:
    result = runner.invoke(
        network_app, ["check", "--consent", "Jo Bloggs", str(tmp_path / "none.pcap")]
    )
    assert result.exit_code == 2 and "does not exist" in result.stderr
    bad = tmp_path / "bad.json"
    bad.write_text("{nope")
    path = _capture(tmp_path, "a.test")
    result = runner.invoke(
        network_app, ["check", "--consent", "Jo Bloggs", str(path), "--indicators", str(bad)]
    )
    assert result.exit_code == 2 and "Cannot load the indicator set" in result.stderr


def test_markup_in_hostile_names_is_printed_literally(tmp_path: Path, indicators: object) -> None:
    c2 = indicators.c2_domains[0]  # type: ignore[attr-defined]
    path = _capture(tmp_path, "[bold]x." + c2)
    result = runner.invoke(network_app, ["check", "--consent", "Jo Bloggs", str(path)])
    assert result.exit_code == 0
    assert "\\091bold\\093x." in result.output


def test_a_capture_file_name_is_printed_literally(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "[").mkdir()
    good = Path("[/b] [bold]x :warning:.pcap")  # in a folder named "["
    good.write_bytes(fx.pcap([(fx.T0, fx.dns_query_frame("www.gov.uk"))]))
    result = runner.invoke(network_app, ["check", "--consent", "Jo Bloggs", str(good)])
    assert result.exit_code == 0, result.exception
    assert result.output.startswith("[/b] [bold]x :warning:.pcap: pcap, 1 packets")
    bad = Path("[/b] [link=x]bad.pcap")
    bad.write_bytes(b"garbage" * 10)
    result = runner.invoke(network_app, ["check", "--consent", "Jo Bloggs", str(bad)])
    assert result.exit_code == 2, result.exception
    assert "Cannot check [/b] [link=x]bad.pcap: this is not a pcap" in result.stderr


def test_app_names_from_an_indicator_set_are_printed_literally(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.digital.indicators import fixtures as indicator_fx

    monkeypatch.chdir(tmp_path)
    apps = copy.deepcopy(indicator_fx.APPS)
    apps[0]["name"] = "[/b][i]Spy :cat:"  # its C2 domain is c2.spyone.example
    Path("set.json").write_bytes(indicator_fx.snapshot(apps))
    path = _capture(tmp_path, "c2.spyone.example")
    result = runner.invoke(
        network_app, ["check", "--consent", "Jo Bloggs", str(path), "--indicators", "set.json"]
    )
    assert result.exit_code == 0, result.exception
    assert "│ [/b][i]Spy" in result.output  # the table cell
    assert "used by [/b][i]Spy :cat: (dns-query: c2.spyone.example)" in result.output


def test_it_refuses_to_run_without_consent_and_records_it(tmp_path: Path) -> None:
    path = _capture(tmp_path, "www.gov.uk")
    for missing in ([], ["--consent", "  "]):
        refused = runner.invoke(network_app, ["check", str(path), *missing])
        assert refused.exit_code == 2
        assert "needs the owner's consent" in " ".join(refused.output.split())
    args = ["check", str(path), "--consent", "Jo Bloggs", "--consultant", "Sam", "--format", "json"]
    result = runner.invoke(network_app, args)
    assert result.exit_code == 0, result.output
    consent = json.loads(result.stdout)["consent"]
    assert consent["owner"] == "Jo Bloggs" and consent["consultant"] == "Sam"
    text = runner.invoke(network_app, ["check", str(path), "--consent", "Jo Bloggs"])
    assert "Consent: Jo Bloggs, " in text.output


def test_it_reads_the_indicator_set_that_indicators_update_installed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from courseline.digital.indicators import active_path
    from tests.digital.indicators import fixtures as indicator_fx

    apps = copy.deepcopy(indicator_fx.APPS)
    apps[0]["name"] = "Updated Spy"  # its C2 domain is c2.spyone.example
    # No COURSELINE_DATA_DIR: `indicators update` then installs into ./var, where the device
    # check already looked; the network check used to read only the packaged set.
    monkeypatch.delenv("COURSELINE_DATA_DIR", raising=False)
    monkeypatch.chdir(tmp_path)
    active = active_path(Path("var"))
    active.parent.mkdir(parents=True, exist_ok=True)
    active.write_bytes(indicator_fx.snapshot(apps))
    path = _capture(tmp_path, "c2.spyone.example")
    result = runner.invoke(network_app, ["check", str(path), "--consent", "Jo Bloggs"])
    assert result.exit_code == 0, result.output
    assert "Updated Spy" in result.output
