from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "courseline.web.cases"
    label = "cases"
    verbose_name = "Cases"
