"""The JPEG segment walk reads headers from the cached block: headers that straddle a block
boundary, fill bytes and in-memory thumbnails must give what a byte-by-byte walk gives."""

from __future__ import annotations

import io

import pytest

from courseline.digital.photos.containers import BLOCK, ContainerError, Payloads, Span, Window, jpeg
from courseline.digital.photos.model import ErrorKind, SourceKind
from tests.digital.photos import fixtures as fx


def walk(data: bytes) -> tuple[Payloads, ContainerError | None]:
    found = Payloads("jpeg")
    try:
        jpeg.read(io.BytesIO(data), len(data), found)
    except ContainerError as exc:
        return found, exc
    return found, None


@pytest.mark.parametrize("shift", range(-6, 7))
def test_a_segment_header_across_the_first_block_boundary_is_read(shift: int) -> None:
    # an APP2 filler that ends ``shift`` bytes around the end of the first 64 KiB block, so
    # the next marker and its length are split between two reads in every possible way
    small = fx.segment(0xE2, bytes(16))
    filler = BLOCK - 2 - len(small) - 4 + shift
    xmp = fx.app1_xmp(fx.xmp_gps(51.5, -0.12))
    data = fx.jpeg(small, fx.segment(0xE2, bytes(filler)), xmp)
    assert data.index(xmp) == BLOCK + shift
    found, error = walk(data)
    assert error is None
    assert [kind for _, kind in found.xmp] == [SourceKind.XMP]


def test_fill_bytes_before_a_marker_across_the_block_boundary_are_skipped() -> None:
    xmp = fx.app1_xmp(fx.xmp_gps(51.5, -0.12))
    filler = fx.segment(0xE2, bytes(BLOCK - 2 - 4 - 3))
    data = fx.jpeg(filler + b"\xff" * 5 + xmp)
    found, error = walk(data)
    assert error is None and len(found.xmp) == 1


def test_a_file_ending_inside_a_marker_or_a_length_is_truncated() -> None:
    start = b"\xff\xd8" + fx.segment(0xE2, bytes(10))
    for tail in (b"\xff", b"\xff\xe1", b"\xff\xe1\x00"):
        _, error = walk(start + tail)
        assert error is not None and error.kind == ErrorKind.TRUNCATED, tail


def test_a_thumbnail_in_memory_is_walked_like_a_file() -> None:
    thumbnail = fx.thumbnail_with_gps()
    from_memory = Payloads("jpeg")
    jpeg.read_bytes(thumbnail, from_memory)
    from_file, error = walk(thumbnail)
    assert error is None
    assert from_memory.exif == from_file.exif and from_memory.exif


def test_span_and_window_give_the_same_bytes_and_views() -> None:
    data = bytes(range(256)) * 700
    span, window = Span(data), Window(io.BytesIO(data), len(data))
    for offset, n in [(0, 4), (BLOCK - 2, 4), (len(data) - 1, 4), (len(data), 4), (-1, 4)]:
        assert span.read(offset, n) == window.read(offset, n)
        for source in (span, window):
            buf, at = source.view(offset, n)
            assert buf[at : at + n] == data[offset : offset + n] if offset >= 0 else buf == b""
    with pytest.raises(ContainerError):
        span.need(len(data) - 1, 2, "the end")
