"""`courseline audit verify`: any edited or deleted audit row is found and named."""

from __future__ import annotations

from typing import Any

import pytest
from typer.testing import CliRunner

from courseline.cli import app
from courseline.web.audit.log import record, verify
from courseline.web.audit.models import AppendOnlyError, AuditEvent

runner = CliRunner()


def run_verify() -> Any:
    return runner.invoke(app, ["audit", "verify"])


def test_it_reports_an_intact_chain(world: Any) -> None:
    result = run_verify()
    assert result.exit_code == 0, result.output
    assert "intact" in result.output
    assert f"{AuditEvent.objects.count()} records" in result.output


def test_it_fails_naming_the_row_that_was_edited(world: Any) -> None:
    victim_row = AuditEvent.objects.order_by("id")[2]
    AuditEvent.objects.filter(pk=victim_row.pk).update(action="case.nothing_to_see")
    result = run_verify()
    assert result.exit_code == 1
    assert f"#{victim_row.pk} " in result.output
    assert "edited" in result.output


def test_it_fails_when_a_row_in_the_middle_is_deleted(world: Any) -> None:
    rows = list(AuditEvent.objects.order_by("id"))
    AuditEvent.objects.filter(pk=rows[1].pk)._raw_delete(AuditEvent.objects.db)
    result = run_verify()
    assert result.exit_code == 1
    assert f"#{rows[2].pk} " in result.output


def test_it_fails_when_the_last_row_is_deleted(world: Any) -> None:
    last = AuditEvent.objects.order_by("-id").first()
    assert last is not None
    AuditEvent.objects.filter(pk=last.pk)._raw_delete(AuditEvent.objects.db)
    result = run_verify()
    assert result.exit_code == 1
    assert "end of chain" in result.output


def test_it_fails_when_an_actor_is_rewritten(world: Any) -> None:
    row = AuditEvent.objects.exclude(actor_id=None).order_by("id").first()
    assert row is not None
    AuditEvent.objects.filter(pk=row.pk).update(actor_id=world.bob.pk)
    assert not verify().ok


def test_models_refuse_to_update_or_delete_audit_rows(world: Any) -> None:
    row = AuditEvent.objects.first()
    assert row is not None
    row.action = "changed"
    with pytest.raises(AppendOnlyError):
        row.save()
    with pytest.raises(AppendOnlyError):
        row.delete()


def test_each_record_links_to_the_one_before(db: Any) -> None:
    first = record("test.first")
    second = record("test.second")
    assert second.prev_hash == first.hash
    assert verify().ok
