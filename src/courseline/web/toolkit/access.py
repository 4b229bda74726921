"""Fetching toolkit records: always through the case the user may see (404 otherwise)."""

from __future__ import annotations

from django.http import Http404

from courseline.web.cases.models import Case
from courseline.web.toolkit.models import DeviceCheck, PhotoCheck


def get_photo_check(case: Case, check_id: int) -> PhotoCheck:
    check = PhotoCheck.objects.filter(case=case, pk=check_id).select_related("created_by").first()
    if check is None:
        raise Http404("No such photo check")
    return check


def get_device_check(case: Case, check_id: int) -> DeviceCheck:
    check = DeviceCheck.objects.filter(case=case, pk=check_id).select_related("created_by").first()
    if check is None:
        raise Http404("No such device check")
    return check
