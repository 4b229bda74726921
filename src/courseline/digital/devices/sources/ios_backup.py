"""An unencrypted iPhone backup folder made by Finder or iTunes (or ``idevicebackup2``).

Layout (as described by Apple's backup format write-ups and used by MVT's ``check-backup``):
``Info.plist`` (device details and ``Installed Applications``), ``Manifest.plist``
(``IsEncrypted``, ``Applications``), ``Manifest.db`` (SQLite table ``Files(fileID, domain,
relativePath, flags, file)``); each backed-up file is stored as ``<fileID[:2]>/<fileID>``.
Configuration profiles live in the domain
``SysSharedContainerDomain-systemgroup.com.apple.configurationprofiles`` under
``Library/ConfigurationProfiles/`` (``profile-*`` files; ``MDM.plist`` when enrolled in MDM).
"""

from __future__ import annotations

import datetime as dt
import plistlib
import re
import sqlite3
from pathlib import Path
from typing import Any

from courseline.digital.devices.model import (
    Acquisition,
    Capability,
    ConfigurationProfile,
    DeviceInfo,
    InstalledApp,
    Platform,
    SourceError,
)
from courseline.digital.devices.sources.files import read_capped

PROFILES_DOMAIN = "SysSharedContainerDomain-systemgroup.com.apple.configurationprofiles"
MAX_PLIST_BYTES = 32 * 1024 * 1024
MAX_MANIFEST_ROWS = 5_000
_FILE_ID = re.compile(r"[0-9a-f]{40}")
MDM_PAYLOAD = "com.apple.mdm"


def _plist(path: Path, limit: int = MAX_PLIST_BYTES) -> dict[str, Any]:
    data = read_capped(path, limit)
    try:
        value = plistlib.loads(data)
    except (plistlib.InvalidFileException, ValueError, OverflowError, TypeError, KeyError) as exc:
        raise SourceError(f"{path.name}: not a readable property list ({exc})") from None
    except Exception as exc:  # noqa: BLE001 - plistlib raises assorted errors on hostile input
        raise SourceError(
            f"{path.name}: not a readable property list ({type(exc).__name__})"
        ) from None
    if not isinstance(value, dict):
        raise SourceError(f"{path.name}: expected a dictionary at the top level")
    return value


def _str(value: Any) -> str | None:
    return value[:500] if isinstance(value, str) and value else None


def _date(value: Any) -> dt.datetime | None:
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    return None


def _manifest_rows(folder: Path) -> list[tuple[str, str]]:
    """(fileID, relativePath) of the profile files listed in Manifest.db."""
    db = folder / "Manifest.db"
    if not db.is_file():
        raise SourceError("Manifest.db is missing: not a complete iPhone backup")
    try:
        with open(db, "rb") as handle:
            header = handle.read(16)
    except OSError as problem:
        raise SourceError(f"Manifest.db: cannot read ({problem})") from None
    if header != b"SQLite format 3\x00":
        raise SourceError("Manifest.db is not an SQLite database (encrypted or damaged backup?)")
    uri = f"file:{db.resolve().as_posix()}?mode=ro&immutable=1"
    try:
        connection = sqlite3.connect(uri, uri=True)
        try:
            rows = connection.execute(
                "SELECT fileID, relativePath FROM Files WHERE domain = ? LIMIT ?",
                (PROFILES_DOMAIN, MAX_MANIFEST_ROWS),
            ).fetchall()
        finally:
            connection.close()
    except sqlite3.Error as problem:
        raise SourceError(f"Manifest.db: cannot be queried ({problem})") from None
    return [(str(r[0]), str(r[1])) for r in rows if isinstance(r[0], str) and isinstance(r[1], str)]


def _payload_types(plist: dict[str, Any]) -> tuple[str, ...]:
    content = plist.get("PayloadContent")
    if not isinstance(content, list):
        return ()
    types = {p.get("PayloadType") for p in content[:1000] if isinstance(p, dict)}
    return tuple(sorted(t for t in types if isinstance(t, str)))


def _profiles(folder: Path, notes: list[str]) -> list[ConfigurationProfile]:
    profiles: list[ConfigurationProfile] = []
    for file_id, relative in _manifest_rows(folder):
        base = relative.rsplit("/", 1)[-1]
        is_mdm_file = base == "MDM.plist"
        if not (base.startswith("profile-") or is_mdm_file) or not _FILE_ID.fullmatch(file_id):
            continue
        path = folder / file_id[:2] / file_id
        if not path.is_file():
            notes.append(f"profile file {relative} is listed but missing from the backup")
            continue
        try:
            plist = _plist(path)
        except SourceError as problem:
            notes.append(f"profile file {relative} could not be read: {problem}")
            continue
        if is_mdm_file:
            profiles.append(
                ConfigurationProfile(
                    identifier="MDM enrolment",
                    name=_str(plist.get("ServerURL")) or "device management (MDM)",
                    is_mdm=True,
                )
            )
            continue
        types = _payload_types(plist)
        profiles.append(
            ConfigurationProfile(
                identifier=_str(plist.get("PayloadIdentifier")) or base,
                name=_str(plist.get("PayloadDisplayName")),
                organization=_str(plist.get("PayloadOrganization")),
                is_mdm=MDM_PAYLOAD in types,
                payload_types=types,
                installed_at=_date(plist.get("InstallDate")),
            )
        )
    return profiles


def _apps(info: dict[str, Any], manifest: dict[str, Any]) -> tuple[InstalledApp, ...]:
    bundles: set[str] = set()
    installed = info.get("Installed Applications")
    if isinstance(installed, list):
        bundles |= {b for b in installed[:20000] if isinstance(b, str) and b}
    applications = manifest.get("Applications")
    if isinstance(applications, dict):
        bundles |= {b for b in list(applications)[:20000] if isinstance(b, str) and b}
    return tuple(InstalledApp(package=b[:300], system=False) for b in sorted(bundles))


def read_ios_backup(folder: Path) -> Acquisition:
    if not folder.is_dir():
        raise SourceError(f"{folder}: no such folder (give the backup's own folder)")
    if not (folder / "Info.plist").is_file() or not (folder / "Manifest.plist").is_file():
        raise SourceError(
            f"{folder.name}: no Info.plist and Manifest.plist: this is not an iPhone backup folder"
        )
    info = _plist(folder / "Info.plist")
    manifest = _plist(folder / "Manifest.plist")
    notes: list[str] = []
    capabilities = {Capability.IOS_APPS}
    profiles: list[ConfigurationProfile] = []
    if manifest.get("IsEncrypted") is True:
        notes.append(
            "the backup is encrypted: only the app list could be read; configuration profiles "
            "were not checked (make an unencrypted backup, or decrypt it first)"
        )
    else:
        profiles = _profiles(folder, notes)
        capabilities.add(Capability.PROFILES)
    apps = _apps(info, manifest)
    if not apps:
        notes.append("the backup lists no installed apps")
    device = DeviceInfo(
        platform=Platform.IOS,
        source="ios-backup",
        manufacturer="Apple",
        model=_str(info.get("Product Type")),
        os_version=_str(info.get("Product Version")),
        build=_str(info.get("Build Version")),
        serial=_str(info.get("Serial Number")),
        acquired_at=_date(info.get("Last Backup Date")),
    )
    return Acquisition(
        device=device,
        apps=apps,
        capabilities=frozenset(capabilities),
        profiles=tuple(profiles),
        notes=tuple(notes),
    )
