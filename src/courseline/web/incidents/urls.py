from django.urls import path

from courseline.web.incidents import views

app_name = "incidents"

# Mounted under /cases/<ref:reference>/ by courseline.web.urls.
urlpatterns = [
    path("", views.timeline, name="timeline"),
    path("new/", views.incident_log, name="log"),
    path("<int:incident_id>/", views.incident_detail, name="detail"),
    path("<int:incident_id>/edit/", views.incident_edit, name="edit"),
    path("import/", views.import_upload, name="import"),
    path("import/columns/", views.import_map, name="import_map"),
    path("export.<str:fmt>", views.export, name="export"),
    path("conduct/", views.conduct, name="conduct"),
]
