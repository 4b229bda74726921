"""iOS sources: unencrypted backups, and live USB through an injected client."""

from __future__ import annotations

import builtins
import datetime as dt
import sqlite3
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from courseline.digital.devices import Capability, Consent, ConsentError, SourceError
from courseline.digital.devices.sources import ios_backup, ios_usb
from courseline.digital.devices.sources.ios_backup import read_ios_backup, read_ios_backup_zip
from tests.digital.devices import fixtures as fx


def test_a_backup_lists_apps_profiles_and_device(tmp_path: Path) -> None:
    folder = fx.ios_backup(tmp_path / "backup", profiles=[fx.VPN_PROFILE], mdm=True)
    acquisition = read_ios_backup(folder)
    assert [a.package for a in acquisition.apps] == [
        "com.apple.Pages",
        "com.kidwatch.iOS",
        "net.whatsapp.WhatsApp",
    ]
    vpn, mdm = sorted(acquisition.profiles, key=lambda p: p.is_mdm)
    assert vpn.identifier == "org.example.vpn" and vpn.organization == "Example Org"
    assert vpn.payload_types == ("com.apple.vpn.managed",) and not vpn.is_mdm
    assert vpn.installed_at == dt.datetime(2026, 4, 1, 10, tzinfo=dt.UTC)
    assert mdm.is_mdm and mdm.name == "https://mdm.example.org/checkin"
    assert acquisition.device.model == "iPhone14,2" and acquisition.device.os_version == "17.4"
    assert acquisition.capabilities == {Capability.IOS_APPS, Capability.PROFILES}


def test_a_backup_without_profiles_has_none(tmp_path: Path) -> None:
    assert read_ios_backup(fx.ios_backup(tmp_path / "b")).profiles == ()


def test_an_encrypted_backup_gives_apps_and_says_profiles_were_not_checked(tmp_path: Path) -> None:
    folder = fx.ios_backup(tmp_path / "b", encrypted=True)
    (folder / "Manifest.db").write_bytes(b"\x8a\x11encrypted-bytes" * 100)
    acquisition = read_ios_backup(folder)
    assert Capability.PROFILES not in acquisition.capabilities
    assert "encrypted" in acquisition.notes[0]
    assert len(acquisition.apps) == 3


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda f: (f / "Info.plist").unlink(), "not an iPhone backup"),
        (lambda f: (f / "Info.plist").write_bytes(b"garbage\x00\x01"), "property list"),
        (lambda f: (f / "Manifest.plist").write_bytes(b""), "property list"),
        (lambda f: (f / "Manifest.db").unlink(), "Manifest.db is missing"),
        (lambda f: (f / "Manifest.db").write_bytes(b"not sqlite"), "not an SQLite"),
        (
            lambda f: (f / "Manifest.db").write_bytes((f / "Manifest.db").read_bytes()[:200]),
            "Manifest.db",
        ),
    ],
)
def test_damaged_backups_give_a_clear_error(tmp_path: Path, damage: Any, message: str) -> None:
    folder = fx.ios_backup(tmp_path / "b")
    damage(folder)
    with pytest.raises(SourceError, match=message):
        read_ios_backup(folder)


def test_a_wrong_folder_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="no such folder"):
        read_ios_backup(tmp_path / "nope")
    (tmp_path / "photos").mkdir()
    with pytest.raises(SourceError, match="not an iPhone backup"):
        read_ios_backup(tmp_path / "photos")


def test_hostile_file_ids_in_manifest_db_are_ignored(tmp_path: Path) -> None:
    folder = fx.ios_backup(tmp_path / "b")
    db = sqlite3.connect(folder / "Manifest.db")
    db.execute(
        "INSERT INTO Files VALUES ('../../etc/passwd', "
        "'SysSharedContainerDomain-systemgroup.com.apple.configurationprofiles', "
        "'Library/ConfigurationProfiles/profile-evil.stub', 1, NULL)"
    )
    db.commit()
    db.close()
    assert read_ios_backup(folder).profiles == ()


def test_a_profile_file_named_by_many_rows_is_read_once(tmp_path: Path) -> None:
    folder = fx.ios_backup(tmp_path / "b", profiles=[fx.VPN_PROFILE])
    db = sqlite3.connect(folder / "Manifest.db")
    # A hostile Manifest.db need not keep Apple's unique fileID: rebuild the table without it.
    db.executescript(
        "CREATE TABLE Loose AS SELECT * FROM Files; DROP TABLE Files; "
        "ALTER TABLE Loose RENAME TO Files;"
    )
    row = db.execute("SELECT * FROM Files WHERE relativePath LIKE '%profile-%'").fetchone()
    db.executemany("INSERT INTO Files VALUES (?, ?, ?, ?, ?)", [row] * 200)
    db.commit()
    db.close()
    reads: list[str] = []
    real = ios_backup._folder_reader(folder)

    def counting(name: str, limit: int) -> bytes | None:
        reads.append(name)
        return real(name, limit)

    acquisition = ios_backup.parse_ios_backup(
        counting, lambda: sqlite3.connect(folder / "Manifest.db"), str(folder)
    )
    assert len(acquisition.profiles) == 1
    assert reads.count(f"{row[0][:2]}/{row[0]}") == 1


def test_a_damaged_profile_file_is_noted_not_fatal(tmp_path: Path) -> None:
    folder = fx.ios_backup(tmp_path / "b", profiles=[fx.VPN_PROFILE])
    (folder / "00" / f"{1:040x}").write_bytes(b"\x00garbage")
    acquisition = read_ios_backup(folder)
    assert acquisition.profiles == ()
    assert any("could not be read" in note for note in acquisition.notes)


# ---- zipped backups ----------------------------------------------------------------------------
def backup_files(folder: Path, prefix: str) -> dict[str, bytes]:
    return {
        prefix + p.relative_to(folder).as_posix(): p.read_bytes()
        for p in folder.rglob("*")
        if p.is_file()
    }


def zipped(folder: Path, target: Path, prefix: str = "Backup/00008110-TEST/") -> Path:
    target.write_bytes(fx.zip_bytes(backup_files(folder, prefix)))
    return target


def test_a_zipped_backup_reads_like_the_folder(tmp_path: Path) -> None:
    folder = fx.ios_backup(tmp_path / "backup", profiles=[fx.VPN_PROFILE], mdm=True)
    from_zip = read_ios_backup_zip(zipped(folder, tmp_path / "backup.zip"))
    from_folder = read_ios_backup(folder)
    assert from_zip.apps == from_folder.apps and from_zip.device == from_folder.device
    assert from_zip.profiles == from_folder.profiles and len(from_zip.profiles) == 2
    assert from_zip.capabilities == {Capability.IOS_APPS, Capability.PROFILES}


def test_a_zipped_backup_is_read_in_place_opening_only_what_is_needed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = fx.ios_backup(tmp_path / "backup", profiles=[fx.VPN_PROFILE])
    (folder / "ff").mkdir()
    (folder / "ff" / ("f" * 40)).write_bytes(b"a photo or a message database" * 1000)
    work = tmp_path / "work"
    work.mkdir()
    archive = zipped(folder, work / "upload.zip", prefix="")
    opened: list[str] = []
    real_open = zipfile.ZipFile.open

    def recording_open(self: zipfile.ZipFile, name: Any, *args: Any, **kwargs: Any) -> Any:
        opened.append(name.filename if isinstance(name, zipfile.ZipInfo) else name)
        return real_open(self, name, *args, **kwargs)

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("extract called")

    monkeypatch.setattr(zipfile.ZipFile, "open", recording_open)
    monkeypatch.setattr(zipfile.ZipFile, "extract", refuse)
    monkeypatch.setattr(zipfile.ZipFile, "extractall", refuse)
    acquisition = read_ios_backup_zip(archive)
    assert [p.identifier for p in acquisition.profiles] == ["org.example.vpn"]
    assert sorted(opened) == sorted(["Info.plist", "Manifest.plist", "Manifest.db", f"00/{1:040x}"])
    assert [p.name for p in work.iterdir()] == ["upload.zip"]  # nothing written next to it


def _without(name: str) -> Callable[[dict[str, bytes]], None]:
    return lambda files: files.pop(name)


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (_without("U/Manifest.plist"), "no Manifest.plist in the zip"),
        (_without("U/Info.plist"), "not an iPhone backup"),
        (_without("U/Manifest.db"), "Manifest.db is missing"),
        (lambda files: files.update({"U/Manifest.db": b"not sqlite"}), "not an SQLite"),
        (lambda files: files.update({"U/Manifest.db": files["U/Manifest.db"][:200]}), "Manifest"),
        (lambda files: files.update({"U/Info.plist": b"garbage\x00\x01"}), "property list"),
    ],
)
def test_damaged_zipped_backups_give_a_clear_error(
    tmp_path: Path, damage: Callable[[dict[str, bytes]], None], message: str
) -> None:
    folder = fx.ios_backup(tmp_path / "b")
    files = backup_files(folder, "U/")
    damage(files)
    (tmp_path / "b.zip").write_bytes(fx.zip_bytes(files))
    with pytest.raises(SourceError, match=message):
        read_ios_backup_zip(tmp_path / "b.zip")


def test_a_zipped_backup_keeps_the_size_limits(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    archive = zipped(fx.ios_backup(tmp_path / "b"), tmp_path / "b.zip")
    monkeypatch.setattr(ios_backup, "MAX_MANIFEST_DB_BYTES", 1024)
    with pytest.raises(SourceError, match="Manifest.db: larger than"):
        read_ios_backup_zip(archive)
    monkeypatch.setattr(ios_backup, "MAX_BACKUP_ENTRIES", 3)
    with pytest.raises(SourceError, match="more than 3 entries"):
        read_ios_backup_zip(archive)
    (tmp_path / "bad.zip").write_bytes(b"\x00\x01garbage")
    with pytest.raises(SourceError, match="not a zip archive"):
        read_ios_backup_zip(tmp_path / "bad.zip")


def test_an_encrypted_zipped_backup_gives_apps_only(tmp_path: Path) -> None:
    folder = fx.ios_backup(tmp_path / "b", encrypted=True)
    (folder / "Manifest.db").write_bytes(b"\x8a\x11encrypted-bytes" * 100)
    acquisition = read_ios_backup_zip(zipped(folder, tmp_path / "b.zip"))
    assert Capability.PROFILES not in acquisition.capabilities and len(acquisition.apps) == 3


def test_a_wal_mode_manifest_db_reads_from_a_zip_as_from_a_folder(tmp_path: Path) -> None:
    folder = fx.ios_backup(tmp_path / "b", profiles=[fx.VPN_PROFILE])
    db = sqlite3.connect(folder / "Manifest.db")
    db.execute("PRAGMA journal_mode=WAL")
    db.close()
    assert (folder / "Manifest.db").read_bytes()[18:20] == b"\x02\x02"
    from_zip = read_ios_backup_zip(zipped(folder, tmp_path / "b.zip"))
    assert from_zip.profiles == read_ios_backup(folder).profiles != ()


def test_the_in_memory_manifest_db_is_read_only(tmp_path: Path) -> None:
    folder = fx.ios_backup(tmp_path / "b")
    data = (folder / "Manifest.db").read_bytes()
    connection = ios_backup._connect_memory(lambda name, limit: data)
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        connection.execute("DELETE FROM Files")
    connection.close()


# ---- live USB ----------------------------------------------------------------------------------
class FakeIphone:
    def __init__(self, **kwargs: Any) -> None:
        self.kwargs = kwargs
        self.calls = 0

    def snapshot(self) -> ios_usb.IosSnapshot:
        self.calls += 1
        return ios_usb.IosSnapshot(
            values={"ProductType": "iPhone15,3", "ProductVersion": "18.1", "SerialNumber": "S1"},
            apps={"com.kidwatch.iOS": {"CFBundleDisplayName": "KidWatch"}, "com.x.y": {}},
            profiles={"ProfileMetadata": {"org.example.vpn": {"PayloadDisplayName": "VPN"}}},
            cloud_configuration=self.kwargs.get("cloud"),
            developer_mode=self.kwargs.get("developer_mode"),
        )


def test_live_ios_reads_apps_profiles_and_developer_mode() -> None:
    phone = FakeIphone(
        developer_mode=True, cloud={"ConfigurationWasApplied": True, "OrganizationName": "Acme"}
    )
    acquisition = ios_usb.read_ios_usb(Consent(owner="Vic"), client=phone, now=lambda: fx.NOW)
    assert [a.package for a in acquisition.apps] == ["com.kidwatch.iOS", "com.x.y"]
    assert acquisition.apps[0].name == "KidWatch"
    assert [p.is_mdm for p in acquisition.profiles] == [False, True]
    assert acquisition.settings.developer_mode is True
    assert Capability.DEVELOPER_MODE in acquisition.capabilities


def test_live_ios_refuses_without_consent() -> None:
    phone = FakeIphone()
    with pytest.raises(ConsentError):
        ios_usb.read_ios_usb(None, client=phone)
    assert phone.calls == 0


def test_live_ios_without_pymobiledevice3_names_the_package(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real_import = builtins.__import__

    def no_pmd3(name: str, *args: Any, **kwargs: Any) -> Any:
        if name.startswith("pymobiledevice3"):
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_pmd3)
    monkeypatch.setattr(
        ios_usb.importlib,
        "import_module",
        lambda name: (_ for _ in ()).throw(ImportError(name)),
    )
    with pytest.raises(SourceError, match="pymobiledevice3"):
        ios_usb.read_ios_usb(Consent(owner="Vic"))
