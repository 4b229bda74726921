from django.apps import AppConfig


class EvidenceConfig(AppConfig):
    name = "courseline.web.evidence"
    label = "evidence"
    verbose_name = "Evidence"
