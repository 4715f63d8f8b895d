from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PagaConfig(AppConfig):
    name = "paga"
    verbose_name = _("Action plan")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from . import audit, staff_security

        # The page cache's generation triggers and the audit log's refusal of UPDATE and DELETE are
        # installed by migrations, once (paga/pagecache.py ContentTriggers, paga migration 0007).
        # Staff sign-ins in the audit log (paga/audit.py).
        user_logged_in.connect(audit.staff_signed_in, dispatch_uid="cocrea_audit_staff_sign_in")
        # Staff sign-ins and removed authenticator apps, for the staff pages' checks.
        staff_security.connect_signals()
