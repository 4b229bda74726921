"""Android sources: package lists, AndroidQF, bug reports and live adb (with a fake phone)."""

from __future__ import annotations

import datetime as dt
import os
import zipfile
from collections.abc import Sequence
from pathlib import Path

import pytest

from courseline.digital.devices import Capability, Consent, ConsentError, SourceError
from courseline.digital.devices.sources import adb as adb_source
from courseline.digital.devices.sources import files
from courseline.digital.devices.sources.androidqf import read_androidqf
from courseline.digital.devices.sources.bugreport import read_bugreport
from courseline.digital.devices.sources.package_list import parse_package_list, read_package_list
from tests.digital.devices import fixtures as fx


def write(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


# ---- package lists -----------------------------------------------------------------------------
@pytest.mark.parametrize("flags", ["", "-f", "-i", "-U", "-f -i -U", "-i -U"])
def test_every_pm_list_variant_gives_the_same_packages(flags: str) -> None:
    acquisition = parse_package_list(fx.pm_list(fx.phone_apps(), flags=flags))
    assert [a.package for a in acquisition.apps] == [a.package for a in fx.phone_apps()]
    assert (Capability.INSTALLER in acquisition.capabilities) == ("-i" in flags)
    assert (Capability.SYSTEM_FLAG in acquisition.capabilities) == ("-f" in flags)


def test_a_package_list_records_installer_uid_and_system_flag_from_the_path() -> None:
    apps = {a.package: a for a in parse_package_list(fx.pm_list(fx.phone_apps())).apps}
    assert apps["com.spyone.agent"].installer == "com.google.android.packageinstaller"
    assert apps["com.spy.helper"].installer == ""  # installer=null
    assert apps["com.whatsapp"].uid == 10150
    assert apps["com.android.settings"].system is True
    assert apps["com.whatsapp"].system is False


def test_one_package_per_line_is_accepted_with_blank_lines_and_comments() -> None:
    acquisition = parse_package_list("# exported\ncom.one.app\n\ncom.two.app\r\n")
    assert [a.package for a in acquisition.apps] == ["com.one.app", "com.two.app"]
    assert acquisition.capabilities == {Capability.PACKAGES}


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"\n\n   \n", "empty"),
        (b"\x00\x01\x02\xff" * 100, "binary"),
        (os.urandom(4096).replace(b"\x00", b"\x01") + b"\x00", "binary"),
        (b"Dear Sir,\nplease find attached the list.\nRegards, A. Person\n", "not a package list"),
        (b"<html><body>hello world</body></html>\n" * 20, "not a package list"),
    ],
)
def test_malformed_package_lists_give_a_clear_error(
    tmp_path: Path, data: bytes, message: str
) -> None:
    with pytest.raises(SourceError, match=message):
        read_package_list(write(tmp_path / "list.txt", data))


def test_a_missing_or_oversized_package_list_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(SourceError, match="not a readable file"):
        read_package_list(tmp_path / "missing.txt")
    with pytest.raises(SourceError, match="not a readable file"):
        read_package_list(tmp_path)
    monkeypatch.setattr("courseline.digital.devices.sources.package_list.MAX_BYTES", 10)
    with pytest.raises(SourceError, match="larger than"):
        read_package_list(write(tmp_path / "big.txt", b"com.a.b\n" * 10))


# ---- AndroidQF ---------------------------------------------------------------------------------
def test_an_androidqf_folder_gives_apps_settings_and_device(tmp_path: Path) -> None:
    acquisition = read_androidqf(fx.write_folder(tmp_path / "aqf", fx.androidqf_files()))
    apps = {a.package: a for a in acquisition.apps}
    spy = apps["com.spyone.agent"]
    assert spy.cert_sha1 == ("AA" * 20,)
    assert spy.apk_sha256 == ("ab" * 32,)
    assert spy.hidden_from_launcher is True and apps["com.whatsapp"].hidden_from_launcher is False
    assert spy.first_install_time == dt.datetime(2026, 5, 10, 22, 15, tzinfo=dt.UTC)
    assert spy.permissions == ("android.permission.READ_SMS",)
    assert apps["com.android.settings"].system is True
    settings = acquisition.settings
    assert settings.accessibility_services == ("com.spy.helper/com.spy.helper.Watch",)
    assert settings.device_admins == ("com.spy.helper/.Admin",)
    assert settings.usage_stats_packages == ("com.spy.helper",)
    assert settings.package_verifier_enabled is False and settings.adb_enabled is True
    assert acquisition.device.model == "Pixel 7" and acquisition.device.serial == "TESTSERIAL123"
    assert acquisition.device.acquired_at == dt.datetime(2026, 5, 20, 12, tzinfo=dt.UTC)
    assert set(Capability) - acquisition.capabilities == {
        Capability.IOS_APPS,
        Capability.PROFILES,
        Capability.DEVELOPER_MODE,
    }


def test_an_androidqf_zip_reads_like_the_folder(tmp_path: Path) -> None:
    zipped = {f"acq/{name}": data for name, data in fx.androidqf_files().items()}
    from_zip = read_androidqf(write(tmp_path / "acq.zip", fx.zip_bytes(zipped)))
    from_folder = read_androidqf(fx.write_folder(tmp_path / "aqf", fx.androidqf_files()))
    assert from_zip.apps == from_folder.apps
    assert from_zip.settings == from_folder.settings


def test_an_androidqf_folder_with_only_packages_json_limits_capabilities(tmp_path: Path) -> None:
    files_only = {"packages.json": fx.androidqf_files()["packages.json"]}
    acquisition = read_androidqf(fx.write_folder(tmp_path / "aqf", files_only))
    assert Capability.ACCESSIBILITY not in acquisition.capabilities
    assert Capability.LAUNCHER not in acquisition.capabilities
    assert acquisition.apps[2].hidden_from_launcher is None


@pytest.mark.parametrize(
    ("files_", "message"),
    [
        ({"notes.txt": b"hello"}, "not an AndroidQF acquisition"),
        ({"packages.json": b"{not json"}, "not valid JSON"),
        ({"packages.json": b"[]"}, "non-empty list"),
        ({"packages.json": b'[{"nom": 1}]'}, "no package name"),
        ({"packages.json": b"\x00\xff" * 50}, "not valid JSON"),
    ],
)
def test_wrong_or_damaged_androidqf_folders_give_a_clear_error(
    tmp_path: Path, files_: dict[str, bytes], message: str
) -> None:
    with pytest.raises(SourceError, match=message):
        read_androidqf(fx.write_folder(tmp_path / "aqf", files_))


def test_a_missing_androidqf_folder_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="no such folder"):
        read_androidqf(tmp_path / "nope")


# ---- bug reports -------------------------------------------------------------------------------
@pytest.mark.parametrize("main_entry", [True, False])
def test_a_bug_report_gives_apps_settings_and_device(tmp_path: Path, main_entry: bool) -> None:
    path = write(tmp_path / "bugreport.zip", fx.bugreport_zip(with_main_entry=main_entry))
    acquisition = read_bugreport(path)
    apps = {a.package: a for a in acquisition.apps}
    assert set(apps) == {a.package for a in fx.phone_apps()}
    assert apps["com.spy.helper"].installer == ""
    assert apps["com.spyone.agent"].hidden_from_launcher is True
    assert acquisition.settings.notification_listeners == (
        "com.spy.helper/.Listener",
        "com.google.android.gm/.N",
    )
    assert acquisition.settings.package_verifier_enabled is False
    assert acquisition.device.os_version == "14"
    assert acquisition.device.acquired_at == dt.datetime(2026, 5, 20, 12, tzinfo=dt.UTC)
    assert Capability.CERTIFICATES not in acquisition.capabilities


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "not a zip archive"),
        (b"PK\x03\x04 truncated", "not a zip archive"),
        (os.urandom(2048), "not a zip archive"),
        (fx.zip_bytes({"readme.txt": b"hello"}), "not an Android bug report"),
        (fx.bugreport_zip("just some text\n"), "no dumpstate"),
        (fx.bugreport_zip("== dumpstate: 2026-05-20 12:00:00\nnothing\n"), "dumpsys package"),
    ],
)
def test_malformed_bug_reports_give_a_clear_error(
    tmp_path: Path, data: bytes, message: str
) -> None:
    with pytest.raises(SourceError, match=message):
        read_bugreport(write(tmp_path / "br.zip", data))


def test_a_truncated_bug_report_zip_is_refused(tmp_path: Path) -> None:
    data = fx.bugreport_zip()
    with pytest.raises(SourceError):
        read_bugreport(write(tmp_path / "br.zip", data[: len(data) // 2]))


def test_a_zip_bomb_is_refused_without_expanding_it(tmp_path: Path) -> None:
    bomb = fx.zip_bytes({"bugreport-x.txt": b"\x20" * (50 * 1024 * 1024)})
    assert len(bomb) < 200_000
    with pytest.raises(SourceError, match="zip bomb"):
        read_bugreport(write(tmp_path / "bomb.zip", bomb))


def test_a_member_lying_about_its_size_is_capped(tmp_path: Path) -> None:
    path = write(tmp_path / "x.zip", fx.zip_bytes({"a.txt": b"abc" * 1000}))
    with files.open_zip(path) as archive, pytest.raises(SourceError, match="larger than"):
        files.read_member(archive, "a.txt", limit=100)


# ---- live adb ----------------------------------------------------------------------------------
class FakePhone:
    def __init__(self, outputs: dict[tuple[str, ...], str]) -> None:
        self.outputs = outputs
        self.calls: list[tuple[str, ...]] = []

    def __call__(self, command: Sequence[str]) -> str:
        key = tuple(command)
        self.calls.append(key)
        if key not in self.outputs:
            raise SourceError(f"adb {' '.join(key)} failed: not found")
        return self.outputs[key]


CONSENT = Consent(owner="Vic Example", consultant="Alice")


def test_live_adb_reads_the_phone_with_read_only_commands() -> None:
    phone = FakePhone(fx.adb_outputs())
    acquisition = adb_source.read_adb(CONSENT, runner=phone, now=lambda: fx.NOW)
    assert set(phone.calls) <= adb_source.ALLOWED_COMMANDS
    apps = {a.package: a for a in acquisition.apps}
    assert apps["com.spyone.agent"].installer == "com.google.android.packageinstaller"
    assert apps["com.spyone.agent"].hidden_from_launcher is True
    assert apps["com.android.settings"].system is True
    assert acquisition.settings.adb_enabled is True
    assert acquisition.settings.install_non_market_apps is None
    assert acquisition.device.source == "adb" and acquisition.device.acquired_at == fx.NOW
    assert Capability.ACCESSIBILITY in acquisition.capabilities


def test_live_adb_with_app_ops_but_no_global_settings_still_checks_unknown_sources() -> None:
    outputs = fx.adb_outputs()
    for key in adb_source.GLOBAL_KEYS:
        del outputs[("settings", "get", "global", key)]
    acquisition = adb_source.read_adb(CONSENT, runner=FakePhone(outputs))
    # "Install unknown apps" given to single apps is an app op: app ops alone are enough.
    assert Capability.UNKNOWN_SOURCES in acquisition.capabilities
    assert Capability.APP_OPS in acquisition.capabilities
    assert Capability.VERIFIER not in acquisition.capabilities
    assert acquisition.settings.package_verifier_enabled is None


def test_live_adb_does_not_claim_a_settings_namespace_it_only_partly_read() -> None:
    outputs = fx.adb_outputs()
    del outputs[("settings", "get", "secure", "enabled_notification_listeners")]
    acquisition = adb_source.read_adb(CONSENT, runner=FakePhone(outputs))
    assert Capability.NOTIFICATION_LISTENERS not in acquisition.capabilities
    assert Capability.ACCESSIBILITY not in acquisition.capabilities
    assert Capability.DEVELOPER in acquisition.capabilities


def test_every_android_source_reports_the_same_settings_capabilities(tmp_path: Path) -> None:
    settings_related = {
        Capability.ACCESSIBILITY,
        Capability.NOTIFICATION_LISTENERS,
        Capability.DEVICE_ADMIN,
        Capability.APP_OPS,
        Capability.VERIFIER,
        Capability.DEVELOPER,
        Capability.UNKNOWN_SOURCES,
    }
    found = [
        read_androidqf(fx.write_folder(tmp_path / "aqf", fx.androidqf_files())).capabilities,
        read_bugreport(write(tmp_path / "br.zip", fx.bugreport_zip())).capabilities,
        adb_source.read_adb(CONSENT, runner=FakePhone(fx.adb_outputs())).capabilities,
    ]
    assert [c & settings_related for c in found] == [settings_related] * 3


def test_live_adb_falls_back_when_pm_list_flags_are_not_supported() -> None:
    outputs = fx.adb_outputs()
    del outputs[("pm", "list", "packages", "-f", "-i", "-U")]
    outputs[("pm", "list", "packages", "-i", "-U")] = fx.pm_list(fx.phone_apps(), flags="-i -U")
    acquisition = adb_source.read_adb(CONSENT, runner=FakePhone(outputs))
    assert len(acquisition.apps) == len(fx.phone_apps())


def test_live_adb_refuses_to_run_without_consent() -> None:
    phone = FakePhone(fx.adb_outputs())
    with pytest.raises(ConsentError):
        adb_source.read_adb(None, runner=phone)
    assert phone.calls == []
    with pytest.raises(ConsentError):
        Consent(owner="   ")


def test_the_allow_list_refuses_anything_else() -> None:
    guarded = adb_source._Guarded(FakePhone({("pm", "uninstall", "com.spyone.agent"): ""}))
    for command in (
        ("pm", "uninstall", "com.spyone.agent"),
        ("rm", "-rf", "/sdcard"),
        ("settings", "put", "global", "adb_enabled", "0"),
    ):
        with pytest.raises(adb_source.AdbCommandRefused):
            guarded(command)
    assert all(
        command[0] in ("getprop", "pm", "dumpsys", "settings")
        for command in adb_source.ALLOWED_COMMANDS
    )
    assert not any(
        "put" in c or "uninstall" in c or "install" in c for c in adb_source.ALLOWED_COMMANDS
    )


def test_live_adb_without_packages_is_a_clear_error() -> None:
    outputs = fx.adb_outputs()
    outputs[("pm", "list", "packages", "-f", "-i", "-U")] = "error: device unauthorized\n"
    with pytest.raises(SourceError, match="no packages"):
        adb_source.read_adb(CONSENT, runner=FakePhone(outputs))


def test_a_missing_adb_tool_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(adb_source.shutil, "which", lambda name: None)
    with pytest.raises(SourceError, match="Debian package `adb`"):
        adb_source.read_adb(CONSENT)


def test_the_subprocess_runner_passes_an_argument_list(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    script = write(tmp_path / "adb", b'#!/bin/sh\necho "$@"\n')
    script.chmod(0o755)
    monkeypatch.setattr(adb_source.shutil, "which", lambda name: str(script))
    run = adb_source.subprocess_runner("SERIAL1")
    assert run(("getprop",)).strip() == "-s SERIAL1 shell getprop"


def test_zipfile_is_never_extracted_to_disk(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("extract called")

    monkeypatch.setattr(zipfile.ZipFile, "extract", refuse)
    monkeypatch.setattr(zipfile.ZipFile, "extractall", refuse)
    read_bugreport(write(tmp_path / "br.zip", fx.bugreport_zip()))
