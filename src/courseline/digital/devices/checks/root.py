"""Signs that the phone is rooted (Android) or jailbroken (iPhone), or its bootloader unlocked."""

from __future__ import annotations

from courseline.digital.devices.checks.base import SAFETY_FIRST, DeviceCheck
from courseline.digital.devices.model import Acquisition, Capability, Platform
from courseline.digital.findings import Confidence, Finding, JsonValue, Severity
from courseline.digital.indicators import IndicatorSet

ID = "root-indicators"
ROOT_PACKAGES = frozenset(
    {
        "com.topjohnwu.magisk",  # Magisk
        "io.github.huskydg.magisk",  # Magisk fork
        "eu.chainfire.supersu",  # SuperSU
        "com.koushikdutta.superuser",
        "com.noshufou.android.su",
        "com.thirdparty.superuser",
        "me.weishu.kernelsu",  # KernelSU
        "me.bmax.apatch",  # APatch
        "com.kingroot.kinguser",
        "com.kingo.root",
        "com.zhiqupk.root.global",
        "com.alephzain.framaroot",
    }
)
JAILBREAK_BUNDLES = frozenset(
    {
        "com.saurik.Cydia",
        "org.coolstar.SileoStore",
        "xyz.willy.Zebra",
        "com.opa334.TrollStore",
        "com.opa334.Dopamine",
        "science.xnu.undecimus",
        "org.palera1n.loader",
    }
)


def _property_signs(props: dict[str, str]) -> dict[str, str]:
    signs: dict[str, str] = {}
    if props.get("ro.debuggable") == "1" and props.get("ro.build.type") == "user":
        signs["ro.debuggable"] = "1"
    if props.get("ro.secure") == "0":
        signs["ro.secure"] = "0"
    if props.get("ro.build.type") in ("userdebug", "eng"):
        signs["ro.build.type"] = props["ro.build.type"]
    if "test-keys" in props.get("ro.build.tags", ""):
        signs["ro.build.tags"] = props["ro.build.tags"]
    if props.get("ro.boot.verifiedbootstate") == "orange":
        signs["ro.boot.verifiedbootstate"] = "orange"
    if props.get("ro.boot.flash.locked") == "0":
        signs["ro.boot.flash.locked"] = "0"
    return signs


def run(acquisition: Acquisition, indicators: IndicatorSet) -> list[Finding]:
    installed = {a.package for a in acquisition.apps}
    ios = acquisition.device.platform is Platform.IOS
    tools = sorted(installed & (JAILBREAK_BUNDLES if ios else ROOT_PACKAGES))
    files = sorted(acquisition.root_files)
    props = {} if ios else _property_signs(dict(acquisition.properties))
    if not (tools or files or props):
        return []
    strong = bool(tools or files)
    word = "jailbroken" if ios else "rooted"
    evidence: dict[str, JsonValue] = {}
    if tools:
        evidence["packages"] = list(tools)
        evidence["package"] = tools[0]
    if files:
        evidence["files"] = list(files[:50])
    if props:
        evidence["properties"] = dict(props)
    return [
        Finding(
            check=ID,
            severity=Severity.MEDIUM,
            confidence=Confidence.HIGH if strong else Confidence.MEDIUM,
            title=f"The phone shows signs of being {word}"
            if strong
            else "The phone's system protections look weakened",
            meaning=(
                f"A {word} phone lets apps get around its normal protections, so monitoring "
                "software can see more (for example other apps' messages) and hide better. "
                + (
                    "Rooting or jailbreak tools were found."
                    if strong
                    else "Build or boot settings show an unlocked or development system."
                )
            ),
            not_meaning=(
                "Some owners do this to their own phones on purpose, and some phones are sold "
                "with development builds. Root can also be hidden, so no sign is not proof."
            ),
            next_step=(
                "Ask whether the person did this. If not, the safest course is usually a new "
                "or fully reset phone, planned with the caseworker. " + SAFETY_FIRST
            ),
            evidence=evidence,
        )
    ]


CHECK = DeviceCheck(
    ID,
    "Root or jailbreak signs",
    {
        Platform.ANDROID: frozenset({Capability.PACKAGES}),
        Platform.IOS: frozenset({Capability.IOS_APPS}),
    },
    run,
)
