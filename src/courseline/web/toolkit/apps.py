from django.apps import AppConfig


class ToolkitConfig(AppConfig):
    name = "courseline.web.toolkit"
    label = "toolkit"
    verbose_name = "Digital-safety toolkit"
