"""`courseline retention run`: closed cases past the retention period vanish from every table."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.apps import apps
from django.db import connection
from django.utils import timezone
from typer.testing import CliRunner

from courseline.cli import app
from courseline.web.audit.log import verify
from courseline.web.audit.models import AuditEvent
from courseline.web.cases import actions
from courseline.web.cases.models import Case

runner = CliRunner()
SECRET_WORDS = (
    "Vic Victim", "First note", "Test case summary", "Correction secret", "Alias Z",
    "followed me from the bus stop", "Nothing reported yet", "Test referral", "Sam Suspect",
    "vic@north.example.org",
)  # fmt: skip


def _close_long_ago(world: Any, days_ago: int) -> Case:
    actions.do_correct_note(None, world.alice, world.note, "Correction secret", "typo")
    actions.do_update_person(
        None, world.alice, world.person,
        actions.PersonDetails("Vic Victim", "Alias Z", "yes", "text", ""),
    )  # fmt: skip
    actions.do_close_case(None, world.alice, world.case, "support ended")
    Case.objects.filter(pk=world.case.pk).update(
        closed_at=timezone.now() - dt.timedelta(days=days_ago)
    )
    return Case.objects.get(pk=world.case.pk)


def _every_text_in_the_database() -> str:
    """Every row of every table of ours, as text: nothing of a purged case may remain."""
    chunks = []
    with connection.cursor() as cursor:
        for model in apps.get_models():
            table = connection.ops.quote_name(model._meta.db_table)
            cursor.execute(f"SELECT * FROM {table}")  # noqa: S608  (table names from models)
            chunks.extend(repr(row) for row in cursor.fetchall())
    return "\n".join(chunks)


def test_it_purges_a_closed_case_past_retention_and_leaves_nothing_behind(
    world: Any, settings: Any
) -> None:
    settings.RETENTION_DAYS = 365
    case = _close_long_ago(world, days_ago=400)
    case_id, reference = case.pk, case.reference
    assert "Vic Victim" in _every_text_in_the_database()

    result = runner.invoke(app, ["retention", "run"])

    assert result.exit_code == 0, result.output
    assert f"purged: {reference}" in result.output
    dump = _every_text_in_the_database()
    for word in SECRET_WORDS:
        assert word not in dump
    for model in apps.get_models():
        fields = {f.name for f in model._meta.get_fields()}
        if "case" in fields and model is not AuditEvent:
            assert not model.objects.filter(case_id=case_id).exists(), model
    from courseline.web.accounts.models import User

    vic = User.objects.get(pk=world.vic.pk)
    assert not vic.is_active and vic.email.endswith("@purged.invalid")
    assert world.vic.email not in dump
    purge = AuditEvent.objects.filter(action="case.purged").get()
    assert purge.detail["reference"] == reference
    assert verify().ok
    # The other organisation's open case is untouched.
    assert Case.objects.filter(pk=world.other_case.pk).exists()


def test_it_keeps_closed_cases_inside_the_retention_period(world: Any, settings: Any) -> None:
    settings.RETENTION_DAYS = 365
    _close_long_ago(world, days_ago=100)
    result = runner.invoke(app, ["retention", "run"])
    assert result.exit_code == 0
    assert "0 case(s) purged" in result.output
    assert Case.objects.filter(pk=world.case.pk).exists()


def test_it_never_purges_an_open_case(world: Any) -> None:
    Case.objects.filter(pk=world.case.pk).update(closed_at=timezone.now() - dt.timedelta(days=5000))
    result = runner.invoke(app, ["retention", "run", "--days", "1"])
    assert result.exit_code == 0
    assert Case.objects.filter(pk=world.case.pk).exists()


def test_a_dry_run_changes_nothing(world: Any) -> None:
    _close_long_ago(world, days_ago=400)
    result = runner.invoke(app, ["retention", "run", "--dry-run", "--days", "30"])
    assert result.exit_code == 0
    assert "would purge" in result.output
    assert Case.objects.filter(pk=world.case.pk).exists()
    assert not AuditEvent.objects.filter(action="case.purged").exists()
