"""An iPhone connected over USB, read with ``pymobiledevice3`` (optional; imported lazily).

Read-only requests only: device values from lockdown, the list of user-installed apps
(installation_proxy ``Lookup``), the list of configuration profiles and the cloud
configuration (``com.apple.mobile.MCInstall`` ``GetProfileList`` / ``GetCloudConfiguration``),
and the Developer Mode status (lockdown domain ``com.apple.security.mac.amfi``). Written against
pymobiledevice3 11.x, whose API is asynchronous.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from courseline.digital.devices.consent import Consent, ConsentError
from courseline.digital.devices.model import (
    Acquisition,
    Capability,
    ConfigurationProfile,
    DeviceInfo,
    DeviceSettings,
    InstalledApp,
    Platform,
    SourceError,
)

MISSING = (
    "checking an iPhone over USB needs the optional package pymobiledevice3 "
    "(pip install 'pymobiledevice3>=11,<12'); an unencrypted backup (--ios-backup) works without it"
)


@dataclass(frozen=True)
class IosSnapshot:
    """What the phone answered; the real client and test fakes both produce this."""

    values: Mapping[str, Any]
    apps: Mapping[str, Mapping[str, Any]]
    profiles: Mapping[str, Any]
    cloud_configuration: Mapping[str, Any] | None = None
    developer_mode: bool | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)


class IosClient(Protocol):
    def snapshot(self) -> IosSnapshot: ...


class Pymobiledevice3Client:
    """The real client. Importing pymobiledevice3 happens here, only when it is used."""

    def __init__(self, serial: str | None = None) -> None:
        try:
            importlib.import_module("pymobiledevice3")
        except ImportError:
            raise SourceError(MISSING) from None
        self._serial = serial

    def snapshot(self) -> IosSnapshot:
        try:
            return asyncio.run(self._collect())
        except SourceError:
            raise
        except Exception as problem:  # noqa: BLE001 - the library raises many device errors
            raise SourceError(
                f"the iPhone could not be read ({type(problem).__name__}: {problem}); is it "
                "unlocked, and was 'Trust This Computer' accepted?"
            ) from None

    async def _collect(self) -> IosSnapshot:
        # Imported by name: the package is optional and has no type information for mypy.
        lockdown_module: Any = importlib.import_module("pymobiledevice3.lockdown")
        proxy_module: Any = importlib.import_module("pymobiledevice3.services.installation_proxy")
        config_module: Any = importlib.import_module("pymobiledevice3.services.mobile_config")
        lockdown: Any = await lockdown_module.create_using_usbmux(serial=self._serial)
        notes: list[str] = []
        try:
            values = dict(lockdown.all_values)
            async with proxy_module.InstallationProxyService(lockdown=lockdown) as proxy:
                apps = await proxy.get_apps(application_type="User")
            async with config_module.MobileConfigService(lockdown=lockdown) as config:
                profiles = await config.get_profile_list()
                cloud = await config.get_cloud_configuration()
            developer_mode: bool | None = None
            try:
                status = await lockdown.get_value(
                    domain="com.apple.security.mac.amfi", key="DeveloperModeStatus"
                )
                developer_mode = bool(status) if status is not None else None
            except Exception:  # noqa: BLE001 - older iOS versions have no such value
                notes.append("the phone did not report its Developer Mode status")
        finally:
            await lockdown.close()
        return IosSnapshot(values, apps, profiles, cloud, developer_mode, tuple(notes))


def _str(value: Any) -> str | None:
    return value[:500] if isinstance(value, str) and value else None


def _profiles(snapshot: IosSnapshot) -> list[ConfigurationProfile]:
    found: list[ConfigurationProfile] = []
    metadata = snapshot.profiles.get("ProfileMetadata")
    if isinstance(metadata, Mapping):
        for identifier, meta in list(metadata.items())[:1000]:
            meta = meta if isinstance(meta, Mapping) else {}
            found.append(
                ConfigurationProfile(
                    identifier=str(identifier)[:300],
                    name=_str(meta.get("PayloadDisplayName")),
                    organization=_str(meta.get("PayloadOrganization")),
                )
            )
    cloud = snapshot.cloud_configuration or {}
    if cloud.get("ConfigurationWasApplied") is True or cloud.get("IsSupervised") is True:
        found.append(
            ConfigurationProfile(
                identifier="cloud configuration",
                name=_str(cloud.get("OrganizationName"))
                or "device management set up at activation",
                organization=_str(cloud.get("OrganizationName")),
                is_mdm=True,
            )
        )
    return found


def acquisition_from_snapshot(snapshot: IosSnapshot, acquired_at: dt.datetime) -> Acquisition:
    apps = tuple(
        InstalledApp(
            package=str(bundle)[:300],
            name=_str(info.get("CFBundleDisplayName")) if isinstance(info, Mapping) else None,
            version=_str(info.get("CFBundleShortVersionString"))
            if isinstance(info, Mapping)
            else None,
            system=False,
        )
        for bundle, info in sorted(snapshot.apps.items())[:20000]
    )
    capabilities = {Capability.IOS_APPS, Capability.PROFILES}
    if snapshot.developer_mode is not None:
        capabilities.add(Capability.DEVELOPER_MODE)
    values = snapshot.values
    return Acquisition(
        device=DeviceInfo(
            platform=Platform.IOS,
            source="ios-usb",
            manufacturer="Apple",
            model=_str(values.get("ProductType")),
            os_version=_str(values.get("ProductVersion")),
            build=_str(values.get("BuildVersion")),
            serial=_str(values.get("SerialNumber")),
            acquired_at=acquired_at,
        ),
        apps=apps,
        capabilities=frozenset(capabilities),
        settings=DeviceSettings(developer_mode=snapshot.developer_mode),
        profiles=tuple(_profiles(snapshot)),
        notes=snapshot.notes,
    )


def read_ios_usb(
    consent: Consent | None,
    *,
    serial: str | None = None,
    client: IosClient | None = None,
    now: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
) -> Acquisition:
    if not isinstance(consent, Consent):
        raise ConsentError("record the device owner's consent before connecting to the phone")
    active = client if client is not None else Pymobiledevice3Client(serial)
    return acquisition_from_snapshot(active.snapshot(), now())
