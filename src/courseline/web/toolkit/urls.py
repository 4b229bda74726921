from django.urls import path

from courseline.web.toolkit import views

app_name = "toolkit"

# Mounted under /cases/<ref:reference>/toolkit/ by courseline.web.urls.
urlpatterns = [
    path("photos/", views.photos, name="photos"),
    path("photos/<int:check_id>/", views.photo_check, name="photo_check"),
    path("devices/", views.devices, name="devices"),
    path("devices/<int:check_id>/", views.device_check, name="device_check"),
    path("devices/<int:check_id>/pdf/", views.device_check_pdf, name="device_check_pdf"),
    path("devices/<int:check_id>/to-plan/", views.device_finding_to_plan, name="device_to_plan"),
]
