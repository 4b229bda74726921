from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "courseline.web.audit"
    label = "audit"
    verbose_name = "Audit trail"

    def ready(self) -> None:
        from courseline.web.audit import signals  # noqa: F401  (connects sign-in receivers)
