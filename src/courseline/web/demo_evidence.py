"""Fictional demo evidence for the first demo case: a photo with location data, a
screenshot and a chat export, linked to the demo incidents, so that `make run` shows an
exhibit list whose bundle exports and verifies."""

from __future__ import annotations

import io

from courseline.web.accounts.models import User
from courseline.web.cases.models import Case

# A public square, so that the demo's location points at no one's home.
DEMO_PHOTO_PLACE = (51.50806, -0.12806)


def _photo() -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (640, 480), (180, 200, 220))
    draw = ImageDraw.Draw(image)
    draw.rectangle((40, 300, 600, 460), fill=(90, 90, 100))
    draw.text((60, 40), "Demo photo (fictional): car parked opposite", fill=(0, 0, 0))
    exif = Image.Exif()
    exif[0x010F] = "DemoCam (fictional)"
    exif[0x0110] = "Model D1"
    exif[0x0132] = "2026:09:18 08:02:11"
    gps = exif.get_ifd(0x8825)
    lat, lon = DEMO_PHOTO_PLACE

    def dms(value: float) -> tuple[float, float, float]:
        value = abs(value)
        degrees = int(value)
        minutes = int((value - degrees) * 60)
        return (float(degrees), float(minutes), round((value - degrees - minutes / 60) * 3600, 2))

    gps[1], gps[2] = ("N" if lat >= 0 else "S"), dms(lat)
    gps[3], gps[4] = ("E" if lon >= 0 else "W"), dms(lon)
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=85, exif=exif)
    return buffer.getvalue()


def _screenshot() -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (420, 760), (255, 255, 255))
    draw = ImageDraw.Draw(image)
    lines = [
        "sam_the_sample (fictional)",
        "",
        "you will regret ignoring me",
        "I know your shifts",
        "",
        "(Demo screenshot: all fictional)",
    ]
    for row, text in enumerate(lines):
        draw.text((20, 40 + row * 28), text, fill=(20, 20, 20))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


_CHAT = """[18/10/2026, 22:01] Sam Sample (fictional): can we talk
[18/10/2026, 22:04] Sam Sample (fictional): please just answer
[18/10/2026, 22:15] Sam Sample (fictional): I'm not giving up on us
[18/10/2026, 22:16] Vic Tester (fictional): I have asked you not to contact me.
This is a fictional chat export made for the Courseline demo.
"""


def add_demo_evidence(case: Case, alice: User) -> None:
    from courseline.web.evidence.actions import do_add_evidence
    from courseline.web.evidence.models import EvidenceSource
    from courseline.web.evidence.uploads import pending_from_stream
    from courseline.web.incidents.access import incidents_of

    incidents = sorted(incidents_of(case), key=lambda i: i.current.event_start)
    files = (
        ("IMG_2041.JPG", "image/jpeg", _photo(), "Photo of his car opposite the house", 1),
        ("Screenshot_2026-11-16.png", "image/png", _screenshot(), "Screenshot of threats", 4),
        ("WhatsApp Chat with Sam Sample.txt", "text/plain", _CHAT.encode(), "Chat export", 0),
    )
    for name, content_type, data, title, incident in files:
        upload = pending_from_stream(name, content_type, io.BytesIO(data))
        linked = [incidents[incident]] if incident < len(incidents) else []
        do_add_evidence(
            None, alice, case, upload, title=f"{title} (fictional)", description="",
            source=EvidenceSource.ON_BEHALF, claimed_time=None, incidents=linked,
        )  # fmt: skip
