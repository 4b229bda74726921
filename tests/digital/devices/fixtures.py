"""Device inputs generated in code, modelled on the real formats (see each source module's
docstring for where the format is documented). Nothing here comes from a real phone."""

from __future__ import annotations

import datetime as dt
import io
import json
import plistlib
import sqlite3
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from courseline.digital.devices.model import (
    Acquisition,
    Capability,
    DeviceInfo,
    DeviceSettings,
    InstalledApp,
    Platform,
)
from courseline.digital.indicators import IndicatorSet, parse
from tests.digital.indicators.fixtures import snapshot

NOW = dt.datetime(2026, 5, 20, 12, 0, tzinfo=dt.UTC)


def indicators() -> IndicatorSet:
    """The small generated set: SpyOne (stalkerware), KidWatch (watchware), Family Finder."""
    return parse(snapshot())


def acquisition(
    apps: Sequence[InstalledApp] = (),
    *,
    settings: DeviceSettings | None = None,
    capabilities: Sequence[Capability] = tuple(Capability),
    platform: Platform = Platform.ANDROID,
    source: str = "androidqf",
    properties: Mapping[str, str] | None = None,
    root_files: Sequence[str] = (),
    profiles: Sequence[Any] = (),
    acquired_at: dt.datetime | None = NOW,
) -> Acquisition:
    return Acquisition(
        device=DeviceInfo(platform=platform, source=source, acquired_at=acquired_at),
        apps=tuple(apps),
        capabilities=frozenset(capabilities),
        settings=settings or DeviceSettings(),
        properties=dict(properties or {}),
        root_files=tuple(root_files),
        profiles=tuple(profiles),
    )


def user_app(package: str, **fields: Any) -> InstalledApp:
    fields.setdefault("system", False)
    fields.setdefault("installer", "com.android.vending")
    return InstalledApp(package=package, **fields)


# ---- Android text formats ----------------------------------------------------------------------
@dataclass
class FakeApp:
    package: str
    installer: str = "com.android.vending"
    uid: int = 10100
    system: bool = False
    launcher: bool = True
    installed: str = "2026-01-10 09:00:00"
    updated: str = "2026-01-10 09:00:00"
    enabled: int = 0
    permissions: tuple[str, ...] = ()
    path: str = ""
    sha256: str = ""
    cert_sha1: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def code_path(self) -> str:
        if self.path:
            return self.path
        base = "/system/priv-app" if self.system else "/data/app/~~Xy12=="
        return f"{base}/{self.package}-Ab3==/base.apk"


def pm_list(apps: Sequence[FakeApp], *, flags: str = "-f -i -U") -> str:
    lines = []
    for app in apps:
        line = "package:"
        if "-f" in flags:
            line += f"{app.code_path()}="
        line += app.package
        if "-i" in flags:
            line += f"  installer={app.installer or 'null'}"
        if "-U" in flags:
            line += f" uid:{app.uid}"
        lines.append(line)
    return "\n".join(lines) + "\n"


def dumpsys_package(apps: Sequence[FakeApp]) -> str:
    """``dumpsys package``: resolver table (launcher filters) then the Packages section."""
    out = ["Activity Resolver Table:", "  Non-Data Actions:", "      android.intent.action.MAIN:"]
    for index, app in enumerate(apps):
        if app.launcher:
            out += [
                f"        {index + 0x1000:x} {app.package}/.MainActivity filter {index + 0x2000:x}",
                '          Action: "android.intent.action.MAIN"',
                '          Category: "android.intent.category.LAUNCHER"',
            ]
        else:
            out += [
                f"        {index + 0x1000:x} {app.package}/.Settings filter {index + 0x3000:x}",
                '          Action: "android.intent.action.MAIN"',
                '          Category: "android.intent.category.INFO"',
            ]
    out += ["", "Receiver Resolver Table:", "  Non-Data Actions:", "", "Packages:"]
    for index, app in enumerate(apps):
        flags = "[ SYSTEM HAS_CODE ]" if app.system else "[ HAS_CODE ALLOW_CLEAR_USER_DATA ]"
        installer = app.installer or "null"
        out += [
            f"  Package [{app.package}] ({index + 0xABC:x}):",
            f"    userId={app.uid}",
            f"    codePath={app.code_path().rsplit('/', 1)[0]}",
            "    versionName=1.0",
            f"    flags={flags}",
            f"    timeStamp={app.installed}",
            f"    firstInstallTime={app.installed}",
            f"    lastUpdateTime={app.updated}",
            f"    installerPackageName={installer}",
            "    requested permissions:",
            *(f"      {p}" for p in app.permissions),
            "    install permissions:",
            *(f"      {p}: granted=true" for p in app.permissions),
            f"    User 0: ceDataInode=1 installed=true hidden=false suspended=false "
            f"stopped=false notLaunched=false enabled={app.enabled} instant=false virtual=false",
        ]
    out += ["", "Hidden system packages:", "  Package [com.android.old] (999):", "    userId=1000"]
    return "\n".join(out) + "\n"


def getprop(props: Mapping[str, str]) -> str:
    return "".join(f"[{k}]: [{v}]\n" for k, v in props.items())


PROPS = {
    "ro.product.manufacturer": "Google",
    "ro.product.model": "Pixel 7",
    "ro.build.version.release": "14",
    "ro.build.fingerprint": "google/panther/panther:14/UQ1A/123:user/release-keys",
    "ro.serialno": "TESTSERIAL123",
    "ro.build.type": "user",
    "ro.build.tags": "release-keys",
}


def device_policy(admins: Sequence[str] = (), owner: str | None = None) -> str:
    out = ["Current Device Policy Manager state:"]
    if owner:
        out += [
            "  Device Owner: ",
            f"    admin=ComponentInfo{{{owner}}}",
            "    name=",
            f"    package={owner.split('/')[0]}",
        ]
    out += ["", "  Enabled Device Admins (User 0, provisioningState: 0):"]
    for admin in admins:
        out += [f"    {admin}:", "      uid=10123", "      testOnlyAdmin=false"]
    out += ["", "  Stay on while plugged in: 0"]
    return "\n".join(out) + "\n"


def appops(allowed: Mapping[str, Sequence[str]]) -> str:
    """``dumpsys appops``: package → allowed ops (newer ``OP (allow):`` layout)."""
    out = ["Current AppOps Service state:", "  Settings:", "    top_state_settle_time=+5s"]
    for index, (package, ops) in enumerate(allowed.items()):
        out += [f"  Uid {10100 + index}:", "    state=cch", f"    Package {package}:"]
        for op in ops:
            out += [f"      {op} (allow):", "        Access: [fg-s] 2026-05-01 10:00:00.000"]
    return "\n".join(out) + "\n"


def settings_list(values: Mapping[str, str]) -> str:
    return "".join(f"{k}={v}\n" for k, v in values.items())


def dumpsys_settings(global_: Mapping[str, str], secure: Mapping[str, str]) -> str:
    out = ["CONFIG_SETTINGS", "GLOBAL SETTINGS (user 0)"]
    out += [
        f"_id:{i} name:{k} pkg:android value:{v} default:{v}"
        for i, (k, v) in enumerate(global_.items())
    ]
    out += ["SECURE SETTINGS (user 0)"]
    out += [f"_id:{i} name:{k} pkg:android value:{v}" for i, (k, v) in enumerate(secure.items())]
    return "\n".join(out) + "\n"


def service(name: str, body: str) -> str:
    rule = "-" * 77
    return (
        f"{rule}\nDUMP OF SERVICE {name}:\n{body}"
        f"--------- 0.05s was the duration of dumpsys {name}, ending at: 2026-05-20 12:00:01\n"
    )


SECURE = {
    "enabled_accessibility_services": "com.spy.helper/com.spy.helper.Watch",
    "enabled_notification_listeners": "com.spy.helper/.Listener:com.google.android.gm/.N",
}
GLOBAL = {
    "adb_enabled": "1",
    "development_settings_enabled": "1",
    "package_verifier_enable": "0",
}


def phone_apps() -> list[FakeApp]:
    return [
        FakeApp("com.android.settings", installer="", system=True, uid=1000),
        FakeApp("com.whatsapp", installer="com.android.vending", uid=10150),
        FakeApp(
            "com.spyone.agent",
            installer="com.google.android.packageinstaller",
            uid=10160,
            launcher=False,
            installed="2026-05-10 22:15:00",
            updated="2026-05-10 22:15:00",
            sha256="ab" * 32,
            cert_sha1="aa" * 20,
            permissions=("android.permission.READ_SMS",),
        ),
        FakeApp("com.spy.helper", installer="", uid=10170),
    ]


# ---- AndroidQF ---------------------------------------------------------------------------------
def androidqf_packages(apps: Sequence[FakeApp]) -> list[dict[str, Any]]:
    """packages.json as androidqf's adb/packages.go writes it (cert info via apkverifier)."""
    return [
        {
            "name": app.package,
            "files": [
                {
                    "path": app.code_path(),
                    "local_name": "",
                    "md5": "",
                    "sha1": "",
                    "sha256": app.sha256,
                    "sha512": "",
                    "error": "",
                    "verified_certificate": bool(app.cert_sha1),
                    "certificate": {
                        "Md5": "",
                        "Sha1": app.cert_sha1,
                        "Sha256": "",
                        "ValidFrom": "2020-01-01T00:00:00Z",
                        "ValidTo": "2050-01-01T00:00:00Z",
                        "Issuer": "CN=Test",
                        "Subject": "CN=Test, O=Test Org",
                        "SignatureAlgorithm": "SHA256-RSA",
                        "SerialNumber": 1,
                    },
                    "certificate_error": "",
                    "trusted_certificate": False,
                }
            ],
            "installer": app.installer,
            "uid": app.uid,
            "disabled": app.enabled in (2, 3, 4),
            "system": app.system,
            "third_party": not app.system,
        }
        for app in apps
    ]


def androidqf_files(apps: Sequence[FakeApp] | None = None) -> dict[str, bytes]:
    apps = phone_apps() if apps is None else apps
    dumpsys = (
        service("package", dumpsys_package(apps))
        + service("device_policy", device_policy(["com.spy.helper/.Admin"]))
        + service("appops", appops({"com.spy.helper": ["GET_USAGE_STATS", "SYSTEM_ALERT_WINDOW"]}))
    )
    return {
        "packages.json": json.dumps(androidqf_packages(apps)).encode(),
        "getprop.txt": getprop(PROPS).encode(),
        "settings_global.txt": settings_list(GLOBAL).encode(),
        "settings_secure.txt": settings_list(SECURE).encode(),
        "settings_system.txt": b"screen_brightness=100\n",
        "dumpsys.txt": dumpsys.encode(),
        "processes.txt": b"USER PID PPID VSZ RSS WCHAN ADDR S NAME\nroot 1 0 0 0 0 0 S init\n",
        "root_binaries.json": b"[]",
        "acquisition.json": json.dumps({"uuid": "x", "started": "2026-05-20T12:00:00Z"}).encode(),
    }


def write_folder(folder: Path, files: Mapping[str, bytes]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        (folder / name).write_bytes(data)
    return folder


def zip_bytes(files: Mapping[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


# ---- bug report --------------------------------------------------------------------------------
def bugreport_text(apps: Sequence[FakeApp] | None = None) -> str:
    apps = phone_apps() if apps is None else apps
    return (
        "========================================================\n"
        "== dumpstate: 2026-05-20 12:00:00\n"
        "========================================================\n\n"
        "Build: UQ1A.240105.004\n"
        "------ SYSTEM PROPERTIES (getprop) ------\n"
        + getprop(PROPS)
        + "------ 0.012s was the duration of 'SYSTEM PROPERTIES' ------\n"
        "------ DUMPSYS (/system/bin/dumpsys) ------\n"
        + service("package", dumpsys_package(apps))
        + service("settings", dumpsys_settings(GLOBAL, SECURE))
        + service("device_policy", device_policy(["com.spy.helper/.Admin"]))
        + service("appops", appops({"com.spy.helper": ["GET_USAGE_STATS"]}))
    )


def bugreport_zip(text: str | None = None, *, with_main_entry: bool = True) -> bytes:
    name = "bugreport-panther-UQ1A.240105.004-2026-05-20-12-00-00.txt"
    files = {name: (text if text is not None else bugreport_text()).encode(), "version.txt": b"2.0"}
    if with_main_entry:
        files["main_entry.txt"] = name.encode()
    files["FS/data/misc/x.txt"] = b"x"
    return zip_bytes(files)


# ---- adb ---------------------------------------------------------------------------------------
def adb_outputs(apps: Sequence[FakeApp] | None = None) -> dict[tuple[str, ...], str]:
    apps = phone_apps() if apps is None else apps
    outputs = {
        ("getprop",): getprop(PROPS),
        ("pm", "list", "packages", "-f", "-i", "-U"): pm_list(apps),
        ("dumpsys", "package"): dumpsys_package(apps),
        ("dumpsys", "device_policy"): device_policy(["com.spy.helper/.Admin"]),
        ("dumpsys", "appops"): appops({"com.spy.helper": ["GET_USAGE_STATS"]}),
    }
    for key, value in SECURE.items():
        outputs[("settings", "get", "secure", key)] = value + "\n"
    outputs[("settings", "get", "secure", "install_non_market_apps")] = "null\n"
    for key, value in GLOBAL.items():
        outputs[("settings", "get", "global", key)] = value + "\n"
    outputs[("settings", "get", "global", "install_non_market_apps")] = "null\n"
    return outputs


# ---- iOS backup --------------------------------------------------------------------------------
def ios_backup(
    folder: Path,
    *,
    bundles: Sequence[str] = ("com.kidwatch.iOS", "com.apple.Pages", "net.whatsapp.WhatsApp"),
    profiles: Sequence[Mapping[str, Any]] = (),
    mdm: bool = False,
    encrypted: bool = False,
) -> Path:
    """A Finder-style backup: Info.plist, Manifest.plist, Manifest.db and hashed files."""
    folder.mkdir(parents=True, exist_ok=True)
    info = {
        "Product Type": "iPhone14,2",
        "Product Version": "17.4",
        "Build Version": "21E219",
        "Serial Number": "F2LXTESTSERIAL",
        "Device Name": "Test iPhone",
        "Last Backup Date": dt.datetime(2026, 5, 19, 18, 0, tzinfo=dt.UTC),
        "Installed Applications": list(bundles),
    }
    (folder / "Info.plist").write_bytes(plistlib.dumps(info))
    manifest = {
        "IsEncrypted": encrypted,
        "Version": "10.0",
        "Applications": {b: {"CFBundleIdentifier": b} for b in bundles},
    }
    (folder / "Manifest.plist").write_bytes(plistlib.dumps(manifest, fmt=plistlib.FMT_BINARY))
    db = sqlite3.connect(folder / "Manifest.db")
    db.execute(
        "CREATE TABLE Files (fileID TEXT PRIMARY KEY, domain TEXT, relativePath TEXT, "
        "flags INTEGER, file BLOB)"
    )
    domain = "SysSharedContainerDomain-systemgroup.com.apple.configurationprofiles"
    entries: list[tuple[str, bytes]] = []
    for index, profile in enumerate(profiles):
        entries.append(
            (
                f"Library/ConfigurationProfiles/profile-{index:04x}.stub",
                plistlib.dumps(dict(profile)),
            )
        )
    if mdm:
        entries.append(
            (
                "Library/ConfigurationProfiles/MDM.plist",
                plistlib.dumps({"ServerURL": "https://mdm.example.org/checkin"}),
            )
        )
    entries.append(("Library/ConfigurationProfiles/ProfileTruth.plist", plistlib.dumps({})))
    for index, (relative, data) in enumerate(entries):
        file_id = f"{index + 1:040x}"
        db.execute("INSERT INTO Files VALUES (?, ?, ?, 1, NULL)", (file_id, domain, relative))
        (folder / file_id[:2]).mkdir(exist_ok=True)
        (folder / file_id[:2] / file_id).write_bytes(data)
    db.execute(
        "INSERT INTO Files VALUES (?, 'HomeDomain', 'Library/Preferences/x.plist', 1, NULL)",
        ("f" * 40,),
    )
    db.commit()
    db.close()
    return folder


VPN_PROFILE = {
    "PayloadIdentifier": "org.example.vpn",
    "PayloadDisplayName": "Helpful VPN",
    "PayloadOrganization": "Example Org",
    "PayloadContent": [{"PayloadType": "com.apple.vpn.managed"}],
    "InstallDate": dt.datetime(2026, 4, 1, 10, 0, tzinfo=dt.UTC),
}
