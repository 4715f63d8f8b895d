"""Every search box of the back office takes a search of a thousand words: the first ten are searched and
the page says so. Found with the public list's search (SQLite refused the query, "Expression tree is too
large", a 500); the back office's boxes split the words the same way."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import reverse

from paga.search import MAX_WORDS, CappedSearchAdmin

pytestmark = pytest.mark.django_db

SEARCHABLE = sorted(
    (model._meta.app_label, model._meta.model_name)
    for model, model_admin in admin.site._registry.items()
    if model_admin.search_fields
)


def test_every_searchable_back_office_list_caps_its_words():
    assert len(SEARCHABLE) >= 10
    for model, model_admin in admin.site._registry.items():
        if model_admin.search_fields:
            assert isinstance(model_admin, CappedSearchAdmin), model._meta.label


@pytest.mark.parametrize(("app", "model"), SEARCHABLE)
def test_a_thousand_words_in_a_back_office_search_are_searched_ten(administrator, app, model):
    client = Client(raise_request_exception=False)
    client.cookies["django_language"] = "en"
    client.force_login(administrator)
    words = " ".join(f"palabra{n}" for n in range(1000))
    response = client.get(reverse(f"admin:{app}_{model}_changelist"), {"q": words})
    assert response.status_code == 200, response.status_code
    first = " ".join(f"palabra{n}" for n in range(MAX_WORDS))
    assert f"Only the first {MAX_WORDS} words were searched: “{first}”." in response.content.decode()
