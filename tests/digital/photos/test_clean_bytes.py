"""clean_bytes: a photo or video held in memory is cleaned like a file, including the formats
cleaned by patching a copy (TIFF/DNG, HEIF/AVIF, MP4/MOV/3GP), whose stream has no file behind
it; and clean_file still refuses a file that grows while it is being copied."""

from __future__ import annotations

import io
from pathlib import Path
from typing import BinaryIO

import pytest

from courseline.digital.photos import clean as clean_module
from courseline.digital.photos.clean import EXIF_GPS, Profile, clean_bytes
from courseline.digital.photos.clean_base import PatchPlan
from courseline.digital.photos.clean_bmff import LOCATION_XYZ
from courseline.digital.photos.scan import scan_stream
from tests.digital.photos import fixtures as fx
from tests.digital.photos import iso_fixtures as iso
from tests.digital.photos.test_clean import PROFILES
from tests.digital.photos.test_clean_bmff import mdat_payload, with_random_image
from tests.digital.photos.test_clean_tiff import strips_of


def reveals_location(data: bytes) -> bool:
    scan = scan_stream(io.BytesIO(data), len(data), display_path="photo")
    assert scan.error is None, scan.error
    return scan.reveals_location


@pytest.mark.parametrize("order", ["<", ">"])
@pytest.mark.parametrize("profile", PROFILES)
def test_a_tiff_in_memory_loses_its_gps_and_keeps_its_strips(order: str, profile: Profile) -> None:
    data, strips = fx.tiff_file(order=order)
    assert reveals_location(data)
    cleaned = clean_bytes(data, profile=profile)
    assert cleaned.refused is None and cleaned.format == "tiff" and cleaned.data is not None
    assert EXIF_GPS in cleaned.removed
    assert len(cleaned.data) == len(data)
    assert strips_of(cleaned.data, strips) == strips_of(data, strips)
    assert not reveals_location(cleaned.data)


@pytest.mark.parametrize(
    ("brand", "compatible", "fmt"),
    [(b"heic", (b"mif1", b"heic"), "heif"), (b"avif", (b"avif", b"mif1"), "avif")],
)
def test_a_heic_or_avif_in_memory_loses_its_exif_gps_and_keeps_its_image(
    brand: bytes, compatible: tuple[bytes, ...], fmt: str
) -> None:
    exif = fx.exif_tiff(gps=fx.PARIS)
    data, image_at = with_random_image(iso.heic(exif, brand=brand, compatible=compatible))
    assert reveals_location(data)
    cleaned = clean_bytes(data)
    assert cleaned.refused is None and cleaned.format == fmt and cleaned.data is not None
    assert cleaned.removed == (EXIF_GPS,)
    assert len(cleaned.data) == len(data)
    assert cleaned.data[image_at : image_at + 64] == data[image_at : image_at + 64]
    assert not reveals_location(cleaned.data)


@pytest.mark.parametrize("moov_last", [False, True])
def test_an_mp4_in_memory_loses_its_xyz_location_and_keeps_its_media(moov_last: bool) -> None:
    data = iso.mp4_with_xyz(moov_last=moov_last, mdat_size=4096)
    assert reveals_location(data)
    cleaned = clean_bytes(data)
    assert cleaned.refused is None and cleaned.format == "mp4" and cleaned.data is not None
    assert LOCATION_XYZ in cleaned.removed
    assert len(cleaned.data) == len(data)
    assert mdat_payload(cleaned.data) == mdat_payload(data)
    assert not reveals_location(cleaned.data)


def test_a_file_that_grows_while_it_is_copied_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data, _ = fx.tiff_file()
    src = tmp_path / "growing.tif"
    real_apply = clean_module.apply

    def apply_then_grow(plan: PatchPlan, f: BinaryIO, out: BinaryIO) -> None:
        real_apply(plan, f, out)
        with open(src, "ab") as more:  # the camera is still writing the file
            more.write(b"\0" * 16)

    monkeypatch.setattr(clean_module, "apply", apply_then_grow)
    src.write_bytes(data)
    dst = tmp_path / "out.tif"
    result = clean_module.clean_file(src, dst)
    assert result.refused is not None and "changed while it was being cleaned" in result.refused
    assert not dst.exists()
