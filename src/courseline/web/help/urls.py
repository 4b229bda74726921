from django.urls import path

from courseline.web.help import views

app_name = "help"

urlpatterns = [
    path("", views.index, name="index"),
    path("search/", views.search, name="search"),
    path("am-i-being-stalked/", views.self_check, name="self_check"),
    path("exit-this-page/", views.exit_explained, name="exit_explained"),
    path("staying-safe-online/", views.safety, name="safety"),
    path("what-the-law-says/", views.law, name="law"),
    path("<slug:slug>/", views.factsheet, name="factsheet"),
    path("<slug:slug>/pdf/", views.factsheet_pdf, name="factsheet_pdf"),
]

training_patterns = (
    [
        path("", views.training_index, name="index"),
        path("<slug:slug>/", views.training_exercise, name="exercise"),
    ],
    "training",
)
