"""Hand-built ISO base media files (MP4, MOV, 3GP, HEIC, AVIF) for the isobmff reader tests.

Everything is assembled from bytes here, so the tests need no sample files and no encoder.
"""

from __future__ import annotations

import struct

XMP_UUID = bytes.fromhex("BE7ACFCB97A942E89C71999491E3AFAC")

LONDON = (51.5074, -0.1278)
LONDON_ISO6709 = "+51.5074-000.1278+011.000/"
PARIS = (48.8583, 2.2945)
PARIS_ISO6709 = "+48.8583+002.2945+030.000/"
SYDNEY = (-33.8568, 151.2153)

XMP_PACKET = (
    b'<?xpacket begin="\xef\xbb\xbf" id="W5M0MpCehiHzreSzNTczkc9d"?>'
    b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF '
    b'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
    b'<rdf:Description rdf:about="" xmlns:exif="http://ns.adobe.com/exif/1.0/" '
    b'exif:GPSLatitude="51,30.444N" exif:GPSLongitude="0,7.668W"/>'
    b'</rdf:RDF></x:xmpmeta><?xpacket end="w"?>'
)


# ---- boxes ---------------------------------------------------------------------------------


def box(kind: bytes, payload: bytes = b"") -> bytes:
    assert len(kind) == 4
    return struct.pack(">I", 8 + len(payload)) + kind + payload


def large_box(kind: bytes, payload: bytes = b"") -> bytes:
    """A box with the 64-bit ``largesize`` header (size field 1)."""
    return struct.pack(">I", 1) + kind + struct.pack(">Q", 16 + len(payload)) + payload


def full_box(kind: bytes, version: int, flags: int, payload: bytes = b"") -> bytes:
    return box(kind, struct.pack(">I", (version << 24) | flags) + payload)


def ftyp(major: bytes, *compatible: bytes, minor: int = 0) -> bytes:
    return box(b"ftyp", major + struct.pack(">I", minor) + b"".join(compatible))


def mvhd(creation: int = 0, version: int = 0) -> bytes:
    if version == 1:
        times = struct.pack(">QQIQ", creation, creation, 600, 6000)
    else:
        times = struct.pack(">IIII", creation, creation, 600, 6000)
    return full_box(b"mvhd", version, 0, times + bytes(80))


def qt_text(kind: bytes, text: str, language: int = 0x15C7) -> bytes:
    """A QuickTime user-data text atom: 16-bit length, 16-bit language, string."""
    raw = text.encode()
    return box(kind, struct.pack(">HH", len(raw), language) + raw)


def hdlr(handler: bytes, name: bytes = b"") -> bytes:
    return full_box(b"hdlr", 0, 0, bytes(4) + handler + bytes(12) + name + b"\0")


def data_atom(value: bytes, type_code: int = 1) -> bytes:
    return box(b"data", struct.pack(">II", type_code, 0) + value)


def apple_meta(entries: list[tuple[str, str]], full: bool = False) -> bytes:
    """QuickTime ``meta`` (mdta handler) with ``keys`` and ``ilst``; ``full`` adds a FullBox
    header as some writers do."""
    keys = full_box(
        b"keys",
        0,
        0,
        struct.pack(">I", len(entries)) + b"".join(box(b"mdta", k.encode()) for k, _ in entries),
    )
    items = b"".join(
        box(struct.pack(">I", i), data_atom(v.encode())) for i, (_, v) in enumerate(entries, 1)
    )
    payload = hdlr(b"mdta") + keys + box(b"ilst", items)
    return box(b"meta", (bytes(4) if full else b"") + payload)


def itunes_meta(items: list[tuple[bytes, str]]) -> bytes:
    """``udta/meta`` in the MP4 (iTunes) style: FullBox, mdir handler, 4cc-named ilst items."""
    ilst = box(b"ilst", b"".join(box(k, data_atom(v.encode())) for k, v in items))
    return full_box(b"meta", 0, 0, hdlr(b"mdir") + ilst)


def mdat(size: int) -> bytes:
    return box(b"mdat", bytes(size))


def trak(handler: bytes) -> bytes:
    tkhd = full_box(b"tkhd", 0, 0, bytes(80))
    mdhd = full_box(b"mdhd", 0, 0, bytes(20))
    minf = box(b"minf", box(b"stbl", box(b"stsd", bytes(8))))
    return box(b"trak", tkhd + box(b"mdia", mdhd + hdlr(handler) + minf))


# ---- movies --------------------------------------------------------------------------------


def mp4(
    moov_children: bytes,
    *,
    brand: bytes = b"isom",
    compatible: tuple[bytes, ...] = (b"isom", b"iso2", b"mp41"),
    mdat_size: int = 1024,
    moov_last: bool = False,
    extra_top: bytes = b"",
) -> bytes:
    moov = box(b"moov", moov_children)
    media = mdat(mdat_size)
    body = media + moov if moov_last else moov + media
    return ftyp(brand, *compatible, minor=512) + body + extra_top


def mp4_with_xyz(moov_last: bool = False, mdat_size: int = 256 * 1024) -> bytes:
    udta = box(b"udta", qt_text(b"\xa9xyz", LONDON_ISO6709) + bytes(4))  # zero terminator
    return mp4(mvhd() + udta, mdat_size=mdat_size, moov_last=moov_last)


# 2024-05-01T12:34:56Z as seconds since 1904-01-01
MVHD_2024 = 3797411696


def mov_with_keys(moov_last: bool = False) -> bytes:
    meta = apple_meta(
        [
            ("com.apple.quicktime.location.ISO6709", PARIS_ISO6709),
            ("com.apple.quicktime.make", "Apple"),
            ("com.apple.quicktime.model", "iPhone 15 Pro"),
            ("com.apple.quicktime.software", "17.4.1"),
            ("com.apple.quicktime.creationdate", "2024-05-01T14:34:56+0200"),
        ]
    )
    return mp4(
        mvhd(MVHD_2024) + meta,
        brand=b"qt  ",
        compatible=(b"qt  ",),
        moov_last=moov_last,
    )


def loci(lat: float, lon: float, name: str = "Home", alt: float = 12.0) -> bytes:
    fixed = struct.pack(">iii", round(lon * 65536), round(lat * 65536), round(alt * 65536))
    payload = struct.pack(">H", 0x15C7) + name.encode() + b"\0" + b"\0" + fixed
    payload += b"Earth\0" + b"\0"
    return full_box(b"loci", 0, 0, payload)


def gpp_with_loci() -> bytes:
    udta = box(b"udta", loci(*SYDNEY, name="Opera House"))
    return mp4(mvhd(MVHD_2024) + udta, brand=b"3gp5", compatible=(b"3gp5", b"isom"))


def mp4_with_timed_gps(handler: bytes = b"camm") -> bytes:
    return mp4(mvhd() + trak(b"vide") + trak(handler))


def mp4_plain() -> bytes:
    return mp4(mvhd() + trak(b"vide") + trak(b"soun"))


def mp4_with_xmp(uuid: bool) -> bytes:
    if uuid:
        return mp4(mvhd(), extra_top=box(b"uuid", XMP_UUID + XMP_PACKET))
    return mp4(mvhd() + box(b"udta", box(b"XMP_", XMP_PACKET)))


# ---- TIFF with GPS -------------------------------------------------------------------------


def _rationals(values: list[tuple[int, int]]) -> bytes:
    return b"".join(struct.pack("<II", n, d) for n, d in values)


def tiny_tiff_with_gps(lat: float = LONDON[0], lon: float = LONDON[1]) -> bytes:
    """A little-endian TIFF stream: IFD0 (Make, GPS pointer) and a GPS IFD with lat/lon."""

    def dms(value: float) -> list[tuple[int, int]]:
        value = abs(value)
        d = int(value)
        m = int((value - d) * 60)
        s = round(((value - d) * 60 - m) * 60 * 100)
        return [(d, 1), (m, 1), (s, 100)]

    ifd0_at = 8
    ifd0_len = 2 + 2 * 12 + 4
    make_at = ifd0_at + ifd0_len
    make = b"Apple\0"
    gps_at = make_at + len(make) + (len(make) % 2)
    gps_len = 2 + 4 * 12 + 4
    lat_at = gps_at + gps_len
    lon_at = lat_at + 24
    ifd0 = struct.pack("<H", 2)
    ifd0 += struct.pack("<HHII", 0x010F, 2, len(make), make_at)
    ifd0 += struct.pack("<HHII", 0x8825, 4, 1, gps_at)
    ifd0 += struct.pack("<I", 0)
    gps = struct.pack("<H", 4)
    gps += struct.pack("<HHI", 0x0001, 2, 2) + (b"N" if lat >= 0 else b"S") + bytes(3)
    gps += struct.pack("<HHII", 0x0002, 5, 3, lat_at)
    gps += struct.pack("<HHI", 0x0003, 2, 2) + (b"E" if lon >= 0 else b"W") + bytes(3)
    gps += struct.pack("<HHII", 0x0004, 5, 3, lon_at)
    gps += struct.pack("<I", 0)
    padding = bytes(len(make) % 2)
    head = b"II*\0" + struct.pack("<I", ifd0_at)
    return head + ifd0 + make + padding + gps + _rationals(dms(lat)) + _rationals(dms(lon))


# ---- HEIF ----------------------------------------------------------------------------------


def infe(item_id: int, item_type: bytes, content_type: str = "", version: int = 2) -> bytes:
    width = ">H" if version == 2 else ">I"
    payload = struct.pack(width, item_id) + struct.pack(">H", 0) + item_type + b"\0"
    if item_type == b"mime":
        payload += content_type.encode() + b"\0"
    return full_box(b"infe", version, 0, payload)


def iinf(entries: list[bytes], count: int | None = None) -> bytes:
    n = len(entries) if count is None else count
    return full_box(b"iinf", 0, 0, struct.pack(">H", n) + b"".join(entries))


def iloc(
    items: list[tuple[int, list[tuple[int, int]]]],
    *,
    version: int = 1,
    method: int = 0,
    count: int | None = None,
    extent_count: int | None = None,
) -> bytes:
    """iloc with offset_size=4, length_size=4, base_offset_size=0, index_size=0."""
    id_fmt = ">I" if version == 2 else ">H"
    n = len(items) if count is None else count
    payload = bytes([0x44, 0x00]) + struct.pack(id_fmt, n)
    for item_id, extents in items:
        payload += struct.pack(id_fmt, item_id)
        if version:
            payload += struct.pack(">H", method)
        payload += struct.pack(">H", 0)  # data_reference_index
        payload += struct.pack(">H", len(extents) if extent_count is None else extent_count)
        for offset, length in extents:
            payload += struct.pack(">II", offset, length)
    return full_box(b"iloc", version, 0, payload)


def heic(
    exif_tiff: bytes | None = None,
    xmp: bytes | None = None,
    *,
    exif_prefix: bool = True,
    brand: bytes = b"heic",
    compatible: tuple[bytes, ...] = (b"mif1", b"heic"),
    iloc_version: int = 1,
    method: int = 0,
    infe_version: int = 2,
) -> bytes:
    """A HEIC with an image item, an Exif item and an XMP item, the data in ``mdat``."""
    image = bytes(64)
    exif_item = b""
    if exif_tiff is not None:
        prefix = b"Exif\0\0" if exif_prefix else b""
        exif_item = struct.pack(">I", len(prefix)) + prefix + exif_tiff
    xmp_item = xmp or b""
    entries = [infe(1, b"hvc1", version=infe_version)]
    if exif_tiff is not None:
        entries.append(infe(2, b"Exif", version=infe_version))
    if xmp is not None:
        entries.append(infe(3, b"mime", "application/rdf+xml", version=infe_version))
    head = ftyp(brand, *compatible)

    def build(base: int) -> bytes:
        located = [(1, [(base, len(image))])]
        if exif_tiff is not None:
            located.append((2, [(base + len(image), len(exif_item))]))
        if xmp is not None:
            located.append((3, [(base + len(image) + len(exif_item), len(xmp_item))]))
        children = hdlr(b"pict") + full_box(b"pitm", 0, 0, struct.pack(">H", 1))
        children += iinf(entries) + iloc(located, version=iloc_version, method=method)
        return full_box(b"meta", 0, 0, children)

    meta_len = len(build(0))
    meta = build(len(head) + meta_len + 8)
    return head + meta + box(b"mdat", image + exif_item + xmp_item)


def heif_meta_file(meta_children: bytes, *, brand: bytes = b"heic") -> bytes:
    """A HEIF whose meta box holds exactly ``meta_children`` (for malformed-input tests)."""
    return ftyp(brand, b"mif1") + full_box(b"meta", 0, 0, meta_children) + mdat(64)


def avif() -> bytes:
    meta = full_box(b"meta", 0, 0, hdlr(b"pict") + iinf([infe(1, b"av01")]))
    return ftyp(b"avif", b"avif", b"mif1", b"miaf") + meta + mdat(64)


def all_valid() -> list[bytes]:
    """Every valid fixture, for fuzzing."""
    return [
        mp4_with_xyz(mdat_size=64),
        mp4_with_xyz(moov_last=True, mdat_size=64),
        mov_with_keys(),
        gpp_with_loci(),
        mp4_with_timed_gps(),
        mp4_plain(),
        mp4_with_xmp(uuid=True),
        mp4(mvhd() + box(b"udta", itunes_meta([(b"\xa9xyz", LONDON_ISO6709)])), mdat_size=64),
        heic(tiny_tiff_with_gps(), XMP_PACKET),
        heic(tiny_tiff_with_gps(), None, iloc_version=2, infe_version=3),
        avif(),
    ]


# ---- movies with real sample tables (for cleaning timed metadata tracks) --------------------


def sample_table(offsets: list[int], sizes: list[int], per_chunk: int, co64: bool = False) -> bytes:
    """``stbl`` with one sample description, per-sample sizes and ``per_chunk`` samples a chunk."""
    stsd = full_box(b"stsd", 0, 0, struct.pack(">I", 0))
    stsz = full_box(
        b"stsz",
        0,
        0,
        struct.pack(">II", 0, len(sizes)) + b"".join(struct.pack(">I", s) for s in sizes),
    )
    runs = [(1, per_chunk)]
    if len(sizes) % per_chunk:
        runs.append((len(offsets), len(sizes) % per_chunk))
    stsc = full_box(
        b"stsc",
        0,
        0,
        struct.pack(">I", len(runs)) + b"".join(struct.pack(">III", f, n, 1) for f, n in runs),
    )
    fmt = ">Q" if co64 else ">I"
    table = struct.pack(">I", len(offsets)) + b"".join(struct.pack(fmt, o) for o in offsets)
    return box(b"stbl", stsd + stsz + stsc + full_box(b"co64" if co64 else b"stco", 0, 0, table))


def media_trak(handler: bytes, stbl: bytes, creation: int = 0) -> bytes:
    tkhd = full_box(b"tkhd", 0, 0, struct.pack(">II", creation, creation) + bytes(72))
    mdhd = full_box(b"mdhd", 0, 0, struct.pack(">II", creation, creation) + bytes(12))
    mdia = box(b"mdia", mdhd + hdlr(handler) + box(b"minf", stbl))
    return box(b"trak", tkhd + mdia)


Layout = dict[bytes, list[tuple[int, int]]]
"""Handler -> (offset, length) of every sample in the file."""


def movie_with_tracks(
    tracks: list[tuple[bytes, list[bytes]]],
    *,
    per_chunk: int = 2,
    moov_last: bool = False,
    co64: bool = False,
    extra_moov: bytes = b"",
    brand: bytes = b"qt  ",
) -> tuple[bytes, Layout]:
    """A movie whose tracks' samples are interleaved chunk by chunk in ``mdat``; returns the
    file and where each track's samples lie."""
    head = ftyp(brand, brand)

    def build(mdat_start: int) -> tuple[bytes, bytes, Layout]:
        payload = b""
        layout: Layout = {handler: [] for handler, _ in tracks}
        chunks: dict[bytes, list[int]] = {handler: [] for handler, _ in tracks}
        longest = max(len(samples) for _, samples in tracks)
        for first in range(0, longest, per_chunk):
            for handler, samples in tracks:
                group = samples[first : first + per_chunk]
                if not group:
                    continue
                chunks[handler].append(mdat_start + 8 + len(payload))
                for sample in group:
                    layout[handler].append((mdat_start + 8 + len(payload), len(sample)))
                    payload += sample
        traks = b"".join(
            media_trak(
                handler,
                sample_table(chunks[handler], [len(s) for s in samples], per_chunk, co64),
                MVHD_2024,
            )
            for handler, samples in tracks
        )
        moov = box(b"moov", mvhd(MVHD_2024) + traks + extra_moov)
        return moov, box(b"mdat", payload), layout

    moov, _, _ = build(0)
    start = len(head) if moov_last else len(head) + len(moov)
    moov, media, layout = build(start)
    body = media + moov if moov_last else moov + media
    return head + body, layout


def gps_samples(count: int = 6) -> list[bytes]:
    """Timed metadata samples carrying an ISO 6709 point, as a GPS logger track would."""
    return [f"GPS5{LONDON_ISO6709}#{i:04d}".encode() for i in range(count)]


def video_samples(count: int = 6, seed: int = 7) -> list[bytes]:
    import random

    rng = random.Random(seed)
    return [rng.randbytes(100 + 37 * i) for i in range(count)]
