"""Convert the shared indicator data into the snapshot shipped inside the package.

    python scripts/build_indicators.py [--data ../shared/data] [--out DIR] [--check]

Inputs (``../shared/data`` next to the repository, each folder with a PROVENANCE.md):

* ``stalkerware-indicators/`` (Echap, CC-BY 4.0): ``ioc.yaml`` (stalkerware), ``watchware.yaml``
  (overt monitoring apps) and ``samples.csv`` (APK SHA-256 per app).
* ``isdi-app-flags/app-flags.csv`` (ISDi, MIT): ``dual-use`` rows become dual-use apps, ``spyware``
  rows not already in Echap's data become stalkerware from ISDi. Its ``stalkerware`` rows are
  copies of Echap's package names and are skipped (Echap's current data is used instead);
  ``safe`` rows are skipped. The file is UTF-8 (not latin-1), with CRLF line ends.

TinyCheck's lists are not converted: they are stale (2023), their stalkerware domains come from an
older Echap release, their certificate hashes are TLS certificates (not APK signing
certificates) and the role of their extra domains (C2 or vendor site) is unknown.

Output (``src/courseline/digital/indicators/data/``): ``indicators.json`` (one app per line;
``content_sha256`` is the SHA-256 of the canonical JSON of ``format``, ``sources`` and ``apps``),
``ATTRIBUTION.md`` and the sources' licence files. The output is deterministic: re-running on the
same data gives the same bytes (``--check`` verifies that without writing).
"""

from __future__ import annotations

import argparse
import csv
import io
import ipaddress
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from courseline.digital.indicators.model import (
    COUNTED_FIELDS,
    IndicatorError,
    IndicatorSet,
    normalise_certificate,
)
from courseline.digital.indicators.store import LIST_FIELDS, canonical_json, content_hash, parse

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA = ROOT.parent / "shared" / "data"
DEFAULT_OUT = ROOT / "src" / "courseline" / "digital" / "indicators" / "data"
FORMAT = 1

KIND_ORDER = {"stalkerware": 0, "watchware": 1, "dual-use": 2}
CERT_RE = re.compile(r"[0-9A-F]{40}")
SHA256_RE = re.compile(r"[0-9a-f]{64}")
PACKAGE_RE = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.\-]{0,254}")
HOST_RE = re.compile(r"(?=.{1,253}$)([a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?\.)*[a-z0-9-]{1,63}")
# Signing keys that are public and shared by unrelated apps: never an indicator of one app.
# AOSP's published "testkey" signs test builds and many custom-ROM system apps.
SHARED_PUBLIC_CERTS = {"61ED377E85D386A8DFEE6B864BD85B0BFAA5AF81": "AOSP testkey"}


class BuildError(Exception):
    """The shared data is not what the converter expects."""


@dataclass
class AppRecord:
    name: str
    kind: str
    source: str
    aliases: set[str] = field(default_factory=set)
    packages: set[str] = field(default_factory=set)
    certificates: set[str] = field(default_factory=set)
    sha256: set[str] = field(default_factory=set)
    websites: set[str] = field(default_factory=set)
    distribution: set[str] = field(default_factory=set)
    c2_domains: set[str] = field(default_factory=set)
    c2_ips: set[str] = field(default_factory=set)
    ios_bundles: set[str] = field(default_factory=set)
    certificate_organizations: set[str] = field(default_factory=set)
    certificate_cname_re: set[str] = field(default_factory=set)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.name, "kind": self.kind, "source": self.source}
        for key in LIST_FIELDS:
            values: set[str] = getattr(self, key)
            if values:
                out[key] = sorted(values)
        return out


# ---- provenance --------------------------------------------------------------------------------
def provenance(folder: Path) -> tuple[str, str]:
    """The upstream commit (40 hex) and its date (YYYY-MM-DD), read from PROVENANCE.md."""
    path = folder / "PROVENANCE.md"
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as problem:
        raise BuildError(f"{path}: cannot read: {problem}") from problem
    match = re.search(r"commit\s+([0-9a-f]{40})\s*\n?\s*\((\d{4}-\d{2}-\d{2})", text)
    if not match:
        raise BuildError(f"{path}: no 'commit <40 hex> (YYYY-MM-DD' line found")
    return match.group(1), match.group(2)


# ---- field normalisers -------------------------------------------------------------------------
def _strings(raw: Any, where: str) -> list[str]:
    if raw is None:
        return []
    if not isinstance(raw, list) or not all(isinstance(item, str) for item in raw):
        raise BuildError(f"{where}: expected a list of strings")
    return [item.strip() for item in raw if item.strip()]


def _host(value: str, where: str) -> str:
    host = value.strip().lower().rstrip(".")
    if not HOST_RE.fullmatch(host):
        raise BuildError(f"{where}: not a host name: {value!r}")
    return host


def _distribution(value: str, where: str) -> str:
    # A few entries are full URLs (e.g. a code-hosting page); they are kept as URLs so that a
    # network matcher never turns them into a whole hosting domain.
    if value.startswith(("http://", "https://")):
        return value
    return _host(value, where)


def _ip(value: str, where: str) -> str:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError as problem:
        raise BuildError(f"{where}: not an IP address: {value!r}") from problem


def _cert(value: str, where: str) -> str:
    # The same normalisation the app applies to certificates it reads from a phone.
    cert = normalise_certificate(value)
    if not CERT_RE.fullmatch(cert):
        raise BuildError(f"{where}: not a SHA-1 certificate fingerprint: {value!r}")
    return cert


def _package(value: str, where: str) -> str:
    if not PACKAGE_RE.fullmatch(value):
        raise BuildError(f"{where}: not a package or bundle id: {value!r}")
    return value


# ---- Echap -------------------------------------------------------------------------------------
ECHAP_KEYS = {
    "name",
    "names",
    "type",
    "packages",
    "certificates",
    "websites",
    "distribution",
    "c2",
    "certificate_organizations",
    "certificate_cname_re",
    "ios_bundles",
}


def _echap_app(raw: Any, kind: str, where: str, excluded: list[str]) -> AppRecord:
    if not isinstance(raw, dict) or not isinstance(raw.get("name"), str):
        raise BuildError(f"{where}: each entry needs a 'name'")
    name = raw["name"].strip()
    where = f"{where} ({name})"
    unknown = set(raw) - ECHAP_KEYS
    if unknown:
        raise BuildError(f"{where}: unknown keys {sorted(unknown)}")
    if raw.get("type") != kind:
        raise BuildError(f"{where}: type {raw.get('type')!r}, expected {kind!r}")
    app = AppRecord(name=name, kind=kind, source="echap")
    app.aliases = {n for n in _strings(raw.get("names"), f"{where}.names") if n != name}
    app.packages = {_package(p, where) for p in _strings(raw.get("packages"), f"{where}.packages")}
    for cert in _strings(raw.get("certificates"), f"{where}.certificates"):
        sha1 = _cert(cert, where)
        if sha1 in SHARED_PUBLIC_CERTS:
            excluded.append(f"{name}: certificate {sha1} ({SHARED_PUBLIC_CERTS[sha1]})")
        else:
            app.certificates.add(sha1)
    app.websites = {_host(w, where) for w in _strings(raw.get("websites"), f"{where}.websites")}
    app.distribution = {
        _distribution(d, where) for d in _strings(raw.get("distribution"), f"{where}.distribution")
    }
    app.ios_bundles = {
        _package(b, where) for b in _strings(raw.get("ios_bundles"), f"{where}.ios_bundles")
    }
    app.certificate_organizations = set(
        _strings(raw.get("certificate_organizations"), f"{where}.certificate_organizations")
    )
    for pattern in _strings(raw.get("certificate_cname_re"), f"{where}.certificate_cname_re"):
        try:
            re.compile(pattern)
        except re.error as problem:
            raise BuildError(f"{where}: bad certificate_cname_re {pattern!r}") from problem
        app.certificate_cname_re.add(pattern)
    c2 = raw.get("c2") or {}
    if not isinstance(c2, dict) or set(c2) - {"domains", "ips", "ip"}:
        raise BuildError(f"{where}: c2 must hold only domains and ips")
    app.c2_domains = {_host(d, where) for d in _strings(c2.get("domains"), f"{where}.c2.domains")}
    # Schema drift upstream: a few entries spell the key ``c2.ip`` instead of ``c2.ips``.
    ips = _strings(c2.get("ips"), f"{where}.c2.ips") + _strings(c2.get("ip"), f"{where}.c2.ip")
    app.c2_ips = {_ip(ip, where) for ip in ips}
    return app


def load_echap(folder: Path, excluded: list[str]) -> list[AppRecord]:
    apps: list[AppRecord] = []
    for file_name, kind in (("ioc.yaml", "stalkerware"), ("watchware.yaml", "watchware")):
        path = folder / file_name
        try:
            raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError) as problem:
            raise BuildError(f"{path}: cannot read: {problem}") from problem
        if not isinstance(raw, list):
            raise BuildError(f"{path}: expected a list of apps")
        seen: set[str] = set()
        for index, entry in enumerate(raw):
            app = _echap_app(entry, kind, f"{file_name}[{index}]", excluded)
            if app.name in seen:
                raise BuildError(f"{file_name}: app {app.name!r} appears twice")
            seen.add(app.name)
            apps.append(app)
    _merge_samples(folder / "samples.csv", apps)
    return apps


def _sample_app(app_name: str, package: str, apps: list[AppRecord]) -> AppRecord:
    """The app a samples.csv row belongs to: by canonical name, else by alias.

    Ambiguity (an alias shared by two apps, or an app listed both as stalkerware and watchware)
    is settled by the sample's package name, then by preferring stalkerware.
    """
    key = app_name.strip().lower()
    candidates = [a for a in apps if a.name.lower() == key]
    if not candidates:
        candidates = [a for a in apps if key in {n.lower() for n in a.aliases}]
    if len(candidates) > 1 and package:
        by_package = [a for a in candidates if package in a.packages]
        candidates = by_package or candidates
    candidates.sort(key=lambda a: KIND_ORDER[a.kind])
    if not candidates:
        raise BuildError(f"samples.csv: app {app_name!r} is not in ioc.yaml or watchware.yaml")
    return candidates[0]


def _merge_samples(path: Path, apps: list[AppRecord]) -> None:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as problem:
        raise BuildError(f"{path}: cannot read: {problem}") from problem
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    if header != ["SHA256", "Package Name", "Certificate", "Version", "App"]:
        raise BuildError(f"{path}: unexpected header {header!r}")
    for line, row in enumerate(reader, start=2):
        if len(row) != 5:
            raise BuildError(f"{path}:{line}: expected 5 columns")
        digest = row[0].strip().lower()
        if not SHA256_RE.fullmatch(digest):
            raise BuildError(f"{path}:{line}: not a SHA-256: {row[0]!r}")
        # The sample's signing certificate is deliberately not merged: samples include apps
        # signed with shared public test keys, which would flag unrelated apps.
        _sample_app(row[4], row[1].strip(), apps).sha256.add(digest)


# ---- ISDi --------------------------------------------------------------------------------------
ISDI_STORES = {"playstore", "appstore", "offstore"}
ISDI_FLAGS = {"dual-use", "stalkerware", "spyware", "safe"}


def load_isdi(folder: Path, echap: list[AppRecord], skipped: dict[str, int]) -> list[AppRecord]:
    path = folder / "app-flags.csv"
    try:
        text = path.read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError) as problem:
        raise BuildError(f"{path}: cannot read as UTF-8: {problem}") from problem
    known_packages = {p for a in echap for p in a.packages}
    known_bundles = {b.lower() for a in echap for b in a.ios_bundles}
    reader = csv.DictReader(io.StringIO(text))
    if reader.fieldnames != ["appId", "store", "flag", "title"]:
        raise BuildError(f"{path}: unexpected header {reader.fieldnames!r}")
    apps: dict[tuple[str, str], AppRecord] = {}
    for line, row in enumerate(reader, start=2):
        app_id, store, flag = row["appId"].strip(), row["store"], row["flag"]
        if store not in ISDI_STORES or flag not in ISDI_FLAGS:
            raise BuildError(f"{path}:{line}: unknown store {store!r} or flag {flag!r}")
        _package(app_id, f"{path}:{line}")
        ios = store == "appstore"
        if flag == "safe":
            skipped["safe"] = skipped.get("safe", 0) + 1
            continue
        if (app_id.lower() in known_bundles) if ios else (app_id in known_packages):
            skipped[f"{flag} (already in Echap)"] = skipped.get(f"{flag} (already in Echap)", 0) + 1
            continue
        if flag == "stalkerware":
            # ISDi copies these rows from Echap; an id no longer in Echap's data was removed there.
            skipped["stalkerware (dropped by Echap)"] = (
                skipped.get("stalkerware (dropped by Echap)", 0) + 1
            )
            continue
        kind = "dual-use" if flag == "dual-use" else "stalkerware"
        name = (row["title"] or "").strip() or app_id
        record = apps.setdefault((kind, app_id), AppRecord(name=name, kind=kind, source="isdi"))
        (record.ios_bundles if ios else record.packages).add(app_id)
    return list(apps.values())


# ---- assembly ----------------------------------------------------------------------------------
ECHAP_ATTRIBUTION = (
    "Stalkerware and watchware indicators by Echap (AssoEchap/stalkerware-indicators, "
    "maintained by Julien Voisin and Tek), licensed under CC BY 4.0. Converted to Courseline's "
    "format: fields renamed, values normalised (upper-case certificate fingerprints, lower-case "
    "host names), APK hashes from samples.csv attached to their app."
)
ISDI_ATTRIBUTION = (
    "Dual-use and spyware app flags from ISDi (stopipv/isdi, src/isdi/data/app-flags.csv), "
    "Copyright (c) 2018 Cornell University, MIT licence. Rows that ISDi copied from Echap are "
    "taken from Echap's own data instead."
)


def _sort_key(app: AppRecord) -> tuple[int, str, str, str]:
    first = min(app.packages | app.ios_bundles | {""})
    return (KIND_ORDER[app.kind], app.source, app.name.lower(), first)


def build(data_dir: Path) -> dict[str, bytes]:
    """The snapshot files (name → bytes) built from ``data_dir``; raises BuildError."""
    echap_dir = data_dir / "stalkerware-indicators"
    isdi_dir = data_dir / "isdi-app-flags"
    excluded: list[str] = []
    skipped: dict[str, int] = {}
    echap = load_echap(echap_dir, excluded)
    isdi = load_isdi(isdi_dir, echap, skipped)
    apps = sorted(echap + isdi, key=_sort_key)
    echap_commit, echap_date = provenance(echap_dir)
    isdi_commit, isdi_date = provenance(isdi_dir)
    sources = [
        {
            "name": "echap",
            "version": f"{echap_date}-{echap_commit[:12]}",
            "date": echap_date,
            "commit": echap_commit,
            "licence": "CC-BY-4.0",
            "licence_file": "LICENSE-echap-CC-BY-4.0.txt",
            "url": "https://github.com/AssoEchap/stalkerware-indicators",
            "attribution": ECHAP_ATTRIBUTION,
            "excluded": sorted(excluded),
        },
        {
            "name": "isdi",
            "version": f"{isdi_date}-{isdi_commit[:12]}",
            "date": isdi_date,
            "commit": isdi_commit,
            "licence": "MIT",
            "licence_file": "LICENSE-isdi-MIT.txt",
            "url": "https://github.com/stopipv/isdi",
            "attribution": ISDI_ATTRIBUTION,
            "skipped_rows": dict(sorted(skipped.items())),
        },
    ]
    app_json = [app.to_json() for app in apps]
    # The hash the loader checks, computed by the loader's own function.
    digest = content_hash({"format": FORMAT, "sources": sources, "apps": app_json})
    newest = max(echap_date, isdi_date)
    header = {
        "content_sha256": digest,
        "format": FORMAT,
        "sources": sources,
        "version": f"{newest}+{digest[:12]}",
    }
    lines = [canonical_json(header)[:-1].decode() + ',"apps":[']
    lines += [
        canonical_json(a).decode() + ("," if i < len(app_json) - 1 else "")
        for i, a in enumerate(app_json)
    ]
    lines.append("]}")
    snapshot = ("\n".join(lines) + "\n").encode()
    return {
        "indicators.json": snapshot,
        "ATTRIBUTION.md": attribution(sources, load_snapshot(snapshot)).encode(),
        "LICENSE-echap-CC-BY-4.0.txt": (echap_dir / "LICENSE.txt").read_bytes(),
        "LICENSE-isdi-MIT.txt": (isdi_dir / "LICENSE").read_bytes(),
    }


def load_snapshot(snapshot: bytes) -> IndicatorSet:
    """The snapshot as the app will load it: the build fails if the app would refuse it."""
    try:
        return parse(snapshot, origin="the built snapshot")
    except IndicatorError as problem:
        raise BuildError(str(problem)) from problem


def attribution(sources: list[dict[str, Any]], snapshot: IndicatorSet) -> str:
    version = snapshot.version
    lines = [
        "# Indicator data: sources and licences",
        "",
        f"Snapshot `{version}`, built by `scripts/build_indicators.py` from the project's copy of",
        "the upstream data (see each source's commit below). Do not edit `indicators.json` by",
        "hand: re-run the script.",
        "",
    ]
    for source in sources:
        lines += [
            f"## {source['name']}",
            "",
            f"- Upstream: {source['url']} at commit `{source['commit']}` ({source['date']})",
            f"- Licence: {source['licence']}, full text in `{source['licence_file']}`",
            f"- {source['attribution']}",
        ]
        for item in source.get("excluded", []):
            lines.append(f"- Excluded (shared public key, not specific to the app): {item}")
        for reason, number in source.get("skipped_rows", {}).items():
            lines.append(f"- Rows skipped: {number} {reason}")
        lines.append("")
    lines += [
        "## Coverage",
        "",
        "| set | apps | packages | certificates | APK SHA-256 | "
        "websites | distribution | C2 domains | C2 IPs | iOS bundles |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for label, row in snapshot.counts().items():
        cells = [row.get(k, 0) for k in ("apps", *COUNTED_FIELDS)]
        lines.append(f"| {label} | " + " | ".join(str(c) for c in cells) + " |")
    lines += [
        "",
        "TinyCheck's lists (Apache-2.0) are not included: they date from 2023, their stalkerware",
        "domains come from an older Echap release, and their certificate hashes identify TLS",
        "certificates rather than app signing keys.",
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="the shared data folder")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="where to write")
    parser.add_argument("--check", action="store_true", help="compare instead of writing")
    args = parser.parse_args(argv)
    try:
        files = build(args.data)
    except BuildError as problem:
        print(f"build_indicators: {problem}", file=sys.stderr)
        return 2
    stale = [
        n
        for n, b in files.items()
        if not (args.out / n).is_file() or (args.out / n).read_bytes() != b
    ]
    if args.check:
        for name in stale:
            print(f"build_indicators: {name} differs from a fresh build", file=sys.stderr)
        return 1 if stale else 0
    args.out.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        (args.out / name).write_bytes(data)
    snapshot = load_snapshot(files["indicators.json"])
    print(f"wrote {len(files)} files to {args.out} (version {snapshot.version})")
    for label, row in snapshot.counts().items():
        print(f"  {label}: " + ", ".join(f"{k} {v}" for k, v in row.items()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
