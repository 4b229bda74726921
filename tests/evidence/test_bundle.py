"""Evidence bundles: writing them atomically and verifying them against hostile changes."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import shutil
import subprocess
import zipfile
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest

from courseline.evidence.bundle import (
    BundleError,
    BundleItem,
    BundleLimits,
    BundleMeta,
    BundleUnreadable,
    ProblemKind,
    csv_safe,
    safe_filename,
    verify_bundle,
    write_bundle,
)

WHEN = dt.datetime(2026, 3, 1, 9, 30, tzinfo=dt.UTC)
META = BundleMeta(case_reference="CL-2026-000001", prepared_by="A. Caseworker", created_at=WHEN)
PDF = b"%PDF-1.7\n% a stand-in chronology for bundle tests\n"


def item(exhibit: str, filename: str, data: bytes, **extra: object) -> BundleItem:
    return BundleItem(
        exhibit=exhibit,
        filename=filename,
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
        received_at=WHEN,
        source="victim upload",
        opener=lambda: io.BytesIO(data),
        **extra,  # type: ignore[arg-type]
    )


def sample_items() -> list[BundleItem]:
    return [
        item("AB/1", "IMG_0001.jpg", b"\xff\xd8\xff" + bytes(range(256)) * 40, incidents=("I-1",)),
        item("AB/2", "chat export.txt", b"Where are you? " * 500, incidents=("I-1", "I-2")),
        item("AB/3", "=cmd|' /C calc'!A0.csv", b"a,b\n1,2\n"),
    ]  # fmt: skip


@pytest.fixture
def bundle(tmp_path: Path) -> Path:
    out = tmp_path / "bundle.zip"
    write_bundle(out, sample_items(), PDF, META)
    return out


def rebuild(
    src: Path,
    dst: Path,
    change: Callable[[str, bytes], bytes | None] = lambda name, data: data,
    add: dict[str, bytes] | None = None,
) -> Path:
    with zipfile.ZipFile(src) as old, zipfile.ZipFile(dst, "w") as new:
        for info in old.infolist():
            data = change(info.filename, old.read(info))
            if data is not None:
                new.writestr(info, data)
        for name, data in (add or {}).items():
            new.writestr(name, data)
    return dst


def kinds(path: Path, **limits: int) -> list[tuple[ProblemKind, str]]:
    report = verify_bundle(path, BundleLimits(**limits) if limits else None)
    return [(p.kind, p.file) for p in report.problems]


# --- writing ---------------------------------------------------------------------------------


def test_a_written_bundle_verifies(bundle: Path) -> None:
    report = verify_bundle(bundle)
    assert report.ok, report.problems
    assert report.items_listed == 3
    assert report.files_checked == 3 + 4  # items, pdf, csv, manifest.json, manifest.sha256
    assert report.case_reference == "CL-2026-000001"
    with zipfile.ZipFile(bundle) as zf:
        assert report.manifest_sha256 == hashlib.sha256(zf.read("manifest.json")).hexdigest()


def test_the_layout_names_and_compression(bundle: Path) -> None:
    with zipfile.ZipFile(bundle) as zf:
        names = zf.namelist()
        infos = {i.filename: i for i in zf.infolist()}
    assert names == [
        "evidence/AB-1-IMG_0001.jpg",
        "evidence/AB-2-chat_export.txt",
        "evidence/AB-3-C_calc_A0.csv",
        "chronology.pdf",
        "manifest.csv",
        "manifest.json",
        "manifest.sha256",
    ]
    assert infos["evidence/AB-1-IMG_0001.jpg"].compress_type == zipfile.ZIP_STORED
    assert infos["evidence/AB-2-chat_export.txt"].compress_type == zipfile.ZIP_DEFLATED


def test_the_manifest_records_every_item(bundle: Path) -> None:
    with zipfile.ZipFile(bundle) as zf:
        manifest = json.loads(zf.read("manifest.json"))
        original = zf.read("evidence/AB-2-chat_export.txt")
    record = manifest["items"][1]
    assert record["exhibit"] == "AB/2"
    assert record["original_filename"] == "chat export.txt"
    assert record["sha256"] == hashlib.sha256(original).hexdigest()
    assert record["size"] == len(original)
    assert record["received_at"] == "2026-03-01T09:30:00Z"
    assert record["incidents"] == ["I-1", "I-2"]
    assert [d["file"] for d in manifest["documents"]] == ["chronology.pdf", "manifest.csv"]


def test_the_csv_cannot_run_formulas(bundle: Path) -> None:
    with zipfile.ZipFile(bundle) as zf:
        text = zf.read("manifest.csv").decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [r["exhibit"] for r in rows] == ["AB/1", "AB/2", "AB/3"]
    assert rows[2]["original_filename"] == "'=cmd|' /C calc'!A0.csv"
    assert rows[1]["linked_incidents"] == "I-1; I-2"
    assert csv_safe("-1") == "'-1" and csv_safe("@SUM(A1)") == "'@SUM(A1)"
    assert csv_safe("plain") == "plain"


@pytest.mark.skipif(shutil.which("sha256sum") is None, reason="needs coreutils sha256sum")
def test_an_officer_can_check_the_unzipped_bundle_with_sha256sum(
    bundle: Path, tmp_path: Path
) -> None:
    target = tmp_path / "unzipped"
    with zipfile.ZipFile(bundle) as zf:
        zf.extractall(target)
    result = subprocess.run(
        ["sha256sum", "-c", "manifest.sha256"], cwd=target, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count(": OK") == 6
    (target / "evidence" / "AB-1-IMG_0001.jpg").write_bytes(b"changed")
    result = subprocess.run(["sha256sum", "-c", "manifest.sha256"], cwd=target,
                            capture_output=True, text=True)  # fmt: skip
    assert result.returncode == 1 and "AB-1-IMG_0001.jpg: FAILED" in result.stdout


def test_a_mismatching_item_fails_and_leaves_no_file(tmp_path: Path) -> None:
    items = sample_items()
    bad = item("AB/4", "x.jpg", b"recorded bytes")
    items.append(replace(bad, opener=lambda: io.BytesIO(b"recorded bytez")))
    out = tmp_path / "bundle.zip"
    with pytest.raises(BundleError, match="AB/4"):
        write_bundle(out, items, PDF, META)
    assert list(tmp_path.iterdir()) == []


def test_a_longer_stream_than_recorded_fails(tmp_path: Path) -> None:
    bad = item("AB/1", "x.bin", b"1234")
    longer = replace(bad, opener=lambda: io.BytesIO(b"12345"))
    with pytest.raises(BundleError):
        write_bundle(tmp_path / "b.zip", [longer], PDF, META)
    assert list(tmp_path.iterdir()) == []


def test_an_opener_error_leaves_no_file_and_keeps_an_old_bundle(tmp_path: Path) -> None:
    out = tmp_path / "bundle.zip"
    out.write_bytes(b"previous export")

    def broken() -> io.BytesIO:
        raise OSError("storage unavailable")

    bad = replace(item("AB/1", "x", b"x"), opener=broken)
    with pytest.raises(OSError, match="storage unavailable"):
        write_bundle(out, [bad], PDF, META)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bundle.zip"]
    assert out.read_bytes() == b"previous export"


@pytest.mark.parametrize(
    ("name", "safe"),
    [
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\vic\\photo.JPG", "photo.JPG"),
        (".hidden", "hidden"),
        ("..", "file"),
        ("Zoë's café.png", "Zoe_s_cafe.png"),
        ("照片.jpg", "file.jpg"),
        ("a\x00b\nc.txt", "a_b_c.txt"),
        ("x" * 300 + ".mp4", "x" * 116 + ".mp4"),
    ],
)
def test_file_names_inside_the_zip_are_safe(name: str, safe: str) -> None:
    assert safe_filename(name) == safe


def test_names_inside_the_zip_are_unique(tmp_path: Path) -> None:
    items = [item("AB/1", "a.txt", b"1"), item("AB/1", "A.TXT", b"2"), item("AB/1", "a.txt", b"3")]
    out = tmp_path / "b.zip"
    write_bundle(out, items, PDF, META)
    with zipfile.ZipFile(out) as zf:
        evidence = [n for n in zf.namelist() if n.startswith("evidence/")]
    assert evidence == ["evidence/AB-1-a.txt", "evidence/AB-1-A-2.TXT", "evidence/AB-1-a-3.txt"]
    assert verify_bundle(out).ok


def test_an_empty_bundle_still_verifies(tmp_path: Path) -> None:
    out = tmp_path / "b.zip"
    write_bundle(out, [], PDF, META)
    report = verify_bundle(out)
    assert report.ok and report.items_listed == 0


# --- verifying -------------------------------------------------------------------------------


def _flip_last(name: str, data: bytes) -> bytes:
    return data[:-1] + bytes([data[-1] ^ 1]) if name == "evidence/AB-1-IMG_0001.jpg" else data


def test_verify_catches_a_changed_byte(bundle: Path, tmp_path: Path) -> None:
    changed = rebuild(bundle, tmp_path / "changed.zip", _flip_last)
    problems = kinds(changed)
    assert (ProblemKind.CHANGED, "evidence/AB-1-IMG_0001.jpg") in problems
    assert len(problems) == 1


def test_verify_catches_a_changed_byte_in_the_raw_zip(bundle: Path, tmp_path: Path) -> None:
    raw = bytearray(bundle.read_bytes())
    at = raw.index(bytes(range(256)))  # inside the stored photo
    raw[at + 5] ^= 0xFF
    damaged = tmp_path / "damaged.zip"
    damaged.write_bytes(bytes(raw))
    report = verify_bundle(damaged)
    assert [(p.kind, p.file) for p in report.problems] == [
        (ProblemKind.DAMAGED, "evidence/AB-1-IMG_0001.jpg")
    ]
    assert "CRC" in report.problems[0].detail


def test_verify_catches_a_missing_file(bundle: Path, tmp_path: Path) -> None:
    missing = rebuild(bundle, tmp_path / "missing.zip",
                      lambda n, d: None if n.endswith("chat_export.txt") else d)  # fmt: skip
    problems = kinds(missing)
    assert problems == [(ProblemKind.MISSING, "evidence/AB-2-chat_export.txt")]


def test_verify_catches_an_extra_file(bundle: Path, tmp_path: Path) -> None:
    extra = rebuild(bundle, tmp_path / "extra.zip", add={"evidence/AB-9-planted.jpg": b"x"})
    assert kinds(extra) == [(ProblemKind.UNLISTED, "evidence/AB-9-planted.jpg")]


def test_verify_catches_a_manifest_that_does_not_match_its_hash(
    bundle: Path, tmp_path: Path
) -> None:
    def edit(name: str, data: bytes) -> bytes:
        return data.replace(b"victim upload", b"police upload") if name == "manifest.json" else data

    edited = rebuild(bundle, tmp_path / "edited.zip", edit)
    assert kinds(edited) == [(ProblemKind.MANIFEST, "manifest.json")]


def test_verify_catches_a_changed_file_with_a_rewritten_manifest(
    bundle: Path, tmp_path: Path
) -> None:
    """Re-hashing a changed file in manifest.json alone is caught by manifest.sha256."""
    with zipfile.ZipFile(bundle) as zf:
        photo = zf.read("evidence/AB-1-IMG_0001.jpg")
    new_photo = _flip_last("evidence/AB-1-IMG_0001.jpg", photo)
    old_hash = hashlib.sha256(photo).hexdigest().encode()
    new_hash = hashlib.sha256(new_photo).hexdigest().encode()

    def forge(name: str, data: bytes) -> bytes:
        if name == "manifest.json":
            return data.replace(old_hash, new_hash)
        return new_photo if name == "evidence/AB-1-IMG_0001.jpg" else data

    problems = kinds(rebuild(bundle, tmp_path / "forged.zip", forge))
    assert (ProblemKind.MANIFEST, "manifest.json") in problems
    assert (ProblemKind.CHANGED, "evidence/AB-1-IMG_0001.jpg") in problems


def test_verify_reports_every_problem_at_once(bundle: Path, tmp_path: Path) -> None:
    def several(name: str, data: bytes) -> bytes | None:
        if name.endswith("chat_export.txt"):
            return None
        return _flip_last(name, data)

    problems = kinds(rebuild(bundle, tmp_path / "x.zip", several, {"notes.txt": b"hello"}))
    assert set(problems) == {
        (ProblemKind.CHANGED, "evidence/AB-1-IMG_0001.jpg"),
        (ProblemKind.MISSING, "evidence/AB-2-chat_export.txt"),
        (ProblemKind.UNLISTED, "notes.txt"),
    }


def test_a_missing_manifest_is_reported(bundle: Path, tmp_path: Path) -> None:
    stripped = rebuild(bundle, tmp_path / "s.zip",
                       lambda n, d: None if n.startswith("manifest.") and n != "manifest.csv"
                       else d)  # fmt: skip
    problems = kinds(stripped)
    assert (ProblemKind.MANIFEST, "manifest.json") in problems
    assert (ProblemKind.MANIFEST, "manifest.sha256") in problems


@pytest.mark.parametrize(
    "content",
    [b"{not json", b"[]", b'{"format": "something-else"}', b"\xff\xfe",
     b'{"format": "courseline-evidence-bundle", "format_version": 99}',
     b'{"format": "courseline-evidence-bundle", "format_version": 1, "items": 3}',
     b"[" * 100000 + b"]" * 100000],
)  # fmt: skip
def test_a_garbage_manifest_is_reported_not_raised(tmp_path: Path, content: bytes) -> None:
    out = tmp_path / "g.zip"
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr("manifest.json", content)
        zf.writestr("manifest.sha256", f"{hashlib.sha256(content).hexdigest()}  manifest.json\n")
    report = verify_bundle(out)
    assert not report.ok
    assert all(p.kind is ProblemKind.MANIFEST for p in report.problems)


def test_bad_listing_entries_are_reported(bundle: Path, tmp_path: Path) -> None:
    manifest = {"format": "courseline-evidence-bundle", "format_version": 1, "documents": [],
                "items": [{"file": "a"}, "x", {"file": "b", "sha256": "0" * 64, "size": -1},
                          {"file": "c", "sha256": "0" * 64, "size": True}]}  # fmt: skip
    content = json.dumps(manifest).encode()
    out = tmp_path / "l.zip"
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr("manifest.json", content)
        zf.writestr("manifest.sha256", f"{hashlib.sha256(content).hexdigest()}  manifest.json\n")
    details = [p.detail for p in verify_bundle(out).problems]
    assert details == [
        "item 1 (a) has no valid SHA-256",
        "item 2 is not an object",
        "item 3 (b) has no valid size",
        "item 4 (c) has no valid size",
    ]


# --- hostile zips ----------------------------------------------------------------------------


@pytest.mark.parametrize("content", [b"", b"not a zip at all", b"PK\x03\x04" + b"\x00" * 100])
def test_a_file_that_is_not_a_zip_is_unreadable(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "x.zip"
    path.write_bytes(content)
    with pytest.raises(BundleUnreadable, match="not a zip"):
        verify_bundle(path)


def test_a_truncated_bundle_is_unreadable(bundle: Path, tmp_path: Path) -> None:
    cut = tmp_path / "cut.zip"
    cut.write_bytes(bundle.read_bytes()[:-200])
    with pytest.raises(BundleUnreadable):
        verify_bundle(cut)


def test_a_missing_path_is_unreadable(tmp_path: Path) -> None:
    with pytest.raises(BundleUnreadable, match="does not exist"):
        verify_bundle(tmp_path / "nope.zip")
    with pytest.raises(BundleUnreadable):
        verify_bundle(tmp_path)


def test_traversal_and_absolute_names_are_reported_and_never_read(
    bundle: Path, tmp_path: Path
) -> None:
    hostile = {"../../evil.sh": b"x", "/etc/cron.d/x": b"x", "C:/win.ini": b"x",
               "evidence\\..\\x": b"x", "a/../../b": b"x"}  # fmt: skip
    problems = kinds(rebuild(bundle, tmp_path / "h.zip", add=hostile))
    assert sorted(problems) == sorted((ProblemKind.UNSAFE, name) for name in hostile)


def test_a_zip_bomb_entry_is_not_inflated(bundle: Path, tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.zip"
    shutil.copy(bundle, bomb)
    with zipfile.ZipFile(bomb, "a", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("evidence/AB-9-bomb.txt", b"\x00" * (64 * 1024 * 1024))
    problems = verify_bundle(bomb).problems
    assert [(p.kind, p.file) for p in problems] == [(ProblemKind.UNSAFE, "evidence/AB-9-bomb.txt")]
    assert "zip bomb" in problems[0].detail


def test_limits_on_entries_and_declared_size(bundle: Path) -> None:
    with pytest.raises(BundleUnreadable, match="entries"):
        verify_bundle(bundle, BundleLimits(max_entries=3))
    with pytest.raises(BundleUnreadable, match="uncompressed"):
        verify_bundle(bundle, BundleLimits(max_total_size=100))
    problems = kinds(bundle, max_manifest_size=100)
    assert (ProblemKind.UNSAFE, "manifest.json") in problems


def test_duplicate_and_encrypted_entries_are_reported(bundle: Path, tmp_path: Path) -> None:
    dup = tmp_path / "dup.zip"
    shutil.copy(bundle, dup)
    with pytest.warns(UserWarning, match="Duplicate name"), zipfile.ZipFile(dup, "a") as zf:
        zf.writestr("chronology.pdf", b"another")
    problems = kinds(dup)
    assert (ProblemKind.UNSAFE, "chronology.pdf") in problems
