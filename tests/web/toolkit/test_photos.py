"""Check photos on a case, and the public photo check that stores nothing."""

from __future__ import annotations

import io
import os
import tempfile
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.files.uploadhandler import TemporaryFileUploadHandler
from django.urls import reverse

from courseline.digital.photos.clean import Profile
from courseline.digital.photos.memory import scan_bytes
from courseline.web.audit.models import AuditEvent
from courseline.web.toolkit.models import PhotoCheck
from courseline.web.toolkit.photos import Batch, clean_batch
from tests.conftest import sign_in
from tests.digital.photos.fixtures import PARIS, SYDNEY, app1_exif, exif_tiff, jpeg, jpeg_with_gps

pytestmark = pytest.mark.django_db


def _url(world: Any) -> str:
    return reverse("toolkit:photos", kwargs={"reference": world.case.reference})


def _upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _big_jpeg(gps: tuple[float, float], body: int) -> bytes:
    return jpeg(app1_exif(exif_tiff(gps=gps)), body=body)


def _leftovers() -> list[str]:
    return [n for n in os.listdir(tempfile.gettempdir()) if n.startswith("courseline-photos-")]


def _entropy(data: bytes) -> bytes:
    """The JPEG's compressed image data (from the start-of-scan marker on)."""
    return data[data.index(b"\xff\xda") :]


def test_it_checks_a_batch_and_keeps_only_the_report(world: Any, client: Any) -> None:
    sign_in(client, world.alice)
    before = set(_leftovers())
    response = client.post(
        _url(world),
        {
            "photos": [_upload("IMG_1.JPG", jpeg_with_gps(PARIS)), _upload("plain.jpg", jpeg())],
            "profile": "location",
            "action": "check",
        },
    )
    check = PhotoCheck.objects.exclude(pk=world.photo_check.pk).get()
    assert response.status_code == 302
    assert response.url == reverse(
        "toolkit:photo_check", kwargs={"reference": world.case.reference, "check_id": check.pk}
    )
    assert (check.files, check.with_location, check.places, check.cleaned_profile) == (2, 1, 1, "")
    paths = [f["path"] for f in check.report["files"]]
    assert paths == ["IMG_1.JPG", "plain.jpg"]
    assert check.report["places"][0]["lat"] == pytest.approx(PARIS[0], abs=1e-5)
    event = AuditEvent.objects.filter(action="photos.checked", object_id=check.pk).get()
    assert event.detail["files"] == 2 and "IMG_1" not in str(event.detail)
    assert set(_leftovers()) == before, "the uploaded photos must not be left on disk"

    page = client.get(response.url)
    assert page.status_code == 200
    body = page.content.decode()
    assert "IMG_1.JPG" in body and "<svg" in body and "48.85822" in body
    assert "openstreetmap.org" in body


def test_it_unpacks_a_camera_roll_zip(world: Any, client: Any) -> None:
    sign_in(client, world.alice)
    archive = _zip(
        {"DCIM/100APPLE/IMG_1.JPG": jpeg_with_gps(SYDNEY), "DCIM/100APPLE/IMG_2.JPG": jpeg()}
    )
    client.post(_url(world), {"photos": [_upload("roll.zip", archive)], "profile": "location"})
    check = PhotoCheck.objects.exclude(pk=world.photo_check.pk).get()
    assert [f["path"] for f in check.report["files"]] == [
        "roll.zip/DCIM/100APPLE/IMG_1.JPG",
        "roll.zip/DCIM/100APPLE/IMG_2.JPG",
    ]
    assert check.with_location == 1


@pytest.mark.parametrize(
    ("members", "reason"),
    [
        ({"../../etc/evil.jpg": b"x"}, "climbs out"),
        ({"/abs/evil.jpg": b"x"}, "absolute path"),
        ({"inner.zip": b"PK\x03\x04rest"}, "another archive"),
        ({"photo.jpg": b"PK\x03\x04 disguised"}, "another archive"),
    ],
)
def test_it_refuses_hostile_archives_with_a_message(
    world: Any, client: Any, members: dict[str, bytes], reason: str
) -> None:
    sign_in(client, world.alice)
    before = set(_leftovers())
    archive = _zip({"ok.jpg": jpeg(), **members})
    client.post(_url(world), {"photos": [_upload("roll.zip", archive)], "profile": "location"})
    check = PhotoCheck.objects.exclude(pk=world.photo_check.pk).get()
    assert check.files == 0
    assert check.refused[0]["name"] == "roll.zip"
    assert reason in check.refused[0]["reason"]
    page = client.get(
        reverse(
            "toolkit:photo_check",
            kwargs={"reference": world.case.reference, "check_id": check.pk},
        )
    )
    assert reason in page.content.decode()
    assert set(_leftovers()) == before


def test_it_refuses_a_zip_bomb(world: Any, client: Any) -> None:
    sign_in(client, world.alice)
    archive = _zip({"bomb.jpg": b"\0" * (20 * 1024 * 1024)})
    assert len(archive) < 100_000
    client.post(_url(world), {"photos": [_upload("bomb.zip", archive)], "profile": "location"})
    check = PhotoCheck.objects.exclude(pk=world.photo_check.pk).get()
    assert "zip bomb" in check.refused[0]["reason"]


def test_it_hands_back_cleaned_copies_with_the_image_untouched(world: Any, client: Any) -> None:
    sign_in(client, world.alice)
    original = _big_jpeg(PARIS, 4096)
    response = client.post(
        _url(world),
        {
            "photos": [_upload("IMG_1.JPG", original), _upload("notes.txt", b"not a photo")],
            "profile": "location",
            "action": "clean",
        },
    )
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    packed = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    names = packed.namelist()
    assert "IMG_1.JPG" in names and "notes.txt" not in names
    cleaned = packed.read("IMG_1.JPG")
    assert _entropy(cleaned) == _entropy(original)
    assert scan_bytes(cleaned, display_path="x").location is None
    note = packed.read("WHAT-WAS-CLEANED.txt").decode()
    assert "notes.txt: not cleaned" in note
    check = PhotoCheck.objects.exclude(pk=world.photo_check.pk).get()
    assert check.cleaned_profile == "location"


def test_cleaned_copies_for_the_archive_are_not_flushed_to_disk(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    flushed: list[int] = []
    real_fsync = os.fsync

    def fsync(fd: int) -> None:
        flushed.append(fd)
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    photo = tmp_path / "IMG_1.JPG"
    photo.write_bytes(_big_jpeg(PARIS, 4096))
    cleaned = clean_batch(Batch(files=[("IMG_1.JPG", photo)]), tmp_path, Profile.LOCATION)
    with cleaned.archive:
        assert zipfile.ZipFile(cleaned.archive).namelist()[0] == "IMG_1.JPG"
    assert [result.refused for _, result in cleaned.results] == [None]
    assert flushed == []  # the copies are zipped and deleted at once: nothing to make durable


def test_it_refuses_a_batch_over_the_limit(world: Any, client: Any, settings: Any) -> None:
    settings.TOOLKIT_MAX_BYTES = 1024 * 1024
    sign_in(client, world.alice)
    big = _upload("big.jpg", jpeg(body=2 * 1024 * 1024))
    response = client.post(_url(world), {"photos": [big], "profile": "location"})
    assert response.status_code == 413
    assert not PhotoCheck.objects.exclude(pk=world.photo_check.pk).exists()


def test_it_refuses_checks_on_a_closed_case(world: Any, client: Any) -> None:
    world.case.status = "closed"
    world.case.save()
    sign_in(client, world.alice)
    response = client.post(
        _url(world), {"photos": [_upload("a.jpg", jpeg())], "profile": "location"}
    )
    assert response.status_code == 403


def test_it_shows_an_error_when_no_file_is_chosen(world: Any, client: Any) -> None:
    sign_in(client, world.alice)
    response = client.post(_url(world), {"profile": "location"})
    assert response.status_code == 200
    assert "govuk-error-summary" in response.content.decode()


# ---- the public page -----------------------------------------------------------------------
PUBLIC = "/help/check-a-photo/"


def test_the_public_page_has_the_exit_button_and_sets_no_cookie(client: Any) -> None:
    response = client.get(PUBLIC)
    assert response.status_code == 200
    body = response.content.decode()
    assert "govuk-exit-this-page" in body
    assert "not saved" in body
    assert not response.cookies


def test_the_public_page_reports_a_location_without_storing_anything(
    client: Any, monkeypatch: Any
) -> None:
    def no_disk(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("the public page must not write uploads to disk")

    monkeypatch.setattr(TemporaryFileUploadHandler, "new_file", no_disk)
    photo = _big_jpeg(SYDNEY, 2 * 1024 * 1024)  # above the in-memory default of 1 MB
    response = client.post(
        PUBLIC, {"photo": _upload("holiday.jpg", photo), "profile": "location", "action": "check"}
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "This file shows where it was taken" in body
    assert "-33.85678" in body
    assert "openstreetmap.org" not in body, "a map link would sit in the browser history"
    assert not response.cookies
    assert not AuditEvent.objects.exists()
    assert not PhotoCheck.objects.exists()


def test_the_public_page_downloads_a_cleaned_copy(client: Any) -> None:
    original = jpeg_with_gps(PARIS)
    response = client.post(
        PUBLIC, {"photo": _upload("me.jpg", original), "profile": "all", "action": "clean"}
    )
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="me-cleaned.jpg"'
    cleaned = response.content
    assert _entropy(cleaned) == _entropy(original)
    scan = scan_bytes(cleaned, display_path="x")
    assert scan.location is None and scan.device.empty


def test_the_public_page_explains_a_file_it_cannot_clean(client: Any) -> None:
    response = client.post(
        PUBLIC,
        {"photo": _upload("x.jpg", b"not an image"), "profile": "location", "action": "clean"},
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "could not make a cleaned copy" in body


def test_the_public_page_refuses_a_file_over_its_limit(client: Any) -> None:
    big = _upload("big.jpg", jpeg(body=31 * 1024 * 1024))
    response = client.post(PUBLIC, {"photo": big, "profile": "location"})
    assert response.status_code == 413


def test_nothing_is_left_in_the_upload_folders(client: Any, tmp_path: Path, settings: Any) -> None:
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path)
    client.post(PUBLIC, {"photo": _upload("a.jpg", _big_jpeg(PARIS, 1_500_000))})
    assert list(tmp_path.iterdir()) == []
