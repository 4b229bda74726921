from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "courseline.web.core"
    label = "core"
    verbose_name = "Courseline core"
