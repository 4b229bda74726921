from django.apps import AppConfig


class IncidentsConfig(AppConfig):
    name = "courseline.web.incidents"
    label = "incidents"
    verbose_name = "Incident log"
