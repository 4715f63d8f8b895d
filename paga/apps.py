from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PagaConfig(AppConfig):
    name = "paga"
    verbose_name = _("Action plan")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in
        from django.db.models.signals import post_migrate

        from . import audit, pagecache, staff_security

        # After every migrate, once all apps' tables exist: the content-generation triggers.
        post_migrate.connect(pagecache.install_after_migrate, sender=self)
        # The audit log's refusal of UPDATE and DELETE, and staff sign-ins in it (paga/audit.py).
        post_migrate.connect(audit.install_after_migrate, sender=self)
        user_logged_in.connect(audit.staff_signed_in, dispatch_uid="cocrea_audit_staff_sign_in")
        # Staff sign-ins and removed authenticator apps, for the staff pages' checks.
        staff_security.connect_signals()
