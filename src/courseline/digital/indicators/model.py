"""The typed indicator store: apps (stalkerware, watchware, dual-use) and their indicators.

An ``IndicatorSet`` is immutable. Lookups are exact and indexed; when several apps share an
indicator (upstream lists overlap), stalkerware wins over watchware, watchware over dual-use.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from courseline.digital.findings import IndicatorRef


class IndicatorError(Exception):
    """An indicator set is missing, corrupt or fails validation; the message says why."""


class AppKind(StrEnum):
    STALKERWARE = "stalkerware"
    WATCHWARE = "watchware"
    DUAL_USE = "dual-use"


KIND_PRIORITY = {AppKind.STALKERWARE: 0, AppKind.WATCHWARE: 1, AppKind.DUAL_USE: 2}


@dataclass(frozen=True, slots=True)
class SourceInfo:
    """Where a group of indicators comes from, under which licence, and how to credit it."""

    name: str
    version: str
    licence: str
    url: str
    attribution: str
    date: str = ""
    commit: str = ""
    licence_file: str = ""


@dataclass(frozen=True, slots=True)
class App:
    """One app family and its indicators. ``certificates`` are SHA-1, upper-case hex.

    ``websites`` and ``distribution`` are vendor sites: visiting them is never an infection.
    ``distribution`` may hold full URLs as well as host names.
    """

    name: str
    kind: AppKind
    source: str
    aliases: tuple[str, ...] = ()
    packages: tuple[str, ...] = ()
    certificates: tuple[str, ...] = ()
    sha256: tuple[str, ...] = ()
    websites: tuple[str, ...] = ()
    distribution: tuple[str, ...] = ()
    c2_domains: tuple[str, ...] = ()
    c2_ips: tuple[str, ...] = ()
    ios_bundles: tuple[str, ...] = ()
    certificate_organizations: tuple[str, ...] = ()
    certificate_cname_re: tuple[str, ...] = ()


COUNTED_FIELDS = (
    "packages",
    "certificates",
    "sha256",
    "websites",
    "distribution",
    "c2_domains",
    "c2_ips",
    "ios_bundles",
)


def normalise_certificate(value: str) -> str:
    """``ab:cd:…`` or ``abcd…`` → ``ABCD…`` (the form indicators use)."""
    return value.strip().replace(":", "").upper()


@dataclass(frozen=True)
class IndicatorSet:
    version: str
    sources: tuple[SourceInfo, ...]
    apps: tuple[App, ...]
    content_sha256: str = ""
    _by_package: dict[str, App] = field(init=False, repr=False, compare=False)
    _by_cert: dict[str, App] = field(init=False, repr=False, compare=False)
    _by_sha256: dict[str, App] = field(init=False, repr=False, compare=False)
    _by_bundle: dict[str, App] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_package: dict[str, App] = {}
        by_cert: dict[str, App] = {}
        by_sha256: dict[str, App] = {}
        by_bundle: dict[str, App] = {}
        ranked = sorted(self.apps, key=lambda a: KIND_PRIORITY[a.kind])  # stable
        for app in ranked:
            for package in app.packages:
                by_package.setdefault(package, app)
            for cert in app.certificates:
                by_cert.setdefault(cert, app)
            for digest in app.sha256:
                by_sha256.setdefault(digest, app)
            for bundle in app.ios_bundles:
                by_bundle.setdefault(bundle.lower(), app)
        object.__setattr__(self, "_by_package", by_package)
        object.__setattr__(self, "_by_cert", by_cert)
        object.__setattr__(self, "_by_sha256", by_sha256)
        object.__setattr__(self, "_by_bundle", by_bundle)

    def app_for_package(self, package: str) -> App | None:
        """Android application ids are case-sensitive: exact match."""
        return self._by_package.get(package.strip())

    def app_for_certificate(self, sha1_hex: str) -> App | None:
        return self._by_cert.get(normalise_certificate(sha1_hex))

    def app_for_apk_sha256(self, digest: str) -> App | None:
        return self._by_sha256.get(digest.strip().lower())

    def app_for_ios_bundle(self, bundle: str) -> App | None:
        """Apple treats bundle ids case-insensitively, so the match ignores case."""
        return self._by_bundle.get(bundle.strip().lower())

    def source(self, name: str) -> SourceInfo | None:
        return next((s for s in self.sources if s.name == name), None)

    def ref(self, app: App) -> IndicatorRef:
        """The reference a finding carries: source set, app name and the source's version."""
        source = self.source(app.source)
        return IndicatorRef(set=app.source, name=app.name, version=source.version if source else "")

    def counts(self) -> dict[str, dict[str, int]]:
        """Per ``"<kind> (<source>)"``: the number of apps and of distinct values per field."""
        table: dict[str, dict[str, set[str]]] = {}
        apps: dict[str, int] = {}
        for app in self.apps:
            label = f"{app.kind.value} ({app.source})"
            apps[label] = apps.get(label, 0) + 1
            row = table.setdefault(label, {name: set() for name in COUNTED_FIELDS})
            for name in COUNTED_FIELDS:
                row[name].update(getattr(app, name))
        return {
            label: {"apps": apps[label], **{k: len(v) for k, v in row.items()}}
            for label, row in table.items()
        }
