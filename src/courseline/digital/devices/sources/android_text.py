"""Parsers for the text Android's own tools print, shared by the adb, AndroidQF and bug-report
sources. Every parser is line-based, bounded and tolerant: unknown lines are skipped.

Formats (as printed by AOSP's tools; layouts vary a little between Android versions):

* ``pm list packages [-f] [-i] [-U]``: ``package:[<apk path>=]<name> [installer=<pkg>] [uid:<n>]``
* ``getprop``: ``[ro.build.version.release]: [14]``
* ``settings list <namespace>`` / ``settings get``: ``key=value`` / ``value``
* ``dumpsys``: services separated by ``DUMP OF SERVICE <name>:`` headers
* ``dumpsys package``: ``Package [<name>] (<id>):`` blocks with ``key=value`` lines, and an
  ``Activity Resolver Table`` whose intent filters show which apps have a launcher icon
* ``dumpsys device_policy``: ``Enabled Device Admins`` list, ``Device Owner`` / ``Profile Owner``
  blocks with ``admin=ComponentInfo{<pkg>/<class>}``
* ``dumpsys appops``: ``Package <name>:`` blocks with ``OP_NAME (allow)`` or ``OP_NAME: mode=allow``
* ``dumpsys settings``: ``name:<key> pkg:<pkg> value:<value>`` lines under ``GLOBAL SETTINGS`` /
  ``SECURE SETTINGS`` headers
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field

from courseline.digital.devices.model import Capability, DeviceSettings, InstalledApp, SourceError

MAX_LINES = 2_000_000
PACKAGE_RE = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.\-]{0,254}")
_PM_LINE = re.compile(
    r"^package:(?:(?P<path>/\S+?)=)?(?P<name>[A-Za-z0-9_][A-Za-z0-9_.\-]*)"
    r"(?:\s+installer=(?P<installer>\S*))?(?:\s+uid:(?P<uid>\d+))?\s*$"
)
_GETPROP = re.compile(r"^\[(?P<key>[^\]]{1,200})\]: \[(?P<value>[^\]]{0,2000})\]\s*$")
_SERVICE = re.compile(r"^DUMP OF SERVICE (?:CRITICAL |HIGH )?(?P<name>[\w.\-/]+):\s*$")
_PKG_BLOCK = re.compile(r"^  Package \[(?P<name>[^\]]+)\] \([0-9a-f]+\):\s*$")
_KV = re.compile(r"^\s+(?P<key>[A-Za-z]+)=(?P<value>.*)$")
_USER_ENABLED = re.compile(r"^\s+User 0:.*?\benabled=(?P<enabled>\d)")
_PERMISSION = re.compile(r"^\s+(?P<perm>[\w.]+): granted=true")
_RESOLVER_COMPONENT = re.compile(r"^\s+[0-9a-f]+ (?P<pkg>[\w.\-]+)/\S+(?: filter [0-9a-f]+)?\s*$")
_COMPONENT = re.compile(r"(?P<pkg>[A-Za-z0-9_][\w.\-]*)/(?P<cls>[\w.$]+)")
_APPOP_PACKAGE = re.compile(r"^\s+Package (?P<pkg>[\w.\-]+):\s*$")
_APPOP_NEW = re.compile(r"^\s+(?P<op>[A-Z_]+) \((?P<mode>[a-z]+)[^)]*\):?")
_APPOP_OLD = re.compile(r"^\s+(?P<op>[A-Z_]+): mode=(?P<mode>[a-z]+)")
_DUMPSYS_SETTING = re.compile(r"\bname:(?P<key>[\w.\-]+)\s+pkg:\S*\s+value:(?P<value>\S*)")


# The characters str.splitlines() breaks on ("\r\n" counts as one break).
_LINE_BREAK = re.compile("[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]")
_SPLIT_CHUNK = 64 * 1024


def _split_lazily(text: str) -> Iterator[str]:
    """``text.splitlines()``, a chunk at a time.

    ``splitlines()`` on the whole text builds a list of every line first: a small zip holding
    100 MB of newlines would need about 800 MB for that list before any limit could fire. Here
    each chunk ends just after a line break, so splitting the chunks gives exactly the same lines
    while no more than one chunk's lines are ever held at once. (``io.StringIO(text)`` would be
    lazy too, but it copies the whole text at four bytes a character.)
    """
    start, size = 0, len(text)
    while start < size:
        end = start + _SPLIT_CHUNK
        found = _LINE_BREAK.search(text, end - 1) if end < size else None
        if found is None:
            end = size
        else:
            end = found.end()
            if found.group() == "\r" and text.startswith("\n", end):
                end += 1  # keep "\r\n" together: split apart it would count as two breaks
        yield from text[start:end].splitlines()
        start = end


def lines(text: str) -> Iterable[str]:
    """The lines of ``text``, refusing absurd line counts (before the lines are all built)."""
    for count, line in enumerate(_split_lazily(text)):
        if count >= MAX_LINES:
            raise SourceError(f"more than {MAX_LINES} lines: too large to inspect safely")
        yield line


# ---- pm list packages --------------------------------------------------------------------------
_SYSTEM_PREFIXES = ("/system/", "/product/", "/vendor/", "/system_ext/", "/apex/", "/odm/")


@dataclass
class PackageList:
    apps: list[InstalledApp] = field(default_factory=list)
    has_installer: bool = False
    has_path: bool = False
    bad_lines: int = 0


def parse_pm_list(text: str, *, bare_names: bool = True) -> PackageList:
    """``pm list packages`` output in any of its variants, or one package name per line."""
    result = PackageList()
    seen: set[str] = set()
    for raw in lines(text):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        match = _PM_LINE.match(line)
        if match is None and bare_names and PACKAGE_RE.fullmatch(line):
            match = _PM_LINE.match(f"package:{line}")
        if match is None:
            result.bad_lines += 1
            continue
        name = match["name"]
        if name in seen:
            continue
        seen.add(name)
        path = match["path"]
        installer = match["installer"]
        if installer is not None:
            result.has_installer = True
            installer = "" if installer in ("", "null") else installer
        uid = int(match["uid"]) if match["uid"] else None
        result.has_path |= path is not None
        system = None
        if path:
            # -f shows where the app lives: system partitions, or /data for installed apps
            # (updates of system apps also live in /data, but those come from a store).
            system = (
                True
                if path.startswith(_SYSTEM_PREFIXES)
                else False
                if path.startswith("/data/")
                else None
            )
        result.apps.append(
            InstalledApp(package=name, installer=installer, uid=uid, path=path, system=system)
        )
    return result


# ---- getprop and settings ----------------------------------------------------------------------
def parse_getprop(text: str) -> dict[str, str]:
    props: dict[str, str] = {}
    for line in lines(text):
        match = _GETPROP.match(line.strip())
        if match:
            props[match["key"]] = match["value"]
    return props


def parse_settings_list(text: str) -> dict[str, str]:
    values: dict[str, str] = {}
    for line in lines(text):
        key, sep, value = line.strip().partition("=")
        if sep and re.fullmatch(r"[\w.\-]{1,200}", key):
            values[key] = value.strip()
    return values


def parse_dumpsys_settings(text: str) -> dict[str, dict[str, str]]:
    """``dumpsys settings``: ``{"global": {...}, "secure": {...}, "system": {...}}`` for user 0."""
    out: dict[str, dict[str, str]] = {"global": {}, "secure": {}, "system": {}}
    current: dict[str, str] | None = None
    for line in lines(text):
        header = re.match(r"^\s*(GLOBAL|SECURE|SYSTEM) SETTINGS(?: \(user (\d+)\))?", line)
        if header:
            user = header.group(2)
            current = out[header.group(1).lower()] if user in (None, "0") else None
            continue
        if current is not None:
            match = _DUMPSYS_SETTING.search(line)
            if match:
                current.setdefault(match["key"], match["value"])
    return out


# ---- dumpsys -----------------------------------------------------------------------------------
def split_dumpsys(text: str) -> dict[str, str]:
    """Full ``dumpsys`` output → service name → that service's text."""
    services: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in lines(text):
        match = _SERVICE.match(line)
        if match:
            current = services.setdefault(match["name"], [])
            continue
        if current is not None:
            if line.startswith("--------- ") and "was the duration of dumpsys" in line:
                current = None
                continue
            current.append(line)
    return {name: "\n".join(body) for name, body in services.items()}


@dataclass
class PackageDetails:
    name: str
    values: dict[str, str] = field(default_factory=dict)
    permissions: list[str] = field(default_factory=list)
    enabled_state: int | None = None


def _parse_time(value: str | None) -> dt.datetime | None:
    """dumpsys prints device-local wall time without a zone; we keep it, labelled as UTC."""
    if not value:
        return None
    try:
        return dt.datetime.strptime(value.strip()[:19] + " +0000", "%Y-%m-%d %H:%M:%S %z")
    except ValueError:
        return None


def parse_dumpsys_package(text: str) -> tuple[dict[str, PackageDetails], set[str] | None]:
    """Per-package details and the set of packages with a launcher activity (``None`` when the
    resolver table is absent, so launcher presence is unknown)."""
    packages: dict[str, PackageDetails] = {}
    current: PackageDetails | None = None
    in_resolver = False
    resolver_seen = False
    launcher: set[str] = set()
    component_pkg: str | None = None
    in_packages = False
    for line in lines(text):
        if line and not line.startswith(" "):
            in_resolver = line.startswith("Activity Resolver Table:")
            resolver_seen |= in_resolver
            in_packages = line.startswith("Packages:")
            current = None
            continue
        if in_resolver:
            component = _RESOLVER_COMPONENT.match(line)
            if component:
                component_pkg = component["pkg"]
            elif component_pkg and '"android.intent.category.LAUNCHER"' in line:
                launcher.add(component_pkg)
            continue
        if not in_packages:
            continue
        block = _PKG_BLOCK.match(line)
        if block:
            current = packages.setdefault(block["name"], PackageDetails(block["name"]))
            continue
        if current is None:
            continue
        _package_line(current, line)
    return packages, (launcher if resolver_seen else None)


def _package_line(current: PackageDetails, line: str) -> None:
    user = _USER_ENABLED.match(line)
    if user:
        current.enabled_state = int(user["enabled"])
        return
    permission = _PERMISSION.match(line)
    if permission:
        current.permissions.append(permission["perm"])
        return
    kv = _KV.match(line)
    if kv and kv["key"] not in current.values:
        current.values[kv["key"]] = kv["value"].strip()


def details_to_app(details: PackageDetails, launcher: set[str] | None) -> InstalledApp:
    values = details.values
    flags = values.get("flags", "") + " " + values.get("pkgFlags", "")
    installer = values.get("installerPackageName")
    uid = values.get("userId") or values.get("appId")
    # enabled: 0 default, 1 enabled, 2 disabled, 3 disabled by user, 4 disabled until used
    enabled = None if details.enabled_state is None else details.enabled_state in (0, 1)
    return InstalledApp(
        package=details.name,
        installer="" if installer in (None, "null") else installer,
        uid=int(uid) if uid and uid.isdigit() else None,
        first_install_time=_parse_time(values.get("firstInstallTime")),
        last_update_time=_parse_time(values.get("lastUpdateTime")),
        system=" SYSTEM " in f" {flags.replace('[', ' ').replace(']', ' ')} ",
        enabled=enabled,
        hidden_from_launcher=None if launcher is None else details.name not in launcher,
        permissions=tuple(sorted(set(details.permissions))),
        version=values.get("versionName"),
        path=values.get("codePath"),
    )


def parse_device_policy(text: str) -> tuple[list[str], str | None, list[str]]:
    """(enabled device admin components, device owner package, profile owner packages)."""
    admins: list[str] = []
    owner: str | None = None
    profile_owners: list[str] = []
    section = ""
    for line in lines(text):
        stripped = line.strip()
        if stripped.startswith("Enabled Device Admins"):
            section = "admins"
            continue
        if stripped.startswith("Device Owner"):
            section = "owner"
            continue
        if stripped.startswith("Profile Owner"):
            section = "profile"
            continue
        if section == "admins":
            match = re.match(r"^([\w.\-]+/[\w.$]+):?$", stripped)
            if match:
                admins.append(match.group(1))
                continue
            if not line.startswith("    ") and stripped:
                section = ""
        admin = re.match(r"^admin=ComponentInfo\{(?P<pkg>[\w.\-]+)/", stripped)
        if admin and section == "owner" and owner is None:
            owner = admin["pkg"]
        elif admin and section == "profile":
            profile_owners.append(admin["pkg"])
    return admins, owner, profile_owners


def parse_appops(text: str) -> dict[str, set[str]]:
    """Operation name → packages for which it is allowed."""
    allowed: dict[str, set[str]] = {}
    package: str | None = None
    for line in lines(text):
        block = _APPOP_PACKAGE.match(line)
        if block:
            package = block["pkg"]
            continue
        if package is None:
            continue
        match = _APPOP_NEW.match(line) or _APPOP_OLD.match(line)
        if match and match["mode"] == "allow":
            allowed.setdefault(match["op"], set()).add(package)
        elif re.match(r"^\s{0,2}\S", line):
            package = None
    return allowed


def components(value: str | None) -> tuple[str, ...] | None:
    """``settings get secure enabled_accessibility_services`` → component names."""
    if value is None:
        return None
    value = value.strip()
    if value in ("", "null"):
        return ()
    return tuple(m.group(0) for m in _COMPONENT.finditer(value))


def _flag(value: str | None) -> bool | None:
    if value is None or value.strip() in ("", "null"):
        return None
    return value.strip() not in ("0", "false")


def build_settings(
    global_: Mapping[str, str] | None,
    secure: Mapping[str, str] | None,
    device_policy: str | None,
    appops: str | None,
) -> DeviceSettings:
    """Typed settings from ``settings`` namespaces and the dumpsys texts (any may be missing)."""
    admins, owner, profiles = (
        parse_device_policy(device_policy) if device_policy else ([], None, [])
    )
    ops = parse_appops(appops) if appops is not None else None
    have_policy = device_policy is not None

    def op(name: str) -> tuple[str, ...] | None:
        return None if ops is None else tuple(sorted(ops.get(name, set())))

    secure_get = secure.get if secure is not None else (lambda _k: None)
    global_get = global_.get if global_ is not None else (lambda _k: None)
    unknown_sources = _flag(secure_get("install_non_market_apps"))
    if unknown_sources is None:
        unknown_sources = _flag(global_get("install_non_market_apps"))
    verifier = global_get("package_verifier_enable")
    return DeviceSettings(
        accessibility_services=components(secure_get("enabled_accessibility_services"))
        if secure is not None
        else None,
        notification_listeners=components(secure_get("enabled_notification_listeners"))
        if secure is not None
        else None,
        device_admins=tuple(admins) if have_policy else None,
        device_owner=owner,
        profile_owners=tuple(profiles) if have_policy else None,
        usage_stats_packages=op("GET_USAGE_STATS"),
        overlay_packages=op("SYSTEM_ALERT_WINDOW"),
        install_unknown_packages=op("REQUEST_INSTALL_PACKAGES"),
        # An absent package_verifier_enable means the default, which is on.
        package_verifier_enabled=None if global_ is None else _flag(verifier) is not False,
        development_settings_enabled=_flag(global_get("development_settings_enabled")),
        adb_enabled=_flag(global_get("adb_enabled")),
        install_non_market_apps=unknown_sources,
    )


def settings_capabilities(
    global_: Mapping[str, str] | None,
    secure: Mapping[str, str] | None,
    device_policy: str | None,
    appops: str | None,
) -> set[Capability]:
    """What ``build_settings`` could really tell from the same inputs, for the report's list of
    what was checked. Every Android source uses this one rule, so they cannot drift apart.

    An empty namespace counts as not read: a phone's real ``secure`` and ``global`` settings
    always hold many keys, so an empty one means the listing failed or the section was absent.
    """
    found: set[Capability] = set()
    if secure:
        found |= {Capability.ACCESSIBILITY, Capability.NOTIFICATION_LISTENERS}
    if global_:
        found |= {Capability.VERIFIER, Capability.DEVELOPER, Capability.UNKNOWN_SOURCES}
    if device_policy is not None:
        found.add(Capability.DEVICE_ADMIN)
    if appops is not None:
        # "Install unknown apps" granted to single apps is an app op, so app ops alone are
        # enough for the unknown-sources check even without the global setting.
        found |= {Capability.APP_OPS, Capability.UNKNOWN_SOURCES}
    return found
