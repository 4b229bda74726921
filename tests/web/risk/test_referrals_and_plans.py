"""Referrals filled in from the record, and versioned safety plans."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from courseline.web.risk.models import Referral, SafetyPlan
from tests.conftest import sign_in


def test_a_referral_is_prefilled_from_the_case_and_assessment(world: Any, client: Any) -> None:
    sign_in(client, world.alice)
    url = reverse(
        "risk:referral_new",
        kwargs={"reference": world.case.reference, "assessment_id": world.assessment.pk,
                "kind": "stalking_panel"},
    )  # fmt: skip
    page = client.get(url).content.decode()
    assert "Vic Victim" in page and "Sam Suspect" in page and "S.S." in page
    assert "Stalking screening" in page or "stalking" in page.lower()
    response = client.post(url, {"recipient": "Panel coordinator", "summary": "Escalation"})
    assert response.status_code == 302
    referral = Referral.objects.latest("id")
    assert referral.content["victim"]["name"] == "Vic Victim"
    assert referral.content["perpetrators"][0]["aliases"] == ["S.S."]
    assert referral.content["incidents"]["count"] == 1
    assert referral.content["risk"]["judgement"] == "Standard"
    status_url = reverse(
        "risk:referral", kwargs={"reference": world.case.reference, "referral_id": referral.pk}
    )
    client.post(status_url, {"status": "sent", "on": "02/03/2026", "note": "By secure email"})
    referral.refresh_from_db()
    assert referral.status == "sent"
    assert list(referral.events.values_list("status", flat=True)) == ["draft", "sent"]


def test_an_unknown_referral_kind_is_not_found(world: Any, client: Any) -> None:
    sign_in(client, world.alice)
    url = reverse(
        "risk:referral_new",
        kwargs={"reference": world.case.reference, "assessment_id": world.assessment.pk,
                "kind": "astrologer"},
    )  # fmt: skip
    assert client.get(url).status_code == 404


def test_a_safety_plan_starts_with_safety_first_and_keeps_versions(world: Any, client: Any) -> None:
    sign_in(client, world.alice)
    url = reverse(
        "risk:plan_new",
        kwargs={"reference": world.case.reference, "assessment_id": world.assessment.pk},
    )
    response = client.post(url)
    plan = SafetyPlan.objects.latest("id")
    assert response.status_code == 302
    items = plan.latest.items
    assert items[0]["key"] == "emergency_999"
    plan_url = reverse("risk:plan", kwargs={"reference": world.case.reference, "plan_id": plan.pk})
    data = {f"text_{i}": item["text"] for i, item in enumerate(items)}
    data["done_0"] = "on"
    data["new_item"] = "Keep a charged phone by the bed"
    assert client.post(plan_url, data).status_code == 302
    plan.refresh_from_db()
    assert plan.latest.version == 2
    assert plan.latest.items[0]["done"] is True
    assert plan.latest.items[-1]["text"] == "Keep a charged phone by the bed"
    assert plan.versions.get(version=1).items[0]["done"] is False
