from django.urls import path

from courseline.web.evidence import views

app_name = "evidence"

# Mounted under /cases/<ref:reference>/evidence/ by courseline.web.urls.
urlpatterns = [
    path("", views.evidence_list, name="list"),
    path("add/", views.evidence_add, name="add"),
    path("export/", views.bundle_export, name="export"),
    path("statement/", views.statement, name="statement"),
    path("<int:item_id>/", views.evidence_detail, name="detail"),
    path("<int:item_id>/download/", views.evidence_download, name="download"),
    path("<int:item_id>/share/", views.evidence_share, name="share"),
    path("<int:item_id>/link/", views.evidence_link, name="link"),
]
