"""An unencrypted iPhone backup made by Finder or iTunes (or ``idevicebackup2``): the backup
folder itself, or a zip of it (read in place: nothing is extracted to disk).

Layout (as described by Apple's backup format write-ups and used by MVT's ``check-backup``):
``Info.plist`` (device details and ``Installed Applications``), ``Manifest.plist``
(``IsEncrypted``, ``Applications``), ``Manifest.db`` (SQLite table ``Files(fileID, domain,
relativePath, flags, file)``); each backed-up file is stored as ``<fileID[:2]>/<fileID>``.
Configuration profiles live in the domain
``SysSharedContainerDomain-systemgroup.com.apple.configurationprofiles`` under
``Library/ConfigurationProfiles/`` (``profile-*`` files; ``MDM.plist`` when enrolled in MDM).
Only those files are read: the rest of the backup (photos, messages, app data) is never opened.
"""

from __future__ import annotations

import datetime as dt
import plistlib
import re
import sqlite3
import zipfile
from collections.abc import Callable
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
from courseline.digital.devices.sources.files import open_zip, read_capped, read_member

PROFILES_DOMAIN = "SysSharedContainerDomain-systemgroup.com.apple.configurationprofiles"
MAX_PLIST_BYTES = 32 * 1024 * 1024
MAX_MANIFEST_ROWS = 5_000
# A zipped backup's Manifest.db is loaded into memory (not extracted), so it needs a cap; a
# backup of a full phone (a few hundred thousand files) has a Manifest.db of a few hundred MB.
MAX_MANIFEST_DB_BYTES = 512 * 1024 * 1024
# A backup holds one file per backed-up item: far more entries than other zips we read.
MAX_BACKUP_ENTRIES = 500_000
_SQLITE_HEADER = b"SQLite format 3\x00"
_FILE_ID = re.compile(r"[0-9a-f]{40}")
MDM_PAYLOAD = "com.apple.mdm"


Reader = Callable[[str, int], bytes | None]
"""Reads one file of the backup by its path inside the backup folder (``Info.plist``,
``ab/ab12…``), refusing more than the given number of bytes; ``None`` when there is no such
file."""
Connect = Callable[[], sqlite3.Connection]
"""Opens the backup's Manifest.db, read-only."""


def _folder_reader(folder: Path) -> Reader:
    def read(name: str, limit: int) -> bytes | None:
        path = folder / name
        return read_capped(path, limit) if path.is_file() else None

    return read


def _zip_reader(archive: zipfile.ZipFile) -> Reader:
    """Reads members of a zipped backup folder, wherever in the zip that folder is.

    Members are only looked up by name and read into memory with ``read_member``'s caps, so a
    hostile member name can never reach the file system.
    """
    names = {i.filename for i in archive.infolist() if not i.is_dir()}
    manifests = [n for n in names if n == "Manifest.plist" or n.endswith("/Manifest.plist")]
    if not manifests:
        raise SourceError("no Manifest.plist in the zip: this is not an iPhone backup folder")
    # The backup folder is the one holding the shallowest Manifest.plist.
    prefix = min(manifests, key=lambda n: (n.count("/"), n)).removesuffix("Manifest.plist")

    def read(name: str, limit: int) -> bytes | None:
        member = prefix + name
        return read_member(archive, member, limit) if member in names else None

    return read


def _plist(data: bytes, name: str) -> dict[str, Any]:
    try:
        value = plistlib.loads(data)
    except (plistlib.InvalidFileException, ValueError, OverflowError, TypeError, KeyError) as exc:
        raise SourceError(f"{name}: not a readable property list ({exc})") from None
    except Exception as exc:  # noqa: BLE001 - plistlib raises assorted errors on hostile input
        raise SourceError(f"{name}: not a readable property list ({type(exc).__name__})") from None
    if not isinstance(value, dict):
        raise SourceError(f"{name}: expected a dictionary at the top level")
    return value


def _str(value: Any) -> str | None:
    return value[:500] if isinstance(value, str) and value else None


def _date(value: Any) -> dt.datetime | None:
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    return None


def _check_header(header: bytes) -> None:
    if header[:16] != _SQLITE_HEADER:
        raise SourceError("Manifest.db is not an SQLite database (encrypted or damaged backup?)")


def _connect_file(db: Path) -> sqlite3.Connection:
    """A backup folder's Manifest.db, opened in place (read-only, never changed)."""
    if not db.is_file():
        raise SourceError("Manifest.db is missing: not a complete iPhone backup")
    try:
        with open(db, "rb") as handle:
            _check_header(handle.read(16))
    except OSError as problem:
        raise SourceError(f"Manifest.db: cannot read ({problem})") from None
    return sqlite3.connect(f"file:{db.resolve().as_posix()}?mode=ro&immutable=1", uri=True)


def _connect_memory(read: Reader) -> sqlite3.Connection:
    """A zipped backup's Manifest.db, loaded into an in-memory database: nothing on disk."""
    data = read("Manifest.db", MAX_MANIFEST_DB_BYTES)
    if data is None:
        raise SourceError("Manifest.db is missing: not a complete iPhone backup")
    _check_header(data)
    if data[18:20] == b"\x02\x02":
        # A WAL-mode header makes SQLite refuse an in-memory copy. Marking it as an ordinary
        # (rollback journal) database reads the same main file, as immutable=1 does on disk.
        data = data[:18] + b"\x01\x01" + data[20:]
    connection = sqlite3.connect(":memory:")
    try:
        connection.deserialize(data)
        connection.execute("PRAGMA query_only = ON")  # read-only, like mode=ro on disk
        connection.execute("PRAGMA temp_store = MEMORY")  # no temporary files either
    except sqlite3.Error:
        connection.close()
        raise
    return connection


def _manifest_rows(connect: Connect) -> list[tuple[str, str]]:
    """(fileID, relativePath) of the profile files listed in Manifest.db."""
    try:
        connection = connect()
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


def _profiles(read: Reader, connect: Connect, notes: list[str]) -> list[ConfigurationProfile]:
    profiles: list[ConfigurationProfile] = []
    seen: set[str] = set()
    for file_id, relative in _manifest_rows(connect):
        base = relative.rsplit("/", 1)[-1]
        is_mdm_file = base == "MDM.plist"
        # The file ID check keeps a hostile Manifest.db from pointing at any other file, and
        # each file is read once however many rows name it (else 5,000 rows x 32 MB reads).
        if not (base.startswith("profile-") or is_mdm_file) or not _FILE_ID.fullmatch(file_id):
            continue
        if file_id in seen:
            continue
        seen.add(file_id)
        try:
            data = read(f"{file_id[:2]}/{file_id}", MAX_PLIST_BYTES)
            if data is None:
                notes.append(f"profile file {relative} is listed but missing from the backup")
                continue
            plist = _plist(data, file_id)
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


def parse_ios_backup(read: Reader, connect: Connect, name: str) -> Acquisition:
    """The backup whose files ``read`` gives and whose Manifest.db ``connect`` opens."""
    info_data = read("Info.plist", MAX_PLIST_BYTES)
    manifest_data = read("Manifest.plist", MAX_PLIST_BYTES)
    if info_data is None or manifest_data is None:
        raise SourceError(
            f"{name}: no Info.plist and Manifest.plist: this is not an iPhone backup folder"
        )
    info = _plist(info_data, "Info.plist")
    manifest = _plist(manifest_data, "Manifest.plist")
    notes: list[str] = []
    capabilities = {Capability.IOS_APPS}
    profiles: list[ConfigurationProfile] = []
    if manifest.get("IsEncrypted") is True:
        notes.append(
            "the backup is encrypted: only the app list could be read; configuration profiles "
            "were not checked (make an unencrypted backup, or decrypt it first)"
        )
    else:
        profiles = _profiles(read, connect, notes)
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


def read_ios_backup(folder: Path) -> Acquisition:
    """A backup folder on disk (as the CLI is given it)."""
    if not folder.is_dir():
        raise SourceError(f"{folder}: no such folder (give the backup's own folder)")
    return parse_ios_backup(
        _folder_reader(folder), lambda: _connect_file(folder / "Manifest.db"), folder.name
    )


def read_ios_backup_zip(path: Path) -> Acquisition:
    """A zip of a backup folder, read in place: only the files listed in the module doc are
    read, into memory, and nothing is written to disk."""
    with open_zip(path, max_entries=MAX_BACKUP_ENTRIES) as archive:
        read = _zip_reader(archive)
        return parse_ios_backup(read, lambda: _connect_memory(read), path.name)
