"""What intake reads from an original and the copies it makes (the original never changes)."""

from __future__ import annotations

import hashlib
import struct
import zlib
from pathlib import Path

from courseline.evidence.derive import LocationStatus, inspect_original
from tests.digital.photos.fixtures import PARIS, jpeg_with_gps, png, png_chunk


def _write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_a_photo_with_gps_gets_a_location_free_copy_and_its_capture_time(tmp_path: Path) -> None:
    original = _write(tmp_path, "a.jpg", jpeg_with_gps(PARIS))
    before = hashlib.sha256(original.read_bytes()).hexdigest()
    work = tmp_path / "work"
    work.mkdir()
    result = inspect_original(original, work, suffix=".jpg")
    assert result.format == "jpeg"
    assert result.location_status is LocationStatus.STRIPPED_COPY
    assert result.capture_time is not None and result.capture_time.tzinfo is not None
    stripped = next(d for d in result.derived if d.kind == "location_stripped")
    assert stripped.path.exists() and "original is unchanged" in stripped.method
    assert hashlib.sha256(original.read_bytes()).hexdigest() == before


def test_a_document_is_kept_as_it_is_with_nothing_derived(tmp_path: Path) -> None:
    original = _write(tmp_path, "chat.txt", b"[01/01/2026] hello\n")
    result = inspect_original(original, tmp_path)
    assert result.format is None and result.derived == []
    assert result.location_status is LocationStatus.NOT_CHECKED


def test_an_image_claiming_enormous_dimensions_gets_no_thumbnail(tmp_path: Path) -> None:
    header = struct.pack(">IIBBBBB", 100_000, 100_000, 8, 2, 0, 0, 0)
    bomb = (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", header)
        + png_chunk(b"IDAT", zlib.compress(b"\0" * 1000))
        + png_chunk(b"IEND", b"")
    )
    work = tmp_path / "w"
    work.mkdir()
    result = inspect_original(_write(tmp_path, "bomb.png", bomb), work)
    assert not any(d.kind == "thumbnail" for d in result.derived)


def test_a_small_real_image_gets_a_png_thumbnail_without_metadata(tmp_path: Path) -> None:
    from PIL import Image

    image = Image.new("RGB", (1200, 800), (10, 20, 30))
    path = tmp_path / "big.png"
    image.save(path)
    work = tmp_path / "w"
    work.mkdir()
    result = inspect_original(path, work)
    thumb = next(d for d in result.derived if d.kind == "thumbnail")
    with Image.open(thumb.path) as shown:
        assert max(shown.size) <= 480 and not shown.info.get("exif")


def test_a_png_fixture_without_location_is_reported_as_none_found(tmp_path: Path) -> None:
    result = inspect_original(_write(tmp_path, "p.png", png()), tmp_path)
    assert result.location_status is LocationStatus.NONE_FOUND
