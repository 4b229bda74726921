from django.apps import AppConfig


class RiskConfig(AppConfig):
    name = "courseline.web.risk"
    label = "risk"
    verbose_name = "Risk"
