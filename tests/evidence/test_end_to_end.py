"""From upload to verified bundle: intake, encrypted storage, export, verification."""

from __future__ import annotations

import datetime as dt
import os
import zipfile
from pathlib import Path

from courseline.evidence.bundle import BundleItem, BundleMeta, verify_bundle, write_bundle
from courseline.evidence.crypto import DecryptingReader, MasterKey
from courseline.evidence.exhibits import initials_from_name, next_exhibit_ref
from courseline.evidence.store import LocalSink, Received, receive
from courseline.law.model import Behaviour
from courseline.reports.chronology import (
    ChronologyExhibit,
    ChronologyIncident,
    ChronologyInput,
    chronology_pdf,
)

WHEN = dt.datetime(2026, 2, 1, 12, 0, tzinfo=dt.UTC)


def test_uploaded_files_export_to_a_bundle_that_verifies(tmp_path: Path) -> None:
    master = MasterKey.generate()
    sink = LocalSink(tmp_path / "vault")
    uploads = {"voicemail.m4a": os.urandom(300_000), "messages.txt": b"you can't hide\n" * 900}
    initials = initials_from_name("Alice Caseworker")
    refs: list[str] = []
    stored: list[tuple[str, str, Received]] = []
    for filename, data in uploads.items():
        ref = next_exhibit_ref(initials, refs)
        refs.append(ref)
        received = receive([data[i : i + 8192] for i in range(0, len(data), 8192)], sink,
                           master, max_size=10_000_000)  # fmt: skip
        stored.append((ref, filename, received))
    assert refs == ["AC/1", "AC/2"]

    def opener(received: Received) -> DecryptingReader:
        return DecryptingReader(sink.open(received.name), received.info.wrapped_key, master)

    items = [
        BundleItem(ref, filename, r.sha256, r.size, WHEN, "victim upload",
                   lambda r=r: opener(r), ("I-1",))  # type: ignore[misc]
        for ref, filename, r in stored
    ]  # fmt: skip
    chronology = ChronologyInput(
        case_reference="CL-2026-000007", prepared_by="Alice Caseworker",
        prepared_for="Northshire Police", prepared_on=WHEN.date(),
        incidents=[ChronologyIncident("I-1", WHEN, "Voicemail and messages",
                                      frozenset({Behaviour.CONTACTING}), exhibits=tuple(refs))],
        exhibits=[ChronologyExhibit(ref, f, r.sha256, r.size, WHEN, "victim upload", ("I-1",))
                  for ref, f, r in stored],
    )  # fmt: skip
    out = tmp_path / "bundle.zip"
    written = write_bundle(out, items, chronology_pdf(chronology),
                           BundleMeta("CL-2026-000007", "Alice Caseworker", WHEN))  # fmt: skip
    report = verify_bundle(out)
    assert report.ok, report.problems
    assert report.manifest_sha256 == written.manifest_sha256
    with zipfile.ZipFile(out) as zf:
        assert zf.read("evidence/AC-1-voicemail.m4a") == uploads["voicemail.m4a"]
        assert zf.read("evidence/AC-2-messages.txt") == uploads["messages.txt"]
