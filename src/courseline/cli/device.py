"""`courseline device …` and `courseline indicators …`: check a phone for stalkerware, monitoring
apps and risky settings, and manage the indicator set. A thin shell over
``courseline.digital.devices`` and ``courseline.digital.indicators``."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape

from courseline.cli.paths import data_dir

device_app = typer.Typer(
    help="Check an Android phone or iPhone for stalkerware, monitoring apps and risky settings.",
    no_args_is_help=True,
)
indicators_app = typer.Typer(
    help="The stalkerware, watchware and dual-use app indicator set.", no_args_is_help=True
)
# Paths, device data, app and package names and indicator-set fields are escape()d (or Text in
# tables), never read as Rich markup; emoji codes such as ":warning:" in them are left as they are.
out = Console(soft_wrap=True, emoji=False)
err = Console(stderr=True, emoji=False)

SEVERITY_STYLE = {
    "critical": "bold white on red",
    "high": "bold red",
    "medium": "yellow",
    "low": "cyan",
    "info": "dim",
}


class Format(StrEnum):
    TEXT = "text"
    JSON = "json"


def _fail(message: str, code: int = 2) -> typer.Exit:
    err.print(f"[bold red]Error:[/] {escape(message)}")
    return typer.Exit(code)


def _parse_answers(answers: list[str]) -> list[Any]:
    from courseline.digital.devices.ios_checklist import ChecklistError, record_answers

    raw: dict[str, str] = {}
    for item in answers:
        key, sep, value = item.partition("=")
        if not sep:
            raise _fail(f"--answer {item!r}: write it as ITEM=yes|no|unsure|not-checked")
        raw[key.strip()] = value
    try:
        return record_answers(raw)
    except ChecklistError as problem:
        raise _fail(str(problem)) from None


def _acquire(
    consent: Any,
    serial: str | None,
    adb: bool,
    androidqf: Path | None,
    bugreport: Path | None,
    packages: Path | None,
    ios_backup: Path | None,
    ios_usb: bool,
) -> Any:
    """Read the one source the caller chose (it has already checked there is exactly one)."""
    from courseline.digital.devices.sources import (
        adb as adb_source,
    )
    from courseline.digital.devices.sources import (
        androidqf as aqf,
    )
    from courseline.digital.devices.sources import (
        bugreport as br,
    )
    from courseline.digital.devices.sources import (
        ios_backup as backup,
    )
    from courseline.digital.devices.sources import (
        ios_usb as usb,
    )
    from courseline.digital.devices.sources import (
        package_list as plist,
    )

    if adb:
        return adb_source.read_adb(consent, serial=serial)
    if androidqf is not None:
        return aqf.read_androidqf(androidqf)
    if bugreport is not None:
        return br.read_bugreport(bugreport)
    if packages is not None:
        return plist.read_package_list(packages)
    if ios_backup is not None:
        return backup.read_ios_backup(ios_backup)
    assert ios_usb
    return usb.read_ios_usb(consent, serial=serial)


@device_app.command("check")
def check_command(
    consent_owner: Annotated[
        str | None,
        typer.Option(
            "--consent",
            metavar="OWNER",
            help="Name of the device owner, who is present and agrees to the check (required).",
        ),
    ] = None,
    adb: Annotated[
        bool, typer.Option("--adb", help="Read a phone connected over USB with adb.")
    ] = False,
    serial: Annotated[
        str | None,
        typer.Option("--serial", help="With --adb or --ios-usb: which connected device to read."),
    ] = None,
    androidqf: Annotated[
        Path | None, typer.Option("--androidqf", metavar="DIR", help="An AndroidQF acquisition.")
    ] = None,
    bugreport: Annotated[
        Path | None, typer.Option("--bugreport", metavar="ZIP", help="An Android bug report zip.")
    ] = None,
    packages: Annotated[
        Path | None,
        typer.Option(
            "--packages", metavar="FILE", help="`pm list packages` output, or one name a line."
        ),
    ] = None,
    ios_backup: Annotated[
        Path | None,
        typer.Option("--ios-backup", metavar="DIR", help="An unencrypted iPhone backup folder."),
    ] = None,
    ios_usb: Annotated[
        bool, typer.Option("--ios-usb", help="Read an iPhone over USB (needs pymobiledevice3).")
    ] = False,
    consultant: Annotated[
        str | None, typer.Option(help="Who is carrying out the check (recorded).")
    ] = None,
    answer: Annotated[
        list[str] | None,
        typer.Option(
            "--answer",
            metavar="ITEM=ANSWER",
            help="An iPhone manual checklist answer (see `device checklist`); repeatable.",
        ),
    ] = None,
    indicators: Annotated[
        Path | None, typer.Option(help="Use this indicator set file instead of the active one.")
    ] = None,
    output_format: Annotated[Format, typer.Option("--format", help="Output format.")] = Format.TEXT,
) -> None:
    """Check one device and explain every finding. Refuses to run without --consent."""
    from courseline.digital.devices import ConsentError, SourceError, run_checks
    from courseline.digital.devices.consent import Consent
    from courseline.digital.devices.ios_checklist import checklist_findings
    from courseline.digital.findings import sort_findings
    from courseline.digital.indicators import IndicatorError, load

    chosen = [adb or None, androidqf, bugreport, packages, ios_backup, ios_usb or None]
    if sum(c is not None for c in chosen) != 1:
        raise _fail(
            "choose exactly one source: --adb, --androidqf, --bugreport, --packages, "
            "--ios-backup or --ios-usb"
        )
    if not consent_owner or not consent_owner.strip():
        raise _fail(
            'a device check needs the owner\'s consent: give --consent "NAME" with the name of '
            "the device owner, who must be present and agree to the check"
        )
    answers = _parse_answers(answer or [])
    try:
        consent = Consent(owner=consent_owner, consultant=consultant)
        indicator_set = load(indicators, data_dir=data_dir())
        acquisition = _acquire(
            consent, serial, adb, androidqf, bugreport, packages, ios_backup, ios_usb
        )
    except (SourceError, ConsentError, IndicatorError) as problem:
        raise _fail(str(problem)) from None
    report = run_checks(acquisition, indicator_set).with_consent(consent)
    if answers:
        from dataclasses import replace

        extra = checklist_findings(answers)
        report = replace(report, findings=tuple(sort_findings([*report.findings, *extra])))
    if output_format is Format.JSON:
        out.print_json(json.dumps(report.to_json()))
        return
    _print_report(report)


def _print_report(report: Any) -> None:
    device = report.device_json()
    out.print(f"[bold]Device check[/] ({escape(device['source'])})")
    identity = (
        " ".join(str(device[key]) for key in ("manufacturer", "model") if device.get(key))
        or "unknown model"
    )
    out.print(f"  Device: {escape(identity)}, OS {escape(str(device['os_version'] or '?'))}")
    if device["serial_sha256"]:
        out.print(f"  Serial (SHA-256): {device['serial_sha256']}")
    out.print(f"  Apps seen: {device['apps']}   Indicators: {escape(device['indicator_version'])}")
    if device["consent"]:
        consent = device["consent"]
        out.print(f"  Consent: {escape(consent['owner'])}, {consent['recorded_at']}")
    for note in device["notes"]:
        out.print(f"  Note: {escape(note)}")
    out.print()
    if not report.findings:
        out.print("[green]No findings.[/]")
    for finding in report.findings:
        style = SEVERITY_STYLE[finding.severity.value]
        out.print(
            f"[{style}]{finding.severity.value.upper()}[/] {escape(finding.title)} "
            f"[dim](confidence {finding.confidence.value}; {escape(finding.check)})[/]"
        )
        out.print(f"  What it means: {escape(finding.meaning)}")
        out.print(f"  What it does not mean: {escape(finding.not_meaning)}")
        out.print(f"  Next step: {escape(finding.next_step)}")
        if finding.indicator:
            ref = finding.indicator
            out.print(f"  Indicator: {escape(ref.name)} ({escape(ref.set)} {escape(ref.version)})")
        evidence = ", ".join(f"{k}={v}" for k, v in finding.evidence.items())
        out.print(f"  Evidence: {escape(evidence)}")
        out.print()
    if report.not_checked:
        out.print("[bold]Not checked[/]")
        for item in report.not_checked:
            out.print(f"  - {escape(item.title)}: {escape(item.reason)}")
        out.print()
    out.print(f"[dim]{escape(device['limits'])}[/]")


@device_app.command("checklist")
def checklist_command(
    output_format: Annotated[Format, typer.Option("--format", help="Output format.")] = Format.TEXT,
) -> None:
    """List the iPhone manual checks (answer them with `device check --answer ITEM=yes`)."""
    from courseline.digital.devices.ios_checklist import CHECKLIST

    if output_format is Format.JSON:
        items = [
            {"id": i.id, "question": i.question, "how_to_check": i.how_to_check, "why": i.why}
            for i in CHECKLIST
        ]
        out.print_json(json.dumps(items))
        return
    for item in CHECKLIST:
        out.print(f"[bold]{item.id}[/]: {escape(item.question)}")
        out.print(f"  How: {escape(item.how_to_check)}")
        out.print(f"  Why: {escape(item.why)}")


@indicators_app.command("info")
def info_command(
    path: Annotated[
        Path | None, typer.Option("--path", help="Describe this set file instead.")
    ] = None,
    output_format: Annotated[Format, typer.Option("--format", help="Output format.")] = Format.TEXT,
) -> None:
    """Show the active indicator set: version, sources, licences and counts."""
    from courseline.digital.indicators import IndicatorError, active_path, load

    folder = data_dir()
    try:
        indicator_set = load(path, data_dir=folder)
    except IndicatorError as problem:
        raise _fail(str(problem)) from None
    where = (
        str(path)
        if path
        else (str(active_path(folder)) if active_path(folder).is_file() else "packaged")
    )
    counts = indicator_set.counts()
    if output_format is Format.JSON:
        payload = {
            "version": indicator_set.version,
            "content_sha256": indicator_set.content_sha256,
            "location": where,
            "sources": [
                {
                    "name": s.name,
                    "version": s.version,
                    "licence": s.licence,
                    "url": s.url,
                    "attribution": s.attribution,
                }
                for s in indicator_set.sources
            ],
            "counts": counts,
        }
        out.print_json(json.dumps(payload))
        return
    out.print(f"[bold]Indicator set[/] {escape(indicator_set.version)} ({escape(where)})")
    for source in indicator_set.sources:
        out.print(
            f"  {escape(source.name)}: {escape(source.version)}, licence {escape(source.licence)}"
            f", {escape(source.url)}"
        )
        out.print(f"    {escape(source.attribution)}")
    from rich.table import Table
    from rich.text import Text

    table = Table(
        "set",
        "apps",
        "packages",
        "certificates",
        "APK hashes",
        "websites",
        "C2 domains",
        "C2 IPs",
        "iOS bundles",
    )
    for label, row in counts.items():
        table.add_row(
            Text(label),  # named after the set's sources: a set file may come from anywhere
            *(
                str(row[key])
                for key in (
                    "apps",
                    "packages",
                    "certificates",
                    "sha256",
                    "websites",
                    "c2_domains",
                    "c2_ips",
                    "ios_bundles",
                )
            ),
        )
    out.print(table)


@indicators_app.command("update")
def update_command(
    source: Annotated[
        str, typer.Option("--from", metavar="PATH|URL", help="A set file, or an https:// URL.")
    ],
    sha256: Annotated[
        str | None, typer.Option("--sha256", help="Refuse the set unless its content hash matches.")
    ] = None,
) -> None:
    """Validate a new indicator set and make it active; on any problem the old set stays."""
    from courseline.digital.indicators import IndicatorError, update

    target: str | Path = source if "://" in source else Path(source)
    try:
        new = update(target, data_dir(), expected_sha256=sha256)
    except IndicatorError as problem:
        raise _fail(f"{problem} (the previous indicator set is still active)") from None
    total = sum(row["apps"] for row in new.counts().values())
    out.print(f"Indicator set {escape(new.version)} is now active ({total} apps).")
