"""Photo fixtures built in code (struct and zlib only; no Pillow): small files with exactly the
structure readers must follow. Each builder returns bytes; tests write them where they need.
"""

from __future__ import annotations

import random
import struct
import zlib
from collections.abc import Iterable, Sequence

BYTE, ASCII, SHORT, LONG, RATIONAL, UNDEFINED, SRATIONAL = 1, 2, 3, 4, 5, 7, 10
_UNIT = {BYTE: 1, ASCII: 1, SHORT: 2, LONG: 4, RATIONAL: 8, UNDEFINED: 1, SRATIONAL: 8}

Entry = tuple[int, int, object]
"""(tag, TIFF type, value): str for ASCII, bytes for BYTE/UNDEFINED, int or list otherwise."""

PARIS = (48.858222, 2.2945)
SYDNEY = (-33.856784, 151.215297)
NEW_YORK = (40.689247, -74.044502)


# ---- TIFF / EXIF ---------------------------------------------------------------------------
def _values(kind: int, value: object) -> list[object]:
    return list(value) if isinstance(value, list) else [value]


def _raw(order: str, kind: int, value: object) -> tuple[int, bytes]:
    if kind == ASCII:
        assert isinstance(value, str)
        raw = value.encode() + b"\0"
        return len(raw), raw
    if kind in (BYTE, UNDEFINED):
        assert isinstance(value, bytes | bytearray)
        return len(value), bytes(value)
    items = _values(kind, value)
    if kind in (RATIONAL, SRATIONAL):
        fmt = order + ("II" if kind == RATIONAL else "ii")
        return len(items), b"".join(struct.pack(fmt, *pair) for pair in items)  # type: ignore[misc]
    fmt = order + ("H" if kind == SHORT else "I")
    return len(items), b"".join(struct.pack(fmt, v) for v in items)


def ifd(order: str, entries: Sequence[Entry], start: int, next_ifd: int = 0) -> bytes:
    """One IFD placed at ``start`` in the TIFF stream, its out-of-line values right after it."""
    entries = sorted(entries, key=lambda e: e[0])
    data_at = start + 2 + 12 * len(entries) + 4
    table = [struct.pack(order + "H", len(entries))]
    data = bytearray()
    for tag, kind, value in entries:
        count, raw = _raw(order, kind, value)
        if len(raw) <= 4:
            table.append(struct.pack(order + "HHI", tag, kind, count) + raw.ljust(4, b"\0"))
        else:
            table.append(struct.pack(order + "HHII", tag, kind, count, data_at + len(data)))
            data += raw + (b"\0" if len(raw) % 2 else b"")
    table.append(struct.pack(order + "I", next_ifd))
    return b"".join(table) + bytes(data)


def tiff(
    ifd0: Sequence[Entry],
    *,
    exif: Sequence[Entry] | None = None,
    gps: Sequence[Entry] | None = None,
    ifd1: Sequence[Entry] | None = None,
    thumbnail: bytes | None = None,
    order: str = "<",
    trailer: bytes = b"",
) -> bytes:
    """A TIFF stream: header, IFD0, Exif IFD, GPS IFD, IFD1 (+ thumbnail), then ``trailer``."""
    ifd0 = list(ifd0)
    if exif is not None:
        ifd0.append((0x8769, LONG, 0))
    if gps is not None:
        ifd0.append((0x8825, LONG, 0))
    thumb_entries = list(ifd1 or [])
    if thumbnail is not None:
        thumb_entries += [(0x0201, LONG, 0), (0x0202, LONG, len(thumbnail))]

    def size(entries: Sequence[Entry] | None) -> int:
        return len(ifd(order, entries, 0)) if entries else 0

    off_exif = 8 + size(ifd0)
    off_gps = off_exif + size(exif)
    off_ifd1 = off_gps + size(gps)
    off_thumb = off_ifd1 + size(thumb_entries)
    fixed = {0x8769: off_exif, 0x8825: off_gps}
    ifd0 = [(t, k, fixed.get(t, v) if k == LONG else v) for t, k, v in ifd0]
    thumb_entries = [(t, k, off_thumb if t == 0x0201 else v) for t, k, v in thumb_entries]
    head = (b"II*\0" if order == "<" else b"MM\0*") + struct.pack(order + "I", 8)
    out = head + ifd(order, ifd0, 8, off_ifd1 if thumb_entries else 0)
    if exif:
        out += ifd(order, exif, off_exif)
    if gps:
        out += ifd(order, gps, off_gps)
    if thumb_entries:
        out += ifd(order, thumb_entries, off_ifd1) + (thumbnail or b"")
    return out + trailer


def dms(value: float) -> list[tuple[int, int]]:
    value = abs(value)
    degrees = int(value)
    minutes = int((value - degrees) * 60)
    seconds = round(((value - degrees) * 60 - minutes) * 60 * 10000)
    return [(degrees, 1), (minutes, 1), (seconds, 10000)]


def gps_entries(lat: float, lon: float) -> list[Entry]:
    return [
        (0x0000, BYTE, bytes([2, 3, 0, 0])),
        (0x0001, ASCII, "N" if lat >= 0 else "S"),
        (0x0002, RATIONAL, dms(lat)),
        (0x0003, ASCII, "E" if lon >= 0 else "W"),
        (0x0004, RATIONAL, dms(lon)),
        (0x0006, RATIONAL, (35, 1)),
    ]


def exif_tiff(
    *,
    gps: tuple[float, float] | None = None,
    make: str = "Apple",
    model: str = "iPhone 14",
    taken: str = "2026:03:04 05:06:07",
    offset: str | None = "+01:00",
    serial: str | None = None,
    owner: str | None = None,
    thumbnail: bytes | None = None,
    order: str = "<",
    maker_note: int = 0,
) -> bytes:
    """A phone-like EXIF stream."""
    exif: list[Entry] = [(0x9000, UNDEFINED, b"0232"), (0x9003, ASCII, taken)]
    if offset is not None:
        exif.append((0x9011, ASCII, offset))
    if serial is not None:
        exif.append((0xA431, ASCII, serial))
    if owner is not None:
        exif.append((0xA430, ASCII, owner))
    if maker_note:
        exif.append((0x927C, UNDEFINED, random.Random(maker_note).randbytes(maker_note)))
    ifd0: list[Entry] = [(0x010F, ASCII, make), (0x0110, ASCII, model), (0x0112, SHORT, 1)]
    return tiff(
        ifd0,
        exif=exif,
        gps=gps_entries(*gps) if gps else None,
        ifd1=[(0x0103, SHORT, 6)] if thumbnail else None,
        thumbnail=thumbnail,
        order=order,
    )


# ---- JPEG ----------------------------------------------------------------------------------
def segment(marker: int, payload: bytes) -> bytes:
    assert len(payload) <= 65533
    return struct.pack(">BBH", 0xFF, marker, len(payload) + 2) + payload


def scan_data(size: int, seed: int = 1) -> bytes:
    """Quantisation, frame and scan headers, ``size`` bytes of entropy-coded data, EOI."""
    rng = random.Random(seed)
    coded = rng.randbytes(size).replace(b"\xff", b"\xff\x00")
    frame = segment(0xC0, struct.pack(">BHHB", 8, 16, 16, 1) + b"\x01\x11\x00")
    return (
        segment(0xDB, b"\x00" + bytes(range(64)))
        + frame
        + segment(0xDA, b"\x01\x01\x00\x00\x3f\x00")
        + coded
        + b"\xff\xd9"
    )


def jpeg(*segments: bytes, body: int = 256) -> bytes:
    return b"\xff\xd8" + b"".join(segments) + scan_data(body)


def app1_exif(stream: bytes) -> bytes:
    return segment(0xE1, b"Exif\0\0" + stream)


XMP_ID = b"http://ns.adobe.com/xap/1.0/\0"
XMP_EXT_ID = b"http://ns.adobe.com/xmp/extension/\0"


def app1_xmp(packet: bytes) -> bytes:
    return segment(0xE1, XMP_ID + packet)


def app1_extended_xmp(guid: bytes, packet: bytes, chunk: int = 60000) -> list[bytes]:
    parts = []
    for start in range(0, len(packet), chunk):
        head = XMP_EXT_ID + guid + struct.pack(">II", len(packet), start)
        parts.append(segment(0xE1, head + packet[start : start + chunk]))
    return parts


def app2(size: int, seed: int = 2, tag: bytes = b"ICC_PROFILE\0\x01\x01") -> list[bytes]:
    """``size`` bytes of APP2 data (ICC-like), split into as many segments as needed."""
    data = random.Random(seed).randbytes(size)
    step = 65533 - len(tag)
    return [segment(0xE2, tag + data[i : i + step]) for i in range(0, size, step)]


def jpeg_with_gps(gps: tuple[float, float] = PARIS, **kwargs: object) -> bytes:
    return jpeg(app1_exif(exif_tiff(gps=gps, **kwargs)))  # type: ignore[arg-type]


# ---- XMP -----------------------------------------------------------------------------------
NS = {
    "x": "adobe:ns:meta/",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "exif": "http://ns.adobe.com/exif/1.0/",
    "xmp": "http://ns.adobe.com/xap/1.0/",
    "photoshop": "http://ns.adobe.com/photoshop/1.0/",
    "Iptc4xmpCore": "http://iptc.org/std/Iptc4xmpCore/1.0/xmlns/",
    "Iptc4xmpExt": "http://iptc.org/std/Iptc4xmpExt/2008-02-29/",
    "tiff": "http://ns.adobe.com/tiff/1.0/",
}


def xmp_packet(attributes: str = "", children: str = "", padding: int = 512) -> bytes:
    declarations = " ".join(f'xmlns:{p}="{u}"' for p, u in NS.items() if p not in ("x", "rdf"))
    return (
        '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>\n'
        '<x:xmpmeta xmlns:x="adobe:ns:meta/">'
        f'<rdf:RDF xmlns:rdf="{NS["rdf"]}">'
        f'<rdf:Description rdf:about="" {declarations} {attributes}>{children}</rdf:Description>'
        "</rdf:RDF></x:xmpmeta>\n" + " " * padding + '<?xpacket end="w"?>'
    ).encode()


def xmp_dm(value: float, positive: str, negative: str) -> str:
    magnitude = abs(value)
    minutes = (magnitude - int(magnitude)) * 60
    return f"{int(magnitude)},{minutes:.6f}{positive if value >= 0 else negative}"


def xmp_gps(lat: float, lon: float) -> bytes:
    return xmp_packet(
        f'exif:GPSLatitude="{xmp_dm(lat, "N", "S")}" '
        f'exif:GPSLongitude="{xmp_dm(lon, "E", "W")}" xmp:CreatorTool="17.1"'
    )


# ---- IPTC ----------------------------------------------------------------------------------
def iim(datasets: Iterable[tuple[int, int, bytes]]) -> bytes:
    return b"".join(struct.pack(">BBBH", 0x1C, r, d, len(v)) + v for r, d, v in datasets)


def irb(resources: Iterable[tuple[int, bytes]]) -> bytes:
    out = b""
    for ident, data in resources:
        out += b"8BIM" + struct.pack(">H", ident) + b"\0\0" + struct.pack(">I", len(data)) + data
        out += b"\0" if len(data) % 2 else b""
    return out


def app13_iptc(city: str = "Lyon", country: str = "France", code: str = "FRA") -> bytes:
    datasets = [
        (1, 90, b"\x1b%G"),
        (2, 90, city.encode()),
        (2, 101, country.encode()),
        (2, 100, code.encode()),
    ]
    return segment(0xED, b"Photoshop 3.0\0" + irb([(0x0404, iim(datasets))]))


# ---- PNG -----------------------------------------------------------------------------------
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png(*chunks: bytes, pixels: int = 16) -> bytes:
    raw = b"".join(b"\0" + bytes(3 * pixels) for _ in range(pixels))
    header = png_chunk(b"IHDR", struct.pack(">IIBBBBB", pixels, pixels, 8, 2, 0, 0, 0))
    return (
        PNG_SIGNATURE
        + header
        + b"".join(chunks)
        + png_chunk(b"IDAT", zlib.compress(raw))
        + png_chunk(b"IEND", b"")
    )


def itxt(keyword: bytes, text: bytes, *, compressed: bool = False) -> bytes:
    body = zlib.compress(text) if compressed else text
    flag = b"\x01\x00" if compressed else b"\x00\x00"
    return png_chunk(b"iTXt", keyword + b"\0" + flag + b"\0\0" + body)


def ztxt(keyword: bytes, text: bytes) -> bytes:
    return png_chunk(b"zTXt", keyword + b"\0\0" + zlib.compress(text))


def text_chunk(keyword: bytes, text: bytes) -> bytes:
    return png_chunk(b"tEXt", keyword + b"\0" + text)


def raw_profile(name: str, data: bytes) -> bytes:
    """ImageMagick's text form: newline, name, newline, length, newline, hex in 72-char lines."""
    hexed = data.hex()
    lines = "\n".join(hexed[i : i + 72] for i in range(0, len(hexed), 72))
    return f"\n{name}\n{len(data):8d}\n{lines}\n".encode()


# ---- WebP ----------------------------------------------------------------------------------
def riff_chunk(kind: bytes, data: bytes) -> bytes:
    return kind + struct.pack("<I", len(data)) + data + (b"\0" if len(data) % 2 else b"")


def webp(*chunks: bytes) -> bytes:
    vp8x = riff_chunk(b"VP8X", bytes([0x0C, 0, 0, 0]) + b"\x0f\0\0\x0f\0\0")
    image = riff_chunk(b"VP8 ", random.Random(3).randbytes(301))
    body = b"WEBP" + vp8x + image + b"".join(chunks)
    return b"RIFF" + struct.pack("<I", len(body)) + body


# ---- the full set, for fuzzing and agreement checks ----------------------------------------
def thumbnail_with_gps(gps: tuple[float, float] = SYDNEY) -> bytes:
    return jpeg(app1_exif(exif_tiff(gps=gps)), body=64)


def samples() -> dict[str, bytes]:
    """One file per container and source kind the readers handle."""
    return {
        "jpeg-exif-gps.jpg": jpeg_with_gps(PARIS, serial="SN123", owner="Sam"),
        "jpeg-xmp.jpg": jpeg(app1_xmp(xmp_gps(*NEW_YORK))),
        "jpeg-xmp-after-app2.jpg": jpeg(*app2(200_000), app1_xmp(xmp_gps(*PARIS))),
        "jpeg-iptc.jpg": jpeg(app13_iptc()),
        "jpeg-thumbnail.jpg": jpeg(app1_exif(exif_tiff(thumbnail=thumbnail_with_gps()))),
        "jpeg-plain.jpg": jpeg(app1_exif(exif_tiff())),
        "tiff-le.tif": exif_tiff(gps=SYDNEY, order="<"),
        "tiff-be.tif": exif_tiff(gps=SYDNEY, order=">"),
        "png-exif.png": png(png_chunk(b"eXIf", exif_tiff(gps=PARIS))),
        "png-xmp.png": png(itxt(b"XML:com.adobe.xmp", xmp_gps(*NEW_YORK))),
        "png-raw.png": png(
            ztxt(b"Raw profile type exif", raw_profile("exif", b"Exif\0\0" + exif_tiff(gps=PARIS)))
        ),
        "webp-exif.webp": webp(riff_chunk(b"EXIF", exif_tiff(gps=SYDNEY))),
        "webp-xmp.webp": webp(riff_chunk(b"XMP ", xmp_gps(*PARIS))),
    }


# ---- TIFF files with pixel data (for cleaning) ---------------------------------------------
def tiff_file(
    *,
    gps: tuple[float, float] | None = PARIS,
    order: str = "<",
    strips: int = 3,
    strip_size: int = 300,
    extra: Sequence[Entry] = (),
    exif: Sequence[Entry] | None = None,
    thumbnail: bytes | None = None,
) -> tuple[bytes, list[tuple[int, int]]]:
    """A TIFF/DNG-like file: IFD0 (camera, owner, date, ``extra``) with ``strips`` strips of
    random pixel data after the metadata, an EXIF IFD, a GPS IFD and optionally a JPEG thumbnail
    in IFD1. Returns the file and the (offset, length) of every strip."""
    pixels = random.Random(11).randbytes(strips * strip_size)
    if exif is None:
        exif = [(0x9003, ASCII, "2026:03:04 05:06:07"), (0xA431, ASCII, "SN-42")]

    def build(first_strip: int) -> bytes:
        ifd0: list[Entry] = [
            (0x0100, SHORT, 10),
            (0x0101, SHORT, strips * 10),
            (0x0103, SHORT, 1),
            (0x010F, ASCII, "Canon"),
            (0x0110, ASCII, "EOS R6"),
            (0x0111, LONG, [first_strip + i * strip_size for i in range(strips)]),
            (0x0117, LONG, [strip_size] * strips),
            (0x0132, ASCII, "2026:03:04 05:06:07"),
            (0x013B, ASCII, "Sam Owner"),
            *extra,
        ]
        return tiff(
            ifd0,
            exif=exif,
            gps=gps_entries(*gps) if gps else None,
            ifd1=[(0x0103, SHORT, 6)] if thumbnail else None,
            thumbnail=thumbnail,
            order=order,
        )

    size = len(build(0))
    data = build(size) + pixels
    return data, [(size + i * strip_size, strip_size) for i in range(strips)]
