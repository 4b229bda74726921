"""An Android bug report zip (``adb bugreport``), read without extracting anything to disk.

The zip holds ``bugreport-<device>-<build>-<date>.txt`` (named by ``main_entry.txt`` when
present), the dumpstate text documented in AOSP's "Capture and read bug reports" page: a
``== dumpstate: <time>`` header, a ``------ SYSTEM PROPERTIES (getprop) ------`` section and
``DUMPSYS`` sections in which each service starts with ``DUMP OF SERVICE <name>:``.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from pathlib import Path

from courseline.digital.devices.model import Acquisition, Capability, SourceError
from courseline.digital.devices.sources import android_text as at
from courseline.digital.devices.sources.androidqf import android_device
from courseline.digital.devices.sources.files import decode_text, open_zip, read_member

MAX_REPORT_BYTES = 512 * 1024 * 1024
_MAIN = re.compile(r"(^|/)bugreport-[^/]*\.txt$")
_SECTION = re.compile(r"^------ (?P<title>.+?) ------\s*$")


def _main_entry(archive: zipfile.ZipFile) -> str:
    names = {i.filename for i in archive.infolist() if not i.is_dir()}
    if "main_entry.txt" in names:
        named = read_member(archive, "main_entry.txt", 4096).decode("utf-8", "replace").strip()
        if named in names:
            return named
    candidates = sorted((n for n in names if _MAIN.search(n)), key=lambda n: (n.count("/"), n))
    if not candidates:
        raise SourceError("no bugreport-*.txt inside: this is not an Android bug report zip")
    return candidates[0]


def _getprop_section(text: str) -> str:
    out: list[str] = []
    inside = False
    for line in at.lines(text):
        section = _SECTION.match(line)
        if section:
            if inside:
                break
            inside = section["title"].startswith("SYSTEM PROPERTIES")
            continue
        if inside:
            out.append(line)
    return "\n".join(out)


def _dumpstate_time(text: str) -> dt.datetime | None:
    match = re.search(r"^== dumpstate: (\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2})", text[:4096], re.M)
    if not match:
        return None
    return dt.datetime.strptime(match.group(1) + " +0000", "%Y-%m-%d %H:%M:%S %z")


def parse_bugreport_text(text: str) -> Acquisition:
    if "DUMP OF SERVICE" not in text and "== dumpstate" not in text:
        raise SourceError("the bug report text has no dumpstate or dumpsys sections")
    props = at.parse_getprop(_getprop_section(text))
    services = at.split_dumpsys(text)
    details, launcher = at.parse_dumpsys_package(services.get("package", ""))
    if not details:
        raise SourceError("the bug report has no `dumpsys package` section: cannot list apps")
    apps = tuple(at.details_to_app(d, launcher) for d in details.values())
    settings_text = services.get("settings")
    namespaces = at.parse_dumpsys_settings(settings_text) if settings_text else None
    # A namespace missing from `dumpsys settings` comes back empty: pass it on as not read.
    global_ = (namespaces["global"] or None) if namespaces else None
    secure = (namespaces["secure"] or None) if namespaces else None
    policy, appops = services.get("device_policy"), services.get("appops")
    settings = at.build_settings(global_, secure, policy, appops)
    capabilities = {
        Capability.PACKAGES,
        Capability.INSTALLER,
        Capability.INSTALL_TIMES,
        Capability.SYSTEM_FLAG,
    }
    if launcher is not None:
        capabilities.add(Capability.LAUNCHER)
    if props:
        capabilities.add(Capability.PROPERTIES)
    capabilities |= at.settings_capabilities(global_, secure, policy, appops)
    return Acquisition(
        device=android_device("bugreport", props, _dumpstate_time(text)),
        apps=apps,
        capabilities=frozenset(capabilities),
        settings=settings,
        properties=props,
    )


def read_bugreport(path: Path) -> Acquisition:
    with open_zip(path) as archive:
        name = _main_entry(archive)
        text = decode_text(read_member(archive, name, MAX_REPORT_BYTES), name)
    return parse_bugreport_text(text)
