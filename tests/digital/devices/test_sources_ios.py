"""iOS sources: unencrypted backups, and live USB through an injected client."""

from __future__ import annotations

import builtins
import datetime as dt
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from courseline.digital.devices import Capability, Consent, ConsentError, SourceError
from courseline.digital.devices.sources import ios_usb
from courseline.digital.devices.sources.ios_backup import read_ios_backup
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


def test_a_damaged_profile_file_is_noted_not_fatal(tmp_path: Path) -> None:
    folder = fx.ios_backup(tmp_path / "b", profiles=[fx.VPN_PROFILE])
    (folder / "00" / f"{1:040x}").write_bytes(b"\x00garbage")
    acquisition = read_ios_backup(folder)
    assert acquisition.profiles == ()
    assert any("could not be read" in note for note in acquisition.notes)


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
