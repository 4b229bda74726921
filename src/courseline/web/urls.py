from django.urls import include, path

from courseline.web.accounts.urls import manage_patterns
from courseline.web.cases import views as case_views
from courseline.web.core import views as core_views

urlpatterns = [
    path("", case_views.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path("exit/", core_views.exit_page, name="exit"),
    path("account/", include("courseline.web.accounts.urls")),
    path("manage/", include(manage_patterns)),
    path("cases/", include("courseline.web.cases.urls")),
    path("portal/", case_views.portal, name="portal"),
]

handler400 = "courseline.web.core.views.bad_request"
handler403 = "courseline.web.core.views.permission_denied"
handler404 = "courseline.web.core.views.page_not_found"
handler500 = "courseline.web.core.views.server_error"
