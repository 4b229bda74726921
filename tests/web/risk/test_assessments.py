"""Screening a case: suggestions, score, judgement, override, review and comparison."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils import timezone

from courseline.risk.instruments import load_instrument
from courseline.web.audit.models import AuditEvent
from courseline.web.incidents import actions as incident_actions
from courseline.web.risk.models import Assessment
from tests.conftest import sign_in

SCREENING = "stalking-screening"


def assess_url(world: Any, key: str = SCREENING) -> str:
    return reverse("risk:assess", kwargs={"reference": world.case.reference, "instrument_key": key})


def answers(key: str = SCREENING, **yes: str) -> dict[str, str]:
    instrument = load_instrument(key)
    data = {f"item__{k}": "no" for k in instrument.item_keys}
    data.update({f"item__{k}": v for k, v in yes.items()})
    return data


def save(client: Any, world: Any, data: dict[str, str], **extra: str) -> Any:
    body = {
        **data, "action": "save", "judgement": "medium", "judgement_reasons": "Escalating",
        "next_review_due": "01/01/2099", "reason": "scheduled", **extra,
    }  # fmt: skip
    return client.post(assess_url(world), body)


def test_the_incident_log_suggests_but_never_answers(world: Any, client: Any) -> None:
    incident_actions.do_log_incident(
        None, world.alice, world.case,
        incident_actions.IncidentData(
            event_start=timezone.now(), precision="exact", description="Said he would hurt me",
            behaviours=["threats_violence"],
        ),
    )  # fmt: skip
    sign_in(client, world.alice)
    html = client.get(assess_url(world)).content.decode()
    assert "From the incident log" in html
    assert 'value="yes" checked' not in html


def test_a_score_is_shown_before_saving_and_nothing_is_saved(world: Any, client: Any) -> None:
    sign_in(client, world.alice)
    before = Assessment.objects.count()
    html = client.post(
        assess_url(world), {**answers(loitering="yes"), "action": "score"}
    ).content.decode()
    assert "Score 1 of" in html
    assert Assessment.objects.count() == before


def test_a_judgement_needs_reasons(world: Any, client: Any) -> None:
    sign_in(client, world.alice)
    response = save(client, world, answers(), judgement_reasons="")
    assert 'href="#id_judgement_reasons"' in response.content.decode()


def test_lowering_below_a_critical_item_needs_a_reason_and_is_audited(
    world: Any, client: Any
) -> None:
    sign_in(client, world.alice)
    refused = save(client, world, answers(threats_violence="yes"), judgement="standard")
    assert 'href="#id_override_reason"' in refused.content.decode()
    done = save(
        client, world, answers(threats_violence="yes"),
        judgement="standard", override_reason="Threat was a misheard joke; confirmed by police",
    )  # fmt: skip
    assert done.status_code == 302
    saved = Assessment.objects.latest("id")
    assert saved.implied_level == "high" and saved.judgement == "standard"
    assert saved.override_reason.startswith("Threat was")
    assert AuditEvent.objects.filter(action="risk.override", object_id=saved.pk).exists()


def test_raising_the_level_needs_no_override(world: Any, client: Any) -> None:
    sign_in(client, world.alice)
    assert save(client, world, answers(), judgement="high").status_code == 302
    assert Assessment.objects.latest("id").override_reason == ""
    assert not AuditEvent.objects.filter(action="risk.override").exists()


def test_a_review_shows_what_changed(world: Any, client: Any) -> None:
    sign_in(client, world.alice)
    save(client, world, answers(loitering="yes", threats_violence="yes"), judgement="high")
    latest = Assessment.objects.latest("id")
    assert latest.previous == world.assessment
    html = client.get(
        reverse(
            "risk:detail", kwargs={"reference": world.case.reference, "assessment_id": latest.pk}
        )
    ).content.decode()
    assert "What changed since the assessment before" in html
    assert html.count('govuk-tag--red">New') == 2


def test_the_da_checklist_prompts_marac_at_fourteen(world: Any, client: Any) -> None:
    instrument = load_instrument("domestic-abuse-checklist")
    non_critical = [i.key for i in instrument.items if not i.critical]
    sign_in(client, world.alice)
    thirteen = answers("domestic-abuse-checklist", **dict.fromkeys(non_critical[:13], "yes"))
    html = client.post(
        assess_url(world, "domestic-abuse-checklist"), {**thirteen, "action": "score"}
    ).content.decode()
    result = html.split("Score 13")[1].split("<form")[0]
    assert '<div class="govuk-inset-text">' not in result  # no referral prompt
    fourteen = answers("domestic-abuse-checklist", **dict.fromkeys(non_critical[:14], "yes"))
    html = client.post(
        assess_url(world, "domestic-abuse-checklist"), {**fourteen, "action": "score"}
    ).content.decode()
    result = html.split("Score 14")[1].split("<form")[0]
    prompt = result.split('<div class="govuk-inset-text">')[1].split("</div>")[0]
    assert "MARAC" in prompt


def test_overdue_risk_reviews_show_on_the_dashboard(world: Any, client: Any) -> None:
    import datetime as dt

    Assessment.objects.filter(pk=world.assessment.pk).update(
        next_review_due=timezone.localdate() - dt.timedelta(days=1)
    )
    sign_in(client, world.supervisor)
    html = client.get(reverse("cases:dashboard")).content.decode()
    assert "Risk reviews overdue" in html
    section = html.split("Risk reviews overdue")[1]
    assert world.case.reference in section


def test_the_public_self_check_is_not_a_case_instrument(world: Any, client: Any) -> None:
    sign_in(client, world.alice)
    assert client.get(assess_url(world, "self-check")).status_code == 404
    assert client.get(assess_url(world, "no-such-thing")).status_code == 404


def test_a_yes_to_stalking_on_the_da_checklist_opens_the_stalking_screening(
    world: Any, client: Any
) -> None:
    sign_in(client, world.alice)
    data = {**answers("domestic-abuse-checklist", stalking_harassment="yes"), "action": "score"}
    html = client.post(assess_url(world, "domestic-abuse-checklist"), data).content.decode()
    assert (
        reverse(
            "risk:assess", kwargs={"reference": world.case.reference, "instrument_key": SCREENING}
        )
        in html
    )


def test_each_item_shows_the_sources_behind_it(world: Any, client: Any) -> None:
    sign_in(client, world.alice)
    html = client.get(assess_url(world)).content.decode()
    assert html.count("Based on: <a") == len(load_instrument(SCREENING).items)
