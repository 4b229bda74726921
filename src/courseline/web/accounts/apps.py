from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "courseline.web.accounts"
    label = "accounts"
    verbose_name = "Accounts"
