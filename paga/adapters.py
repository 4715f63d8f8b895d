from allauth.account.adapter import DefaultAccountAdapter
from django.urls import reverse

from .services import absolute_url, queue_email


class AccountAdapter(DefaultAccountAdapter):
    """Account emails go through the outbox and the Celery worker, not the request."""

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        from allauth.core import context as allauth_context
        from django.contrib.sites.shortcuts import get_current_site

        request = allauth_context.request
        ctx = {"request": request, "email": email, "current_site": get_current_site(request)}
        ctx.update(context)
        queue_email(self.render_mail(template_prefix, email, ctx))

    def send_notification_mail(self, template_prefix: str, user, context=None, email=None) -> None:
        """A change to the account's security, told to its owner (ACCOUNT_EMAIL_NOTIFICATIONS), with the
        links to act on it if it was not them: two-step verification and a new password."""
        context = {
            "security_url": absolute_url(reverse("mfa_index")),
            "password_reset_url": absolute_url(reverse("account_reset_password")),
            **(context or {}),
        }
        super().send_notification_mail(template_prefix, user, context, email)
