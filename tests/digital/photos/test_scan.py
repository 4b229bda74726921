"""scan_file and scan_paths: dispatch, typed errors, directory walking, parallel order, the
ISO-BMFF hand-off, and agreement with the benchmark corpus (and exiftool, when installed)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import importlib.util
import io
import json
import os
import random
import shutil
import struct
import subprocess
import sys
import types
from pathlib import Path
from typing import Any

import pytest

from courseline.digital.photos import scan as scan_module
from courseline.digital.photos.containers import ContainerError
from courseline.digital.photos.model import Device, ErrorKind, LocationSource, PhotoScan, SourceKind
from courseline.digital.photos.scan import ISOBMFF_MODULE, scan_file, scan_paths
from tests.digital.photos import fixtures as fx
from tests.digital.photos import iso_fixtures as iso

BENCH = Path("/work/shared/bench/make_photo_corpus.py")


def write(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


# ---- scan_file -----------------------------------------------------------------------------
@pytest.mark.parametrize("name", sorted(fx.samples()))
def test_every_sample_container_reveals_its_location(tmp_path: Path, name: str) -> None:
    scan = scan_file(write(tmp_path / name, fx.samples()[name]))
    assert scan.error is None, scan.error
    assert scan.format == name.split("-")[0]
    assert scan.reveals_location == (name != "jpeg-plain.jpg")


def test_the_display_path_replaces_the_real_path(tmp_path: Path) -> None:
    path = write(tmp_path / "a.jpg", fx.jpeg_with_gps())
    assert scan_file(path, display_path="case-12/a.jpg").path == "case-12/a.jpg"
    assert scan_file(str(path)).path == str(path)


@pytest.mark.parametrize(
    "data,kind",
    [
        (b"", ErrorKind.NOT_AN_IMAGE),
        (b"hello, this is a text file\n", ErrorKind.NOT_AN_IMAGE),
        (b"GIF89a" + bytes(20), ErrorKind.UNSUPPORTED),
        (b"\xff\xd8", ErrorKind.TRUNCATED),
        (b"\x89PNG\r\n\x1a\n", ErrorKind.TRUNCATED),
        (b"RIFF\x04\0\0\0WEBP", ErrorKind.MALFORMED),
        (b"RIFF\xff\0\0\0WEBPVP8 ", ErrorKind.TRUNCATED),
        (b"MM\0*\0\0\0\x08", ErrorKind.TRUNCATED),
    ],
    ids=[
        "empty",
        "text",
        "gif",
        "jpeg-soi-only",
        "png-signature-only",
        "webp-tiny",
        "webp-cut",
        "tiff-cut",
    ],
)
def test_files_that_cannot_be_read_give_a_typed_error(
    tmp_path: Path, data: bytes, kind: ErrorKind
) -> None:
    scan = scan_file(write(tmp_path / "f.bin", data))
    assert scan.error is not None and scan.error.kind == kind, scan.error
    assert scan.sources == ()


@pytest.mark.parametrize(
    "first",
    [
        iso.box(b"pnot", bytes(12)),  # a QuickTime preview
        iso.box(b"uuid", bytes(24)),
        iso.box(b"styp", b"msdh\0\0\0\0msdh"),  # a media segment
        iso.full_box(b"meta", 0, 0),
    ],
    ids=["pnot", "uuid", "styp", "meta"],
)
def test_a_movie_may_start_with_any_top_level_box_the_reader_accepts(
    tmp_path: Path, first: bytes
) -> None:
    scan = scan_file(write(tmp_path / "clip.mp4", first + iso.mp4_with_xyz(mdat_size=64)))
    assert scan.error is None, scan.error
    assert scan.format == "mp4"
    assert scan.location == pytest.approx(iso.LONDON, abs=1e-6)


def test_a_missing_file_and_a_directory_are_unreadable(tmp_path: Path) -> None:
    missing = scan_file(tmp_path / "nope.jpg")
    folder = scan_file(tmp_path)
    assert missing.error is not None and missing.error.kind == ErrorKind.UNREADABLE
    assert folder.error is not None and folder.error.kind == ErrorKind.UNREADABLE


def test_a_path_with_a_nul_byte_is_unreadable() -> None:
    scan = scan_file("bad\0name.jpg")
    assert scan.error is not None and scan.error.kind == ErrorKind.UNREADABLE


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_a_named_pipe_is_refused_without_blocking(tmp_path: Path) -> None:
    pipe = tmp_path / "pipe.jpg"
    os.mkfifo(pipe)
    scan = scan_file(pipe)
    assert scan.error is not None and scan.error.kind == ErrorKind.UNREADABLE


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root reads anything")
def test_a_file_without_read_permission_is_unreadable(tmp_path: Path) -> None:
    path = write(tmp_path / "secret.jpg", fx.jpeg_with_gps())
    path.chmod(0)
    try:
        scan = scan_file(path)
    finally:
        path.chmod(0o600)
    assert scan.error is not None and scan.error.kind == ErrorKind.UNREADABLE


def test_a_reader_bug_is_reported_as_malformed_not_raised(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_args: object) -> None:
        raise ValueError("bug")

    monkeypatch.setitem(scan_module._READERS, "jpeg", broken)
    scan = scan_file(write(tmp_path / "a.jpg", fx.jpeg_with_gps()))
    assert scan.error is not None and scan.error.kind == ErrorKind.MALFORMED


def test_scanning_never_modifies_the_file(tmp_path: Path) -> None:
    path = write(tmp_path / "a.jpg", fx.samples()["jpeg-thumbnail.jpg"])
    os.utime(path, (1_000_000_000, 1_000_000_000))
    before = (path.read_bytes(), path.stat().st_mtime)
    scan_file(path)
    assert (path.read_bytes(), path.stat().st_mtime) == before


# ---- ISO-BMFF hand-off ---------------------------------------------------------------------
@dataclasses.dataclass
class FakeFindings:
    format: str = "heif"
    exif: bytes | None = None
    xmp: bytes | None = None
    sources: list[LocationSource] = dataclasses.field(default_factory=list)
    taken_at: dt.datetime | None = None
    device: Device = dataclasses.field(default_factory=Device)


def fake_isobmff(monkeypatch: pytest.MonkeyPatch, read: Any) -> None:
    module = types.ModuleType(ISOBMFF_MODULE)
    module.read = read  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, ISOBMFF_MODULE, module)


HEIF_HEAD = b"\0\0\0\x18ftypheic\0\0\0\0mif1heic" + bytes(64)


def test_heif_exif_and_xmp_items_go_through_the_exif_and_xmp_parsers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    when = dt.datetime(2026, 1, 1, 12, 0, tzinfo=dt.UTC)
    findings = FakeFindings(
        exif=fx.exif_tiff(gps=fx.PARIS, offset=None, taken="2026:02:03 04:05:06"),
        xmp=fx.xmp_gps(*fx.SYDNEY),
        sources=[LocationSource(SourceKind.QUICKTIME_KEYS, lat=1.0, lon=2.0)],
        taken_at=when,
        device=Device(make="Other", serial="S-9"),
    )
    fake_isobmff(monkeypatch, lambda f, size: findings)
    scan = scan_file(write(tmp_path / "IMG_1.HEIC", HEIF_HEAD))
    assert scan.format == "heif" and scan.error is None
    assert [s.kind for s in scan.sources] == [
        SourceKind.EXIF_GPS,
        SourceKind.QUICKTIME_KEYS,
        SourceKind.XMP,
    ]
    assert scan.location == pytest.approx(fx.PARIS, abs=1e-6)
    assert scan.taken_at == dt.datetime(2026, 2, 3, 4, 5, 6)  # noqa: DTZ001 - EXIF first
    assert scan.device == Device(make="Apple", model="iPhone 14", serial="S-9")


def test_an_isobmff_container_error_becomes_a_scan_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def read(f: object, size: int) -> None:
        raise ContainerError(ErrorKind.TRUNCATED, "moov box cut short")

    fake_isobmff(monkeypatch, read)
    scan = scan_file(write(tmp_path / "v.mp4", HEIF_HEAD))
    assert scan.error is not None and scan.error.kind == ErrorKind.TRUNCATED
    assert scan.error.message == "moov box cut short"


def test_a_truncated_video_reports_its_location_with_the_error(tmp_path: Path) -> None:
    # moov (with udta/©xyz) comes first; then an mdat claiming more bytes than the file has
    data = iso.mp4_with_xyz(mdat_size=64)
    at = data.index(b"mdat") - 4
    data = data[:at] + struct.pack(">I", 1 << 20) + data[at + 4 :]
    scan = scan_file(write(tmp_path / "VID_0001.mp4", data))
    assert scan.error is not None and scan.error.kind == ErrorKind.TRUNCATED
    assert scan.format == "mp4"
    assert [s.kind for s in scan.sources] == [SourceKind.QUICKTIME_XYZ]
    assert scan.location == pytest.approx(iso.LONDON, abs=1e-6)


def test_without_an_isobmff_reader_videos_are_unsupported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, ISOBMFF_MODULE, None)  # makes the import fail
    scan = scan_file(write(tmp_path / "v.mov", HEIF_HEAD))
    assert scan.error is not None and scan.error.kind == ErrorKind.UNSUPPORTED
    assert scan.error.message == "video/HEIF reading is not available"


# ---- scan_paths ----------------------------------------------------------------------------
def make_tree(root: Path) -> None:
    write(root / "b.jpg", fx.jpeg_with_gps())
    write(root / "a" / "z.png", fx.samples()["png-exif.png"])
    write(root / "a" / "deeper" / "c.webp", fx.samples()["webp-xmp.webp"])
    write(root / "notes.txt", b"not a photo")
    os.symlink(root / "b.jpg", root / "link.jpg")
    os.symlink(root / "a", root / "linked-dir")
    if hasattr(os, "mkfifo"):
        os.mkfifo(root / "pipe.jpg")


def test_a_recursive_scan_walks_the_tree_in_name_order_and_skips_links_and_pipes(
    tmp_path: Path,
) -> None:
    root = tmp_path / "export"
    make_tree(root)
    shown = [s.path for s in scan_paths([str(root)], recursive=True)]
    assert shown == [
        os.path.join(str(root), "a", "deeper", "c.webp"),
        os.path.join(str(root), "a", "z.png"),
        os.path.join(str(root), "b.jpg"),
        os.path.join(str(root), "notes.txt"),
    ]


def test_the_shown_path_is_the_given_path_joined_with_the_relative_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_tree(tmp_path / "export")
    monkeypatch.chdir(tmp_path)
    shown = [s.path for s in scan_paths(["export/a"], recursive=True)]
    assert shown == [
        os.path.join("export/a", "deeper", "c.webp"),
        os.path.join("export/a", "z.png"),
    ]


def test_without_recursion_only_the_files_directly_inside_are_scanned(tmp_path: Path) -> None:
    make_tree(tmp_path)
    shown = [Path(s.path).name for s in scan_paths([str(tmp_path)], recursive=False)]
    assert shown == ["b.jpg", "notes.txt"]


def test_files_given_explicitly_are_scanned_and_missing_ones_reported(tmp_path: Path) -> None:
    path = write(tmp_path / "x.jpg", fx.jpeg_with_gps())
    results = list(scan_paths([str(path), str(tmp_path / "gone.jpg")], recursive=False))
    assert results[0].location is not None
    assert results[1].error is not None and results[1].error.kind == ErrorKind.UNREADABLE


def test_parallel_scanning_gives_the_same_results_in_the_same_order(tmp_path: Path) -> None:
    names = []
    for i, (name, data) in enumerate(sorted(fx.samples().items()) * 3):
        names.append(str(write(tmp_path / f"{i:03d}-{name}", data)))
    serial = list(scan_paths(names, recursive=False, jobs=1))
    parallel = list(scan_paths(names, recursive=False, jobs=2))
    assert parallel == serial
    assert [s.path for s in parallel] == names


# ---- agreement with the benchmark corpus ---------------------------------------------------
def load_bench() -> types.ModuleType:
    spec = importlib.util.spec_from_file_location("make_photo_corpus", BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def isobmff_available() -> bool:
    return importlib.util.find_spec(ISOBMFF_MODULE) is not None


def check_against(entry: dict[str, Any], scan: PhotoScan) -> None:
    if entry.get("error"):
        assert scan.error is not None, entry
        return
    if entry["format"] in ("mp4", "mov") and not isobmff_available():
        assert scan.error is not None and scan.error.kind == ErrorKind.UNSUPPORTED
        return
    assert scan.error is None, (entry, scan.error)
    assert scan.format == entry["format"]
    assert sorted({s.kind.value for s in scan.sources}) == sorted(entry["sources"]), entry
    if entry["gps"] is None:
        assert scan.location is None
    else:
        # the corpus writes ISO 6709 with 4 decimals, EXIF to 1e-4 arc-seconds
        tolerance = 6e-5 if entry["format"] in ("mp4", "mov") else 1e-6
        assert scan.location == pytest.approx(tuple(entry["gps"]), abs=tolerance), entry


@pytest.mark.skipif(
    not BENCH.exists() or importlib.util.find_spec("PIL") is None,
    reason="needs the corpus builder and Pillow",
)
def test_the_reader_agrees_with_the_benchmark_corpus_manifest(tmp_path: Path) -> None:
    out = tmp_path / "corpus"
    subprocess.run(
        [sys.executable, str(BENCH), str(out), "--count", "150", "--scan-kib", "32"],
        check=True,
        capture_output=True,
    )
    manifest = json.loads((out / "manifest.json").read_text())
    results = {s.path: s for s in scan_paths([str(out / "DCIM")], recursive=True)}
    for entry in manifest["files"]:
        check_against(entry, results[str(out / entry["path"])])


def corpus_like_files(
    rng: random.Random, use_bench: bool
) -> list[tuple[str, bytes, dict[str, Any]]]:
    """Files laid out like the corpus (maker notes, ICC/MPF blocks, XMP after them, thumbnails),
    built without Pillow: from the corpus builder's own byte-level functions, or our fixtures."""
    bench = load_bench() if use_bench else None
    thumb = fx.jpeg(body=3000)
    files = []
    for i in range(60):
        gps = (round(rng.uniform(-60, 70), 6), round(rng.uniform(-170, 170), 6))
        gps_or_none = gps if i % 3 else None
        where = rng.random()
        exif_gps = gps_or_none if where < 0.8 else None
        xmp_gps = gps_or_none if where >= 0.6 else None
        with_thumb = thumb if i % 2 else None
        if bench is not None:
            exif = bench.build_exif(rng, exif_gps, with_thumb)
            xmp = bench.xmp_packet(xmp_gps)
        else:
            exif = fx.exif_tiff(
                gps=exif_gps, thumbnail=with_thumb, maker_note=rng.randint(2000, 24000)
            )
            xmp = fx.xmp_gps(*xmp_gps) if xmp_gps else fx.xmp_packet()
        icc = 60000 if i % 5 == 0 else 3000
        data = fx.jpeg(
            fx.app1_exif(exif),
            *fx.app2(icc, seed=i),
            *fx.app2(icc, seed=i + 1, tag=b"MPF\0"),
            fx.app1_xmp(xmp),
            body=20_000,
        )
        sources = (["exif-gps"] if exif_gps else []) + (["xmp"] if xmp_gps else [])
        entry = {
            "format": "jpeg",
            "gps": list(gps_or_none) if gps_or_none else None,
            "sources": sources,
        }
        files.append((f"IMG_{i:04d}.JPG", data, entry))
    return files


@pytest.mark.parametrize("builder", ["fixtures", "bench"])
def test_the_reader_agrees_with_a_corpus_built_without_pillow(tmp_path: Path, builder: str) -> None:
    if builder == "bench" and not BENCH.exists():
        pytest.skip("corpus builder not present")
    for name, data, entry in corpus_like_files(random.Random(621), builder == "bench"):
        check_against(entry, scan_file(write(tmp_path / name, data)))


@pytest.mark.skipif(shutil.which("exiftool") is None, reason="exiftool is not installed")
def test_coordinates_agree_with_exiftool(tmp_path: Path) -> None:
    paths = [str(write(tmp_path / name, data)) for name, data in fx.samples().items()]
    exiftool = shutil.which("exiftool")
    assert exiftool is not None
    run = subprocess.run(
        [exiftool, "-n", "-json", "-GPSLatitude", "-GPSLongitude", *paths],
        capture_output=True,
        check=False,
        text=True,
    )
    for record in json.loads(run.stdout):
        ours = scan_file(record["SourceFile"])
        if "GPSLatitude" in record and "GPSLongitude" in record:
            expected = (record["GPSLatitude"], record["GPSLongitude"])
            assert ours.location == pytest.approx(expected, abs=1e-5), record["SourceFile"]
        elif any(s.kind in (SourceKind.EXIF_GPS, SourceKind.XMP) for s in ours.sources):
            pytest.fail(f"exiftool found no GPS in {record['SourceFile']}")


# ---- scan_stream and automatic parallelism ---------------------------------------------------
def test_a_stream_gives_the_same_result_as_the_file(tmp_path: Path) -> None:
    for name, data in sorted(fx.samples().items()):
        path = write(tmp_path / name, data)
        stream = io.BytesIO(data)
        stream.seek(len(data) // 2)  # read from byte 0 whatever the position
        assert scan_module.scan_stream(stream, len(data), display_path=str(path)) == scan_file(path)


@pytest.mark.parametrize("data", [b"", b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n\0\0", os.urandom(64)])
def test_a_stream_of_garbage_gives_a_typed_error(data: bytes) -> None:
    scan = scan_module.scan_stream(io.BytesIO(data), len(data), display_path="upload")
    assert scan.path == "upload" and scan.error is not None and scan.location is None


@pytest.mark.parametrize(
    ("cpus", "files", "expected"),
    [(16, 10, 1), (16, 255, 1), (16, 256, 8), (4, 5000, 4), (2, 5000, 1), (1, 5000, 1)],
)
def test_automatic_jobs_use_workers_only_for_a_big_batch_on_enough_cpus(
    monkeypatch: pytest.MonkeyPatch, cpus: int, files: int, expected: int
) -> None:
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: set(range(cpus)), raising=False)
    assert scan_module.auto_jobs(files) == expected


def test_automatic_jobs_give_the_serial_results_in_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    names = [
        str(write(tmp_path / f"{i:03d}-{name}", data))
        for i, (name, data) in enumerate(sorted(fx.samples().items()) * 2)
    ]
    monkeypatch.setattr(scan_module, "auto_jobs", lambda files: 2)
    assert list(scan_paths(names, recursive=False, jobs=0)) == list(
        scan_paths(names, recursive=False, jobs=1)
    )


def test_when_worker_processes_cannot_start_every_file_is_scanned_here(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import concurrent.futures

    def refuse(*args: object, **kwargs: object) -> None:
        raise OSError("no semaphores in this sandbox")

    monkeypatch.setattr(concurrent.futures, "ProcessPoolExecutor", refuse)
    names = [str(write(tmp_path / f"{i}.jpg", fx.jpeg_with_gps())) for i in range(5)]
    results = list(scan_paths(names, recursive=False, jobs=3))
    assert [s.path for s in results] == names
    assert all(s.location is not None for s in results)
