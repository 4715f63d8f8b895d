from allauth.account.adapter import DefaultAccountAdapter

from .services import queue_email


class AccountAdapter(DefaultAccountAdapter):
    """Account emails go through the outbox and the Celery worker, not the request."""

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        from allauth.core import context as allauth_context
        from django.contrib.sites.shortcuts import get_current_site

        request = allauth_context.request
        ctx = {"request": request, "email": email, "current_site": get_current_site(request)}
        ctx.update(context)
        queue_email(self.render_mail(template_prefix, email, ctx))
