from django.urls import include, path

from courseline.web.accounts.urls import manage_patterns
from courseline.web.cases import urls as case_urls  # registers the <ref:...> converter
from courseline.web.cases import views as case_views
from courseline.web.core import views as core_views
from courseline.web.evidence import views as evidence_views
from courseline.web.help import urls as help_urls
from courseline.web.incidents import views as incident_views
from courseline.web.toolkit import views as toolkit_views

urlpatterns = [
    path("", case_views.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path("exit/", core_views.exit_page, name="exit"),
    path("account/", include("courseline.web.accounts.urls")),
    path("manage/", include(manage_patterns)),
    path("cases/", include(case_urls)),
    path("cases/<ref:reference>/incidents/", include("courseline.web.incidents.urls")),
    path("cases/<ref:reference>/risk/", include("courseline.web.risk.urls")),
    path("cases/<ref:reference>/toolkit/", include("courseline.web.toolkit.urls")),
    path("cases/<ref:reference>/evidence/", include("courseline.web.evidence.urls")),
    path(
        "cases/<ref:reference>/people/<int:person_id>/invite/",
        incident_views.person_invite,
        name="person_invite",
    ),
    path(
        "cases/<ref:reference>/people/<int:person_id>/revoke/",
        incident_views.person_revoke,
        name="person_revoke",
    ),
    path("help/check-a-photo/", toolkit_views.public_photo, name="public_photo"),
    path("help/", include("courseline.web.help.urls")),
    path("training/", include(help_urls.training_patterns)),
    path("portal/", case_views.portal, name="portal"),
    path("portal/join/<str:token>/", incident_views.portal_join, name="portal_join"),
    path("portal/<ref:reference>/", incident_views.portal_case, name="portal_case"),
    path("portal/<ref:reference>/log/", incident_views.portal_log, name="portal_log"),
    path(
        "portal/<ref:reference>/evidence/", evidence_views.portal_evidence, name="portal_evidence"
    ),
    path(
        "portal/<ref:reference>/statement/",
        evidence_views.portal_statement,
        name="portal_statement",
    ),
    path(
        "portal/<ref:reference>/log/<int:incident_id>/",
        incident_views.portal_incident,
        name="portal_incident",
    ),
]

handler400 = "courseline.web.core.views.bad_request"
handler403 = "courseline.web.core.views.permission_denied"
handler404 = "courseline.web.core.views.page_not_found"
handler500 = "courseline.web.core.views.server_error"
