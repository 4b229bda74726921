from django.apps import AppConfig


class HelpConfig(AppConfig):
    name = "courseline.web.help"
    label = "help"
    verbose_name = "Help and factsheets"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from courseline.web.help.search import rebuild_index

        # The factsheets ship with the package: index them after every migrate (`serve` migrates).
        post_migrate.connect(lambda **kwargs: rebuild_index(), sender=self, weak=False)
