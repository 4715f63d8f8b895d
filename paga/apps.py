from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PagaConfig(AppConfig):
    name = "paga"
    verbose_name = _("Action plan")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from . import pagecache

        # After every migrate, once all apps' tables exist: the content-generation triggers.
        post_migrate.connect(pagecache.install_after_migrate, sender=self)
