from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PagaConfig(AppConfig):
    name = "paga"
    verbose_name = _("Action plan")
