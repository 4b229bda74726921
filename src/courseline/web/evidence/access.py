"""Fetching evidence: always through a case the user may see (404 otherwise)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from courseline.web.cases.models import Case
from courseline.web.evidence.models import EvidenceItem


def evidence_of(case: Case) -> QuerySet[EvidenceItem]:
    return EvidenceItem.objects.filter(case=case).select_related("uploaded_by")


def get_item(case: Case, item_id: int) -> EvidenceItem:
    item = evidence_of(case).filter(pk=item_id).first()
    if item is None:
        raise Http404("No such evidence item")
    return item
