"""The evidence vault on a case: intake, custody, downloads, export, keys and storage."""

from __future__ import annotations

import hashlib
import io
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.files.uploadhandler import StopFutureHandlers
from django.urls import reverse
from pypdf import PdfReader

from courseline.evidence.bundle import verify_bundle
from courseline.evidence.crypto import (
    DecryptingReader,
    EvidenceKeyError,
    Keyring,
    MasterKey,
)
from courseline.web.audit.models import AuditEvent
from courseline.web.evidence import actions, export, storage, views
from courseline.web.evidence.keys import do_rotate_keys
from courseline.web.evidence.models import (
    BundleExport,
    CustodyEvent,
    DerivedCopy,
    EvidenceItem,
    StatementVersion,
)
from courseline.web.evidence.uploads import EncryptingUploadHandler, pending_from_stream
from tests.conftest import sign_in
from tests.digital.photos.fixtures import PARIS, jpeg_with_gps

pytestmark = pytest.mark.django_db


def _url(name: str, world: Any, **kwargs: Any) -> str:
    return reverse(name, kwargs={"reference": world.case.reference, **kwargs})


def _stored_files() -> set[str]:
    root = Path(settings.EVIDENCE_DIR)
    return {p.name for p in root.iterdir()} if root.exists() else set()


def _plain(storage_name: str, wrapped: bytes) -> bytes:
    with storage.vault().open(storage_name) as body:
        return DecryptingReader(body, wrapped, storage.keyring()).read()


def _add(world: Any, client: Any, data: bytes, name: str = "msg.txt", **extra: Any) -> Any:
    sign_in(client, world.alice)
    fields = {
        "file": SimpleUploadedFile(name, data),
        "title": "Messages",
        "source": "on_behalf",
        "incidents": [str(world.incident.pk)],
        **extra,
    }
    return client.post(_url("evidence:add", world), fields)


def test_a_document_is_hashed_on_read_back_but_never_written_out_in_the_clear(
    world: Any, client: Any, monkeypatch: Any
) -> None:
    def must_not_run(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("a document is not inspected, so it is never written in the clear")

    monkeypatch.setattr(actions, "inspect_original", must_not_run)
    response = _add(world, client, b"%PDF-1.7 a letter")
    assert response.status_code == 302


def test_it_keeps_the_original_encrypted_with_the_hash_worked_out_on_arrival(
    world: Any, client: Any
) -> None:
    data = b"He sent 40 messages on 3 March.\n" * 1000
    response = _add(world, client, data)
    item = EvidenceItem.objects.exclude(pk=world.evidence.pk).get()
    assert response.status_code == 302
    assert item.sha256 == hashlib.sha256(data).hexdigest()
    assert item.size == len(data)
    assert item.exhibit_ref == "VV/2"  # the victim's initials, after the world's VV/1
    assert list(item.incidents.all()) == [world.incident]
    raw = (Path(settings.EVIDENCE_DIR) / item.storage_name).read_bytes()
    assert b"40 messages" not in raw, "the body must be encrypted at rest"
    assert _plain(item.storage_name, bytes(item.wrapped_key)) == data
    assert [e.action for e in item.custody.all()] == ["received"]
    assert AuditEvent.objects.filter(action="evidence.received", object_id=item.pk).exists()
    assert not any(n.startswith(".incoming-") for n in _stored_files())


def test_a_photo_gets_a_thumbnail_a_location_free_copy_and_its_capture_time(
    world: Any, client: Any
) -> None:
    original = jpeg_with_gps(PARIS)
    _add(world, client, original, name="IMG_1.JPG")
    item = EvidenceItem.objects.exclude(pk=world.evidence.pk).get()
    assert item.location_status == "stripped_copy"
    copy = item.derived.get(kind="location_stripped")
    stripped = _plain(copy.storage_name, bytes(copy.wrapped_key))
    assert stripped != original and len(stripped) <= len(original)
    assert _plain(item.storage_name, bytes(item.wrapped_key)) == original
    assert "the original is unchanged" in copy.method.lower()
    assert [e.action for e in item.custody.all()][:1] == ["received"]


def test_a_rejected_upload_leaves_no_record_and_no_file(world: Any, client: Any) -> None:
    before = _stored_files()
    response = _add(world, client, b"some bytes", title="")
    assert response.status_code == 200
    assert not EvidenceItem.objects.exclude(pk=world.evidence.pk).exists()
    assert _stored_files() == before


def test_an_upload_over_the_limit_is_refused_before_it_is_read(
    world: Any, client: Any, settings: Any
) -> None:
    settings.EVIDENCE_MAX_BYTES = 1024 * 1024
    before = _stored_files()
    response = _add(world, client, b"x" * (3 * 1024 * 1024))
    assert response.status_code == 413
    assert _stored_files() == before


def test_an_interrupted_upload_leaves_no_stray_file(world: Any, rf: Any) -> None:
    before = _stored_files()
    handler = EncryptingUploadHandler(rf.post("/"), 10 * 1024 * 1024)
    with pytest.raises(StopFutureHandlers):
        handler.new_file("file", "big.bin", "application/octet-stream", 1000)
    handler.receive_data_chunk(b"partial data", 0)
    handler.upload_interrupted()
    assert _stored_files() == before


def test_a_failure_during_intake_removes_everything_it_stored(
    world: Any, client: Any, monkeypatch: Any
) -> None:
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(actions, "inspect_original", broken)
    before = _stored_files()
    with pytest.raises(RuntimeError):
        _add(world, client, jpeg_with_gps(PARIS), name="a.jpg")
    assert not EvidenceItem.objects.exclude(pk=world.evidence.pk).exists()
    assert _stored_files() == before


def test_the_add_evidence_page_is_an_audited_read(world: Any, client: Any) -> None:
    sign_in(client, world.alice)
    page = client.get(_url("evidence:add", world))
    assert page.status_code == 200
    assert AuditEvent.objects.filter(action="evidence.add_viewed", case_id=world.case.pk).exists()


def test_viewing_downloading_and_sharing_go_in_the_custody_log(world: Any, client: Any) -> None:
    sign_in(client, world.alice)
    item = world.evidence
    page = client.get(_url("evidence:detail", world, item_id=item.pk))
    assert page.status_code == 200 and item.sha256 in page.content.decode()
    refused = client.post(_url("evidence:download", world, item_id=item.pk), {"copy": "original"})
    assert refused.status_code == 302, "a download needs a reason"
    response = client.post(
        _url("evidence:download", world, item_id=item.pk),
        {"copy": "original", "reason": "for PC Khan"},
    )
    assert b"".join(response.streaming_content) == b"A fictional note.\n"
    client.post(
        _url("evidence:share", world, item_id=item.pk),
        {"recipient": "PC Khan, Northshire Police", "reason": "crime ref 23/4567"},
    )
    log = list(CustodyEvent.objects.filter(item=item).order_by("seq"))
    assert [e.action for e in log] == ["received", "viewed", "downloaded", "shared"]
    assert log[2].reason == "for PC Khan" and log[3].detail["recipient"].startswith("PC Khan")
    assert actions.verify_custody(item).ok


def test_a_changed_custody_entry_is_detected(world: Any) -> None:
    item = world.evidence
    actions.do_record_custody(None, world.alice, item, "viewed", "look")
    CustodyEvent.objects.filter(item=item, seq=2).update(reason="something else")
    item.refresh_from_db()
    report = actions.verify_custody(item)
    assert not report.ok and "custody entry 2" in report.problem.label  # type: ignore[union-attr]


def test_exporting_a_bundle_logs_it_and_the_bundle_verifies(
    world: Any, client: Any, tmp_path: Path
) -> None:
    sign_in(client, world.alice)
    response = client.post(
        _url("evidence:export", world),
        {"copies": "originals", "reason": "for the CPS", "prepared_for": "Northshire Police"},
    )
    assert response.status_code == 200
    bundle = tmp_path / "bundle.zip"
    bundle.write_bytes(b"".join(response.streaming_content))
    report = verify_bundle(bundle)
    assert report.ok, report.problems
    export = BundleExport.objects.get()
    assert response["X-Manifest-SHA256"] == export.manifest_sha256 == report.manifest_sha256
    assert CustodyEvent.objects.filter(item=world.evidence, action="exported").exists()
    pdf = zipfile.ZipFile(bundle).read("chronology.pdf")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert world.case.reference in text and "VV/1" in text and "I-1" in text
    assert "is admissible" not in text.lower() and "court admissible" not in text.lower()


def _damage(storage_name: str) -> None:
    """Flip one byte of a stored (encrypted) body, as a failing disk or a tamperer would."""
    path = Path(settings.EVIDENCE_DIR) / storage_name
    body = bytearray(path.read_bytes())
    body[-20] ^= 0x01
    path.write_bytes(bytes(body))


def _custody(item: EvidenceItem) -> list[str]:
    return list(
        CustodyEvent.objects.filter(item=item).order_by("seq").values_list("action", flat=True)
    )


def test_a_damaged_stored_file_is_not_downloaded_and_not_logged_as_downloaded(
    world: Any, client: Any
) -> None:
    sign_in(client, world.alice)
    item = world.evidence
    _damage(item.storage_name)
    before = _custody(item)
    response = client.post(
        _url("evidence:download", world, item_id=item.pk),
        {"copy": "original", "reason": "for PC Khan"},
        follow=True,
    )
    assert response.status_code == 200 and not response.streaming
    assert "Not downloaded. A stored file failed its integrity check" in response.content.decode()
    after = _custody(item)
    assert "downloaded" not in after and after[: len(before)] == before  # only "viewed" added
    failure = AuditEvent.objects.get(action="evidence.download_failed")
    assert failure.detail == {"cause": "integrity"} and failure.object_id == item.pk


def test_a_bundle_with_a_damaged_stored_file_is_not_made_or_logged(world: Any, client: Any) -> None:
    sign_in(client, world.alice)
    _damage(world.evidence.storage_name)
    response = client.post(
        _url("evidence:export", world),
        {"copies": "originals", "reason": "for the CPS"},
        follow=True,
    )
    assert response.status_code == 200 and not response.streaming
    assert "The bundle was not made. A stored file failed its integrity check" in (
        response.content.decode()
    )
    assert not BundleExport.objects.exists()
    assert "exported" not in _custody(world.evidence)
    assert AuditEvent.objects.filter(action="evidence.export_failed").count() == 1
    assert not AuditEvent.objects.filter(action="evidence.bundle_exported").exists()


def _working_files(work: Path) -> list[str]:
    """What Courseline left in the work folder: working folders and files, partial zips."""
    if not work.exists():
        return []
    return sorted(
        p.name for p in work.iterdir() if p.name.startswith(("courseline-", ".courseline-"))
    )


def test_a_bundle_export_leaves_no_working_files_whether_it_fails_or_not(
    world: Any, client: Any, settings: Any, tmp_path: Path
) -> None:
    work = tmp_path / "work"
    settings.WORK_DIR = str(work)
    sign_in(client, world.alice)
    fields = {"copies": "originals", "reason": "for the CPS"}
    made = client.post(_url("evidence:export", world), fields)
    bundle = tmp_path / "bundle.zip"
    # Reading the content to its end closes the response the way the test client expects
    # (calling close() here would fire request_finished and close the PostgreSQL connection
    # under the test's transaction).
    bundle.write_bytes(b"".join(made.streaming_content))
    assert verify_bundle(bundle).ok
    assert _working_files(work) == []
    _damage(world.evidence.storage_name)
    failed = client.post(_url("evidence:export", world), fields, follow=True)
    assert "The bundle was not made" in failed.content.decode()
    assert _working_files(work) == []


def test_a_killed_bundle_export_leaves_only_what_the_sweeper_removes(
    world: Any, client: Any, settings: Any, tmp_path: Path, monkeypatch: Any
) -> None:
    work = tmp_path / "work"
    settings.WORK_DIR = str(work)

    def killed(out_path: Path, *args: Any, **kwargs: Any) -> Any:
        # What a worker killed mid-write leaves: write_bundle's partial zip, beside out_path.
        Path(out_path).with_name(f".{Path(out_path).name}.x1y2.part").write_bytes(b"PK\x03\x04")
        raise OSError("killed")

    monkeypatch.setattr(export, "write_bundle", killed)
    monkeypatch.setattr(views.shutil, "rmtree", lambda *args, **kwargs: None)  # no clean-up ran
    sign_in(client, world.alice)
    client.post(_url("evidence:export", world), {"copies": "originals", "reason": "x"})
    monkeypatch.undo()
    [left] = _working_files(work)
    assert left.startswith("courseline-bundle-") and (work / left).is_dir()
    assert storage.sweep_work_dir(older_than_seconds=-60) == 1
    assert list(work.iterdir()) == []


def test_a_location_free_bundle_carries_the_stripped_copy(
    world: Any, client: Any, tmp_path: Path
) -> None:
    original = jpeg_with_gps(PARIS)
    _add(world, client, original, name="IMG_1.JPG")
    response = client.post(
        _url("evidence:export", world),
        {"copies": "location-stripped copies", "reason": "for the housing officer"},
    )
    bundle = tmp_path / "b.zip"
    bundle.write_bytes(b"".join(response.streaming_content))
    assert verify_bundle(bundle).ok
    names = zipfile.ZipFile(bundle).namelist()
    photo = next(n for n in names if n.endswith("IMG_1.JPG"))
    assert zipfile.ZipFile(bundle).read(photo) != original


@pytest.mark.parametrize(
    ("persona", "page", "closed", "status"),
    [
        ("outsider", "evidence:add", False, 404),
        ("bob", "evidence:add", False, 404),
        ("alice", "evidence:add", True, 403),
        ("vic", "portal_evidence", True, 403),
    ],
)
def test_an_upload_to_a_case_one_may_not_add_to_is_refused_before_the_body_is_read(
    persona: str,
    page: str,
    closed: bool,
    status: int,
    world: Any,
    monkeypatch: Any,
    settings: Any,
    tmp_path: Path,
) -> None:
    from django.test import Client

    from courseline.web.cases.actions import do_close_case

    # A vault of this test's own, so that no other test run can add files while it looks.
    settings.EVIDENCE_DIR = tmp_path / "evidence"
    received: list[int] = []
    receive = EncryptingUploadHandler.receive_data_chunk

    def counting(self: EncryptingUploadHandler, raw_data: bytes, start: int) -> bytes | None:
        received.append(len(raw_data))
        return receive(self, raw_data, start)

    monkeypatch.setattr(EncryptingUploadHandler, "receive_data_chunk", counting)
    # CSRF checks enforced, as in production, where checking the token reads the body.
    client = Client(enforce_csrf_checks=True)
    token = "a" * 32
    client.cookies[settings.CSRF_COOKIE_NAME] = token
    fields: dict[str, Any] = {
        "csrfmiddlewaretoken": token, "file": SimpleUploadedFile("a.txt", b"x" * 4096),
        "title": "x", "source": "on_behalf",
    }  # fmt: skip

    def post(who: Any) -> Any:
        sign_in(client, who)
        fields["file"].seek(0)
        return client.post(reverse(page, kwargs={"reference": world.case.reference}), fields)

    if closed:
        do_close_case(None, world.alice, world.case, "finished")
    assert post(getattr(world, persona)).status_code == status
    assert received == [], "the upload handler must not have received any of the body"
    assert _stored_files() == set()
    assert not EvidenceItem.objects.exclude(pk=world.evidence.pk).exists()
    if not closed:  # the same request by someone who may add to the case is read and kept
        assert post(world.alice).status_code == 302 and received


def test_the_statement_draft_starts_from_the_log_and_keeps_every_version(
    world: Any, client: Any
) -> None:
    sign_in(client, world.alice)
    page = client.get(_url("evidence:statement", world)).content.decode()
    assert "questions about it in court" in page
    client.post(_url("evidence:statement", world), {"text": "First draft."})
    client.force_login(world.vic)
    response = client.post(
        reverse("portal_statement", kwargs={"reference": world.case.reference}),
        {"text": "In my own words."},
    )
    assert response.status_code == 302
    assert list(StatementVersion.objects.values_list("text", flat=True)) == [
        "First draft.",
        "In my own words.",
    ]


def test_the_victim_can_send_evidence_from_the_portal(world: Any, client: Any) -> None:
    client.force_login(world.vic)
    response = client.post(
        reverse("portal_evidence", kwargs={"reference": world.case.reference}),
        {"file": SimpleUploadedFile("shot.png", b"\x89PNG fake"), "title": "Screenshot"},
    )
    assert response.status_code == 302
    item = EvidenceItem.objects.get(title="Screenshot")
    assert item.source == "victim_upload" and item.uploaded_by == world.vic
    assert "the victim" in item.custody.get().actor_label
    assert world.vic.email not in item.custody.get().actor_label


def test_key_rotation_rewraps_without_touching_the_bodies(world: Any, settings: Any) -> None:
    old = storage.keyring()
    new = MasterKey.generate()
    body_before = (Path(settings.EVIDENCE_DIR) / world.evidence.storage_name).read_bytes()
    settings.EVIDENCE_KEYRING = Keyring(new, old.keys)
    result = do_rotate_keys()
    assert result.rewrapped >= 1 and not result.failed
    item = EvidenceItem.objects.get(pk=world.evidence.pk)
    assert item.key_id == new.key_id
    assert (Path(settings.EVIDENCE_DIR) / item.storage_name).read_bytes() == body_before
    settings.EVIDENCE_KEYRING = Keyring(new)
    assert _plain(item.storage_name, bytes(item.wrapped_key)) == b"A fictional note.\n"
    assert do_rotate_keys().rewrapped == 0  # safe to run again
    settings.EVIDENCE_KEYRING = Keyring(MasterKey.generate())
    with pytest.raises(EvidenceKeyError):
        _plain(item.storage_name, bytes(item.wrapped_key))


def test_it_stores_in_s3_compatible_object_storage(world: Any, settings: Any) -> None:
    from moto import mock_aws

    with mock_aws():
        import boto3

        boto3.client("s3", region_name="eu-west-2").create_bucket(
            Bucket="evidence-test",
            CreateBucketConfiguration={"LocationConstraint": "eu-west-2"},
        )
        settings.EVIDENCE_STORAGE = "s3"
        settings.EVIDENCE_S3 = {
            **settings.EVIDENCE_S3, "bucket_name": "evidence-test", "region_name": "eu-west-2",
            "access_key": "test", "secret_key": "test",
        }  # fmt: skip
        storage._vault.cache_clear()
        try:
            before = _stored_files()
            upload = pending_from_stream("s3.txt", "text/plain", io.BytesIO(b"kept in S3"))
            item = actions.do_add_evidence(
                None, world.alice, world.case, upload, title="S3", description="",
                source="on_behalf", claimed_time=None, incidents=[],
            )  # fmt: skip
            assert _plain(item.storage_name, bytes(item.wrapped_key)) == b"kept in S3"
            listed = boto3.client("s3", region_name="eu-west-2").list_objects_v2(
                Bucket="evidence-test"
            )
            assert [o["Key"] for o in listed["Contents"]] == [f"evidence/{item.storage_name}"]
            assert _stored_files() == before
        finally:
            storage._vault.cache_clear()


def test_derived_copies_are_recorded_with_how_they_were_made(world: Any, client: Any) -> None:
    _add(world, client, jpeg_with_gps(PARIS), name="a.jpg")
    kinds = set(DerivedCopy.objects.values_list("kind", flat=True))
    assert "location_stripped" in kinds
    assert CustodyEvent.objects.filter(action="derived").count() == len(kinds)


def test_a_body_django_gives_up_on_leaves_no_file(world: Any, client: Any) -> None:
    sign_in(client, world.alice)
    before = _stored_files()
    fields: dict[str, Any] = {
        f"f{i}": "x" for i in range(250)
    }  # over DATA_UPLOAD_MAX_NUMBER_FIELDS
    fields["file"] = SimpleUploadedFile("a.txt", b"data")
    fields["title"] = "x"
    response = client.post(_url("evidence:add", world), fields)
    assert response.status_code == 400
    assert _stored_files() == before
    assert not EvidenceItem.objects.exclude(pk=world.evidence.pk).exists()


def test_purging_a_case_deletes_its_evidence_files(
    world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from courseline.web.cases.actions import do_close_case, do_purge_case

    names = [world.evidence.storage_name]
    do_close_case(None, world.alice, world.case, "finished")
    with django_capture_on_commit_callbacks(execute=True):
        do_purge_case(world.case, retention_days=1)
    assert not any(name in _stored_files() for name in names)


def test_the_portal_draft_uses_only_the_victims_own_entries(world: Any, client: Any) -> None:
    import datetime as dt

    from django.utils import timezone

    from courseline.web.incidents.actions import IncidentData, do_log_incident

    do_log_incident(
        None, world.alice, world.case,
        IncidentData(
            event_start=timezone.now() - dt.timedelta(days=3), precision="exact",
            description="x", place="home", impacts=["health"],
            impact_notes="CASEWORKER-ONLY NOTE",
        ),
    )  # fmt: skip
    client.force_login(world.vic)
    page = client.get(reverse("portal_statement", kwargs={"reference": world.case.reference}))
    assert "CASEWORKER-ONLY NOTE" not in page.content.decode()
    sign_in(client, world.alice)
    staff = client.get(_url("evidence:statement", world)).content.decode()
    assert "CASEWORKER-ONLY NOTE" in staff


def test_the_audit_trail_keeps_no_share_recipient_or_reason(world: Any, client: Any) -> None:
    sign_in(client, world.alice)
    client.post(
        _url("evidence:share", world, item_id=world.evidence.pk),
        {"recipient": "PC Khan", "reason": "crime ref 23/4567"},
    )
    event = AuditEvent.objects.get(action="evidence.shared")
    assert "Khan" not in str(event.detail) and "23/4567" not in str(event.detail)
    custody = CustodyEvent.objects.get(item=world.evidence, action="shared")
    assert event.detail["custody_hash"] == custody.hash
