"""An AndroidQF acquisition (mvt-project/androidqf): a folder, or the zip newer versions write.

Files used, as documented in androidqf's README ("How to use": output paths) and
docs/acquisition-archives.md, with ``packages.json`` shaped like its ``adb/packages.go``
``Package`` / ``PackageFile`` structs:

* ``packages.json``: ``[{"name", "installer", "uid", "disabled", "system", "third_party",
  "files": [{"path", "sha256", "certificate": {"Sha1", "Subject", ...}, ...}]}]`` (required)
* ``getprop.txt`` (``[key]: [value]``), ``settings_global.txt`` / ``settings_secure.txt``
  (``key=value``), ``dumpsys.txt`` (full ``dumpsys``), ``root_binaries.json`` (list of paths),
  ``acquisition.json`` (``started`` time) — each optional
"""

from __future__ import annotations

import datetime as dt
import json
import zipfile
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from courseline.digital.devices.model import (
    Acquisition,
    Capability,
    DeviceInfo,
    InstalledApp,
    Platform,
    SourceError,
)
from courseline.digital.devices.sources import android_text as at
from courseline.digital.devices.sources.files import (
    decode_text,
    open_zip,
    read_capped,
    read_member,
)
from courseline.digital.indicators import normalise_certificate

Reader = Callable[[str], bytes | None]


def _folder_reader(folder: Path) -> Reader:
    def read(name: str) -> bytes | None:
        path = folder / name
        return read_capped(path) if path.is_file() else None

    return read


def _zip_reader(archive: zipfile.ZipFile) -> Reader:
    names = {i.filename: i.filename for i in archive.infolist() if not i.is_dir()}
    # Some archives keep everything under one top-level folder.
    for name in list(names):
        names.setdefault(name.split("/", 1)[-1], name)

    def read(name: str) -> bytes | None:
        return read_member(archive, names[name]) if name in names else None

    return read


def _json(read: Reader, name: str) -> Any:
    data = read(name)
    if data is None:
        return None
    try:
        return json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise SourceError(f"{name}: not valid JSON (damaged acquisition?)") from None


def _text(read: Reader, name: str) -> str | None:
    data = read(name)
    return None if data is None else decode_text(data, name)


def _package(raw: Any, index: int) -> InstalledApp:
    if not isinstance(raw, dict) or not isinstance(raw.get("name"), str):
        raise SourceError(f"packages.json: entry {index} has no package name")
    files: list[Any] = raw["files"] if isinstance(raw.get("files"), list) else []
    certs: set[str] = set()
    hashes: set[str] = set()
    subject: str | None = None
    for item in files:
        if not isinstance(item, dict):
            continue
        if isinstance(item.get("sha256"), str) and item["sha256"]:
            hashes.add(item["sha256"].strip().lower())
        cert = item.get("certificate")
        if isinstance(cert, dict):
            sha1 = cert.get("Sha1") or cert.get("sha1")
            if isinstance(sha1, str) and sha1.strip():
                certs.add(normalise_certificate(sha1))
            if isinstance(cert.get("Subject"), str):
                subject = cert["Subject"][:1000]
    installer = raw.get("installer")
    uid = raw.get("uid")
    return InstalledApp(
        package=raw["name"],
        installer=(installer if installer != "null" else "")
        if isinstance(installer, str)
        else None,
        uid=uid if isinstance(uid, int) and not isinstance(uid, bool) else None,
        system=bool(raw["system"]) if isinstance(raw.get("system"), bool) else None,
        enabled=not raw["disabled"] if isinstance(raw.get("disabled"), bool) else None,
        cert_sha1=tuple(sorted(certs)),
        apk_sha256=tuple(sorted(hashes)),
        cert_subject=subject,
        path=next(
            (f["path"] for f in files if isinstance(f, dict) and isinstance(f.get("path"), str)),
            None,
        ),
    )


def _merge(
    app: InstalledApp, details: at.PackageDetails | None, launcher: set[str] | None
) -> InstalledApp:
    if details is None:
        hidden = None if launcher is None else app.package not in launcher
        return replace(app, hidden_from_launcher=hidden)
    extra = at.details_to_app(details, launcher)
    return replace(
        app,
        first_install_time=extra.first_install_time,
        last_update_time=extra.last_update_time,
        hidden_from_launcher=extra.hidden_from_launcher,
        permissions=extra.permissions,
        version=extra.version,
    )


def _acquired_at(meta: Any) -> dt.datetime | None:
    if isinstance(meta, dict) and isinstance(meta.get("started"), str):
        try:
            value = dt.datetime.fromisoformat(meta["started"].replace("Z", "+00:00"))
        except ValueError:
            return None
        return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    return None


def parse_androidqf(read: Reader, name: str) -> Acquisition:
    packages = _json(read, "packages.json")
    if packages is None:
        raise SourceError(f"{name}: no packages.json: this is not an AndroidQF acquisition")
    if not isinstance(packages, list) or not packages:
        raise SourceError("packages.json: expected a non-empty list of packages")
    apps = [_package(raw, i) for i, raw in enumerate(packages)]
    capabilities = {Capability.PACKAGES, Capability.INSTALLER, Capability.SYSTEM_FLAG}
    if any(a.cert_sha1 for a in apps):
        capabilities.add(Capability.CERTIFICATES)
    if any(a.apk_sha256 for a in apps):
        capabilities.add(Capability.APK_HASHES)

    props = at.parse_getprop(_text(read, "getprop.txt") or "")
    if props:
        capabilities.add(Capability.PROPERTIES)
    global_text, secure_text = (
        _text(read, "settings_global.txt"),
        _text(read, "settings_secure.txt"),
    )
    global_ = at.parse_settings_list(global_text) if global_text is not None else None
    secure = at.parse_settings_list(secure_text) if secure_text is not None else None
    dumpsys_text = _text(read, "dumpsys.txt")
    services = at.split_dumpsys(dumpsys_text) if dumpsys_text else {}
    details, launcher = at.parse_dumpsys_package(services.get("package", ""))
    if details:
        capabilities.add(Capability.INSTALL_TIMES)
    if launcher is not None:
        capabilities.add(Capability.LAUNCHER)
    apps = [_merge(a, details.get(a.package), launcher) for a in apps]
    policy, appops = services.get("device_policy"), services.get("appops")
    settings = at.build_settings(global_, secure, policy, appops)
    capabilities |= at.settings_capabilities(global_, secure, policy, appops)
    root_files = _json(read, "root_binaries.json")
    root = tuple(str(p)[:500] for p in root_files) if isinstance(root_files, list) else ()
    if isinstance(root_files, list):
        capabilities.add(Capability.ROOT_FILES)
    return Acquisition(
        device=android_device("androidqf", props, _acquired_at(_json(read, "acquisition.json"))),
        apps=tuple(apps),
        capabilities=frozenset(capabilities),
        settings=settings,
        properties=props,
        root_files=root,
    )


def android_device(
    source: str, props: dict[str, str], acquired_at: dt.datetime | None
) -> DeviceInfo:
    return DeviceInfo(
        platform=Platform.ANDROID,
        source=source,
        manufacturer=props.get("ro.product.manufacturer") or None,
        model=props.get("ro.product.model") or None,
        os_version=props.get("ro.build.version.release") or None,
        build=props.get("ro.build.fingerprint") or None,
        serial=props.get("ro.serialno") or props.get("ro.boot.serialno") or None,
        acquired_at=acquired_at,
    )


def read_androidqf(path: Path) -> Acquisition:
    if path.is_dir():
        return parse_androidqf(_folder_reader(path), path.name)
    if path.is_file():
        with open_zip(path) as archive:
            return parse_androidqf(_zip_reader(archive), path.name)
    raise SourceError(f"{path}: no such folder")
