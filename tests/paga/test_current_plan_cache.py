"""The current plan, which every page's header names, is read from the cache on a GET under the site's
generation (paga/selectors.py `find_current_plan`): no query once warm, never stale; a request that may
write (any other method) reads it from the database."""

import pytest
from django.db import connection
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext

from paga.models import ActionPlan
from paga.selectors import find_current_plan

# Committed writes: on PostgreSQL the generations move when a transaction commits (paga/pagecache.py).
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def _get(client, url="/cronograma/"):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    plan_queries = [q["sql"] for q in captured if '"paga_actionplan"' in q["sql"]]
    return response.content.decode(), plan_queries


def test_a_warm_page_names_the_current_plan_without_a_query_and_a_change_shows_at_once(
    example_plan, fragments
):
    client = Client()
    _get(client)
    page, plan_queries = _get(client)
    assert plan_queries == []
    assert '<span class="brand-plan">PAGA 2017-2019</span>' in page

    ActionPlan.objects.filter(pk=example_plan.pk).update(short_name="PAGA <2017-2019>")
    page, _queries = _get(client)
    assert '<span class="brand-plan">PAGA &lt;2017-2019&gt;</span>' in page

    older = ActionPlan.objects.get(slug="paga-2015-2016")
    ActionPlan.objects.filter(pk=example_plan.pk).update(is_current=False)
    ActionPlan.objects.filter(pk=older.pk).update(is_current=True)
    page, _queries = _get(client, "/")
    assert '<span class="brand-plan">PAGA 2015-2016</span>' in page


def test_a_request_that_may_write_reads_the_current_plan_from_the_database(example_plan, fragments):
    Client().get("/cronograma/")  # the plan in the cache
    request = RequestFactory().post("/")
    with CaptureQueriesContext(connection) as captured:
        assert find_current_plan(request) == example_plan
    assert [q for q in captured if '"paga_actionplan"' in q["sql"]]
    request = RequestFactory().get("/")
    with CaptureQueriesContext(connection) as captured:
        assert find_current_plan(request) == example_plan
    assert not [q for q in captured if '"paga_actionplan"' in q["sql"]]
