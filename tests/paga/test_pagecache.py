"""The public page cache (paga/pagecache.py): anonymous visitors get cached pages, never stale ones.

Transactional tests: on PostgreSQL the generation moves when the writer commits (a deferred trigger),
so each write here really commits, as in production.
"""

from __future__ import annotations

import datetime
import re
import time

import pytest
from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.test import Client
from django.utils import timezone

from paga import pagecache
from paga.models import Consent, OutboundEmail, TimelineStage, User
from tests.paga.test_plan_pages import stage_item

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

STAGE = "Taller regional La Libertad"
FORUM = "Consulta pública: foro virtual"


@pytest.fixture
def cached(settings, example_plan):
    settings.COCREA_PAGE_CACHE = True
    cache.clear()
    return example_plan


def fetch(client, url="/cronograma/") -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_every_content_table_carries_the_trigger_and_private_ones_do_not(db):
    tables = pagecache.installed_tables()
    expected = {model._meta.db_table for model in pagecache.content_models()}
    assert expected <= tables
    assert {"commitments_commitment", "paga_timelinestage", "paga_user"} <= expected
    assert OutboundEmail._meta.db_table not in tables
    assert Consent._meta.db_table not in tables
    assert "django_session" not in tables


def test_a_second_anonymous_visit_is_served_from_the_cache_with_one_query(cached, django_assert_num_queries):
    first = fetch(Client())
    with django_assert_num_queries(1):  # the content generation, nothing else
        again = fetch(Client())
    assert again == first


def only_kept_page() -> str:
    """The key of the one page this process keeps (after `cache.clear()` and one fetch)."""
    (key,) = [k for k in pagecache._PAGES.found if k.startswith("page:")]
    return key


def test_a_hit_is_served_from_this_process_s_copy_without_asking_the_shared_cache(
    cached, monkeypatch, django_assert_num_queries
):
    first = fetch(Client())
    asked = []
    real_get = cache.get
    monkeypatch.setattr(cache, "get", lambda key, *a, **kw: asked.append(key) or real_get(key, *a, **kw))
    with django_assert_num_queries(1):
        assert fetch(Client()) == first
    assert not [key for key in asked if key.startswith("page:")]


def test_this_process_s_stale_copy_gives_way_to_a_newer_one_another_process_stored(
    cached, django_assert_num_queries
):
    assert STAGE in fetch(Client())
    key = only_kept_page()
    old = pagecache._PAGES.get(key)
    TimelineStage.objects.filter(title=STAGE).update(title="Taller regional de Trujillo")
    newer = fetch(Client())  # rendered and stored, here as another process would
    pagecache._PAGES.keep(key, old)  # this process still holds the page of before the write
    with django_assert_num_queries(1):
        assert fetch(Client()) == newer
    assert pagecache._PAGES.get(key)[1] == newer.encode()


def test_this_process_s_copy_is_not_served_past_the_shared_copy_s_expiry(cached):
    page = fetch(Client())
    key = only_kept_page()
    read, _content, headers, _expires = pagecache._PAGES.get(key)
    pagecache._PAGES.keep(key, (read, b"expired copy", headers, time.time() - 1))
    cache.delete(key)  # expired there too
    assert fetch(Client()) == page


@pytest.mark.parametrize(
    "write",
    [
        lambda: TimelineStage.objects.filter(title=STAGE).update(title="Taller renombrado"),
        lambda: TimelineStage.objects.filter(title=STAGE).first().save(),
        lambda: TimelineStage.objects.filter(title=STAGE).delete(),
    ],
    ids=["queryset update", "model save", "delete"],
)
def test_any_write_to_a_public_table_shows_on_the_next_request(cached, write):
    before = pagecache.generation()
    fetch(Client())
    write()
    assert pagecache.generation() > before
    html = fetch(Client())
    stage = TimelineStage.objects.filter(title=STAGE).first()
    if stage is None or stage.title != STAGE:
        assert STAGE not in html


def test_a_renamed_stage_is_never_served_stale(cached):
    assert STAGE in fetch(Client())
    TimelineStage.objects.filter(title=STAGE).update(title="Taller regional de Trujillo")
    html = fetch(Client())
    assert "Taller regional de Trujillo" in html
    assert STAGE not in html


def test_private_writes_do_not_empty_the_cache(cached, citizen):
    fetch(Client())
    before = pagecache.generation()
    User.objects.filter(pk=citizen.pk).update(last_login=timezone.now())  # every sign-in does this
    OutboundEmail.objects.create(to=["a@example.pe"], subject="s", body="b", from_email="x@example.pe")
    assert pagecache.generation() == before
    User.objects.filter(pk=citizen.pk).update(display_name="Otro nombre")  # shown beside comments
    assert pagecache.generation() > before


def test_signed_in_visitors_are_never_served_a_cached_page(cached, citizen):
    fetch(Client())  # cached for anonymous visitors
    client = Client()
    client.force_login(citizen)
    assert "Cerrar sesión" in fetch(client)  # the signed-in header, not the cached anonymous page
    assert "Cerrar sesión" not in fetch(Client())


def test_each_language_has_its_own_entry(cached):
    spanish = fetch(Client())
    english_client = Client()
    english_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = fetch(english_client)
    assert '<html lang="es">' in spanish
    assert '<html lang="en">' in english
    assert '<html lang="es">' in fetch(Client())


@pytest.mark.parametrize("url", ["/cronograma.ics", "/talleres.ics"])
def test_each_host_and_scheme_has_its_own_entry(cached, settings, url):
    """A calendar's UIDs and links name the host (and scheme) it was asked on: served from the cache to
    another host, it would carry the first one's (a portal answering on two names, or on http and https
    behind a proxy)."""
    settings.ALLOWED_HOSTS = ["cocrea.gob.pe", "participa.example.pe"]
    first = Client().get(url, HTTP_HOST="cocrea.gob.pe", secure=True).content.decode()
    other_host = Client().get(url, HTTP_HOST="participa.example.pe", secure=True).content.decode()
    plain = Client().get(url, HTTP_HOST="cocrea.gob.pe").content.decode()
    again = Client().get(url, HTTP_HOST="cocrea.gob.pe", secure=True).content.decode()
    assert "https://cocrea.gob.pe/" in first
    assert "@cocrea.gob.pe" in first  # the UIDs
    assert "cocrea.gob.pe" not in other_host
    assert "https://participa.example.pe/" in other_host
    assert "@participa.example.pe" in other_host
    assert "https://" not in plain
    assert "http://cocrea.gob.pe/" in plain
    assert again == first  # the same host and scheme still share one entry


def test_a_page_that_used_a_csrf_token_or_set_a_cookie_is_never_stored(cached, rf):
    """A token or a cookie belongs to one visitor: such a response is rendered for each request (a
    cached copy would hand one visitor's token to the next)."""
    renders = []

    def counted(body):
        def view(request):
            renders.append(request.path)
            return HttpResponse(body(request))

        return pagecache.public_page(view)

    with_token = counted(get_token)
    tokens = {with_token(rf.get("/con-token/")).content for _ in range(2)}
    assert len(tokens) == 2

    def with_cookie(request):
        renders.append(request.path)
        response = HttpResponse("galleta")
        response.set_cookie("preferencia", "1")
        return response

    cookie_view = pagecache.public_page(with_cookie)
    cookie_view(rf.get("/con-galleta/"))
    cookie_view(rf.get("/con-galleta/"))

    plain = counted(lambda request: "igual para todos")  # control: stored after the first request
    plain(rf.get("/sin-token/"))
    plain(rf.get("/sin-token/"))
    assert renders == ["/con-token/"] * 2 + ["/con-galleta/"] * 2 + ["/sin-token/"]


def test_the_day_is_part_of_the_key(cached, settings):
    settings.COCREA_AS_OF = "2017-09-25"
    assert "En curso" in stage_item(fetch(Client()), FORUM)
    settings.COCREA_AS_OF = "2017-10-12"
    assert "Concluida" in stage_item(fetch(Client()), FORUM)


def test_a_page_that_changes_at_a_moment_expires_then(rf):
    request = rf.get("/")
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    midnight = timezone.make_aware(datetime.datetime.combine(tomorrow, datetime.time()))
    if (midnight - timezone.now()).total_seconds() < pagecache.MAX_AGE + 60:
        pytest.skip("Ten minutes before midnight every page expires at midnight (a new day's key).")
    assert pagecache._timeout(request) == pagecache.MAX_AGE
    pagecache.changes_at(request, timezone.now() + datetime.timedelta(seconds=90))
    pagecache.changes_at(request, timezone.now() + datetime.timedelta(hours=3))  # later: ignored
    pagecache.changes_at(request, timezone.now() - datetime.timedelta(hours=3))  # past: ignored
    assert 85 <= pagecache._timeout(request) <= 90


def test_the_cache_can_be_turned_off(settings, example_plan, django_assert_num_queries):
    settings.COCREA_PAGE_CACHE = False
    fetch(Client())
    with django_assert_num_queries(2):  # the timeline renders again (plan + stages)
        fetch(Client())


CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([A-Za-z0-9]{64})"')


@pytest.mark.parametrize("url", ["/cuenta/login/", "/cuenta/signup/", "/cuenta/password/reset/"])
def test_a_signed_out_form_page_is_served_from_the_cache_with_each_visitor_s_own_token(
    cached, url, django_assert_num_queries
):
    rendered = Client(enforce_csrf_checks=True).get(url)  # rendered and stored
    page = rendered.content.decode()
    with django_assert_num_queries(1):  # the content generation, nothing else: no form rendered
        response = (second := Client(enforce_csrf_checks=True)).get(url)
    again = response.content.decode()
    assert CSRF_INPUT.sub("", again) == CSRF_INPUT.sub("", page)  # the same page but for the token
    token = CSRF_INPUT.search(again)[1]
    assert token != CSRF_INPUT.search(page)[1]
    assert settings.CSRF_COOKIE_NAME in response.cookies  # a new visitor gets their CSRF cookie
    assert response.get("Cache-Control") == rendered.get("Cache-Control")  # never_cache kept where set

    # The token served from the cache is this visitor's: their form posts pass the CSRF check; the
    # token handed to the first visitor does not pass with the second one's cookie.
    posted = second.post(url, {"csrfmiddlewaretoken": token})
    assert posted.status_code == 200  # the form again, with its errors (nothing filled in)
    refused = second.post(url, {"csrfmiddlewaretoken": CSRF_INPUT.search(page)[1]})
    assert refused.status_code == 403


def test_a_visitor_with_a_csrf_cookie_keeps_it_on_a_cached_form_page(cached):
    fetch(Client(), "/cuenta/login/")
    visitor = Client(enforce_csrf_checks=True)
    fetch(visitor, "/cuenta/login/")
    cookie = visitor.cookies[settings.CSRF_COOKIE_NAME].value
    page = fetch(visitor, "/cuenta/login/")
    assert visitor.cookies[settings.CSRF_COOKIE_NAME].value == cookie
    assert (
        visitor.post("/cuenta/login/", {"csrfmiddlewaretoken": CSRF_INPUT.search(page)[1]}).status_code == 200
    )


def test_a_form_page_without_a_token_is_not_stored(cached, rf):
    renders = []

    def view(request):
        renders.append(request.path)
        return HttpResponse("<form>sin token</form>")

    cached_view = pagecache.public_page(view, form=True)
    cached_view(rf.get("/sin-token/"))
    cached_view(rf.get("/sin-token/"))
    assert renders == ["/sin-token/"] * 2
