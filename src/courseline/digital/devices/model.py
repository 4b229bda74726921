"""Typed records a device source produces. Sources fill these; checks only read them.

``None`` always means "this source could not tell", never "no". Each acquisition also lists the
``Capability`` values its source really provided, so the report can say what was not checked.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum


class SourceError(Exception):
    """An input could not be read as the expected source; the message says why, plainly."""


class Platform(StrEnum):
    ANDROID = "android"
    IOS = "ios"


class Capability(StrEnum):
    """What an acquisition can show. A check runs only if its source provided what it needs."""

    PACKAGES = "packages"
    INSTALLER = "installer"
    INSTALL_TIMES = "install-times"
    SYSTEM_FLAG = "system-flag"
    LAUNCHER = "launcher"
    CERTIFICATES = "certificates"
    APK_HASHES = "apk-hashes"
    ACCESSIBILITY = "accessibility"
    NOTIFICATION_LISTENERS = "notification-listeners"
    DEVICE_ADMIN = "device-admin"
    APP_OPS = "app-ops"
    VERIFIER = "package-verifier"
    DEVELOPER = "developer-settings"
    UNKNOWN_SOURCES = "unknown-sources"
    PROPERTIES = "system-properties"
    ROOT_FILES = "root-files"
    IOS_APPS = "ios-apps"
    PROFILES = "profiles"
    DEVELOPER_MODE = "developer-mode"


CAPABILITY_TEXT: dict[Capability, str] = {
    Capability.PACKAGES: "the list of installed apps",
    Capability.INSTALLER: "which app or store installed each app",
    Capability.INSTALL_TIMES: "when each app was installed or updated",
    Capability.SYSTEM_FLAG: "which apps are part of the system",
    Capability.LAUNCHER: "which apps have an icon in the app drawer",
    Capability.CERTIFICATES: "the certificate each app is signed with",
    Capability.APK_HASHES: "the fingerprint (SHA-256) of each app file",
    Capability.ACCESSIBILITY: "which apps use accessibility services",
    Capability.NOTIFICATION_LISTENERS: "which apps can read notifications",
    Capability.DEVICE_ADMIN: "device administrator and device or profile owner apps",
    Capability.APP_OPS: "special app access (usage access, display over other apps)",
    Capability.VERIFIER: "whether Play Protect app verification is on",
    Capability.DEVELOPER: "developer options and USB debugging",
    Capability.UNKNOWN_SOURCES: "whether installing apps from unknown sources is allowed",
    Capability.PROPERTIES: "system properties (build and boot state)",
    Capability.ROOT_FILES: "files that only exist on rooted phones",
    Capability.IOS_APPS: "the list of installed iPhone apps",
    Capability.PROFILES: "configuration profiles and device management (MDM)",
    Capability.DEVELOPER_MODE: "whether Developer Mode is on",
}


@dataclass(frozen=True, slots=True)
class InstalledApp:
    """One installed app. On iOS ``package`` is the bundle id.

    ``installer``: ``None`` unknown; ``""`` known to have no installer recorded (installed over
    USB debugging, by a file manager that did not record itself, or preinstalled).
    """

    package: str
    installer: str | None = None
    uid: int | None = None
    first_install_time: dt.datetime | None = None
    last_update_time: dt.datetime | None = None
    system: bool | None = None
    enabled: bool | None = None
    hidden_from_launcher: bool | None = None
    permissions: tuple[str, ...] = ()
    cert_sha1: tuple[str, ...] = ()
    apk_sha256: tuple[str, ...] = ()
    name: str | None = None
    version: str | None = None
    path: str | None = None
    cert_subject: str | None = None


@dataclass(frozen=True, slots=True)
class ConfigurationProfile:
    """An iOS configuration profile (or the MDM enrolment, ``is_mdm``)."""

    identifier: str
    name: str | None = None
    organization: str | None = None
    is_mdm: bool = False
    payload_types: tuple[str, ...] = ()
    installed_at: dt.datetime | None = None


@dataclass(frozen=True, slots=True)
class DeviceSettings:
    """Security-relevant settings; component names look like ``com.app/.Service``."""

    accessibility_services: tuple[str, ...] | None = None
    notification_listeners: tuple[str, ...] | None = None
    device_admins: tuple[str, ...] | None = None
    device_owner: str | None = None
    profile_owners: tuple[str, ...] | None = None
    usage_stats_packages: tuple[str, ...] | None = None
    overlay_packages: tuple[str, ...] | None = None
    install_unknown_packages: tuple[str, ...] | None = None
    package_verifier_enabled: bool | None = None
    development_settings_enabled: bool | None = None
    adb_enabled: bool | None = None
    install_non_market_apps: bool | None = None
    developer_mode: bool | None = None  # iOS


@dataclass(frozen=True, slots=True)
class DeviceInfo:
    platform: Platform
    source: str
    manufacturer: str | None = None
    model: str | None = None
    os_version: str | None = None
    build: str | None = None
    serial: str | None = None
    acquired_at: dt.datetime | None = None

    @property
    def serial_sha256(self) -> str | None:
        """The serial number is identifying: reports show only its hash."""
        if not self.serial:
            return None
        return hashlib.sha256(self.serial.encode()).hexdigest()


@dataclass(frozen=True)
class Acquisition:
    """Everything one source read from one device."""

    device: DeviceInfo
    apps: tuple[InstalledApp, ...]
    capabilities: frozenset[Capability]
    settings: DeviceSettings = field(default_factory=DeviceSettings)
    properties: Mapping[str, str] = field(default_factory=dict)
    root_files: tuple[str, ...] = ()
    profiles: tuple[ConfigurationProfile, ...] = ()
    notes: tuple[str, ...] = ()


def component_package(component: str) -> str:
    """``com.app/.Service`` → ``com.app``."""
    return component.split("/", 1)[0].strip()
