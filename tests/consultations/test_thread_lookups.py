"""The thread's templates look up only what exists (issue 15, "Render less").

A failed variable lookup in a Django template raises and swallows an exception each time: the thread
made about 940 of them per page of 50 comments. Here a page of the thread is rendered through the
`forum_thread` tag, as a commitment's page does, for an anonymous visitor, a citizen and the Secretaría,
with `string_if_invalid` set to a sentinel and Django's template logger (which reports every failed
lookup, `{% if %}` included) listened to: neither may see one.
"""

from __future__ import annotations

import logging

import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.template import RequestContext, Template
from django.test import RequestFactory
from django.test.utils import override_settings

from tests.consultations.test_posting import open_forum
from tests.consultations.test_thread import grow_to
from tests.factories import EntityFactory, UserFactory

pytestmark = pytest.mark.django_db

SENTINEL = "@@FAILED-LOOKUP@@"


def sentinel_templates() -> list[dict]:
    engines = [dict(engine) for engine in settings.TEMPLATES]
    for engine in engines:
        if engine["BACKEND"].endswith("DjangoTemplates"):
            engine["OPTIONS"] = {**engine.get("OPTIONS", {}), "string_if_invalid": SENTINEL}
    return engines


class FailedLookups(logging.Handler):
    def __init__(self):
        super().__init__(logging.DEBUG)
        self.seen: list[str] = []

    def emit(self, record):
        message = record.getMessage()
        # Django's own widget templates (the comment form's radio buttons ask for an optional class) are
        # not the portal's to change.
        if message.startswith("Exception while resolving variable") and "'django/forms/" not in message:
            self.seen.append(message)


def render_thread(item, user) -> tuple[str, list[str]]:
    """The thread of `item` as `user` reads it (its fragments rendered afresh), and the failed lookups."""
    cache.clear()  # every fragment rendered, none from an earlier reading
    request = RequestFactory().get(item.get_absolute_url())
    request.user = user
    logger = logging.getLogger("django.template")
    handler, level = FailedLookups(), logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    try:
        html = Template("{% load forum %}{% forum_thread item %}").render(
            RequestContext(request, {"item": item, "csrf_token": "x" * 64})
        )
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
        cache.clear()  # no fragment rendered with the sentinel outlives the test
    return html, handler.seen


def test_a_page_of_the_thread_makes_no_failed_lookup(citizen, other_citizen, secretariat):
    forum = open_forum()
    item = forum.items.get()
    authors = [citizen, other_citizen, UserFactory(entity=EntityFactory())]
    grow_to(forum, item, 60, authors=authors, secretariat=secretariat)  # replies, responses, hidden ones
    with override_settings(TEMPLATES=sentinel_templates()):
        for reader in (AnonymousUser(), citizen, secretariat):
            html, failed = render_thread(item, reader)
            assert html.count('class="contribution') >= 50, reader
            assert SENTINEL not in html, reader
            assert failed == [], (reader, len(failed), sorted(set(failed))[:10])
