"""Rate limits of the forum (issue 4, item 7): comments and reports per person and per address, in a
fixed window on the Django cache. The refusal is HTTP 429 with the form and what was typed."""

from __future__ import annotations

import re

import pytest
from django.test import RequestFactory, override_settings
from django.urls import reverse
from django.utils.html import escape

from consultations.models import Contribution, Flag
from paga import ratelimit
from tests.consultations.factories import comment
from tests.consultations.test_posting import (
    TYPED,
    comment_url,
    english,
    form_data,
    fresh_rate_limits,
    main_of,
    open_forum,
)

__all__ = ["english", "fresh_rate_limits"]  # fixtures shared with test_posting

MINUTE = 60.0


@pytest.fixture
def clock(monkeypatch):
    """The limiter's clock, at the start of a minute; `clock.now += 60` moves to the next window."""

    class Clock:
        now = 1_700_000_040.0  # a multiple of 60

    monkeypatch.setattr(ratelimit, "now", lambda: Clock.now)
    return Clock


# --- The limiter -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "limit", "seconds"),
    [("10/m", 10, 60), ("3/5m", 3, 300), ("100/h", 100, 3600), ("1/s", 1, 1), ("5/2d", 5, 172800)],
)
def test_rates_are_read_from_settings_strings(text, limit, seconds):
    assert ratelimit.Rate.parse(text) == ratelimit.Rate(limit, seconds)


@pytest.mark.parametrize("text", ["", "10", "m/10", "10/x", "10/0m", "-1/m"])
def test_a_malformed_rate_is_refused(text):
    with pytest.raises(ValueError, match="Not a rate"):
        ratelimit.Rate.parse(text)


def test_the_limit_holds_within_a_window_and_resets_in_the_next(clock):
    results = [ratelimit.hit("prueba", "3/m") for _n in range(4)]
    assert results == [True, True, True, False]
    assert ratelimit.hit("otra", "3/m")  # another key has its own count
    clock.now += MINUTE - 1
    assert not ratelimit.hit("prueba", "3/m")  # still the same minute
    clock.now += 1
    assert ratelimit.hit("prueba", "3/m")


def test_hit_all_counts_every_key(clock):
    assert ratelimit.hit_all(["a", "b"], "1/m")
    assert not ratelimit.hit_all(["a", "c"], "1/m")  # "a" is over
    assert not ratelimit.hit("c", "1/m")  # "c" was counted too


def test_the_address_is_the_one_the_trusted_proxy_saw():
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 200.1.2.3")
    assert ratelimit.client_ip(request) == "10.0.0.1"  # no trusted proxy: forged headers ignored
    with override_settings(ALLAUTH_TRUSTED_PROXY_COUNT=1):
        assert ratelimit.client_ip(request) == "200.1.2.3"


@pytest.mark.parametrize(
    "backend",
    ["django.core.cache.backends.locmem.LocMemCache", "django.core.cache.backends.redis.RedisCache"],
)
def test_the_limiter_works_on_locmem_and_redis(backend, clock, request):
    caches = {"default": {"BACKEND": backend, "KEY_PREFIX": "cocrea-test-ratelimit"}}
    if "redis" in backend:
        url = request.getfixturevalue("redis_url")
        caches["default"]["LOCATION"] = url.rsplit("/", 1)[0] + "/5"
    with override_settings(CACHES=caches):
        from django.core.cache import caches as handler

        try:
            assert [ratelimit.hit("k", "2/m") for _n in range(3)] == [True, True, False]
            assert handler["default"].get(f"{ratelimit.PREFIX}:k:60:{int(clock.now // 60)}") == 3
        finally:
            handler["default"].close()


# --- Comments through the pages --------------------------------------------------------------------
@pytest.mark.django_db
def test_the_eleventh_comment_in_a_minute_gets_429_with_the_text_kept(english, citizen, clock):
    forum = open_forum()
    english.force_login(citizen)
    for n in range(10):
        assert english.post(comment_url(forum), form_data(text=f"Aporte {n}")).status_code == 302
    refused = english.post(comment_url(forum), form_data())
    assert refused.status_code == 429
    html = main_of(refused.content.decode())
    assert escape(TYPED) in html  # what was typed is on the page, in the form
    assert "You have posted many comments in a short time." in html
    assert 'class="error-summary"' in html
    assert Contribution.objects.count() == 10
    # The next minute, posting works again.
    clock.now += MINUTE
    assert english.post(comment_url(forum), form_data()).status_code == 302
    assert Contribution.objects.count() == 11


@pytest.mark.django_db
def test_another_person_from_another_address_still_posts(client, citizen, other_citizen, clock):
    forum = open_forum()
    client.force_login(citizen)
    for n in range(11):
        client.post(comment_url(forum), form_data(text=f"Aporte {n}"), REMOTE_ADDR="190.1.1.1")
    assert Contribution.objects.count() == 10
    client.force_login(other_citizen)
    assert client.post(comment_url(forum), form_data(), REMOTE_ADDR="190.2.2.2").status_code == 302
    assert Contribution.objects.filter(author=other_citizen).count() == 1


@pytest.mark.django_db
def test_the_address_is_limited_whoever_posts_from_it(client, citizen, other_citizen, clock):
    forum = open_forum()
    client.force_login(citizen)
    for n in range(10):
        client.post(comment_url(forum), form_data(text=f"Aporte {n}"), REMOTE_ADDR="190.1.1.1")
    client.force_login(other_citizen)
    assert client.post(comment_url(forum), form_data(), REMOTE_ADDR="190.1.1.1").status_code == 429
    assert not Contribution.objects.filter(author=other_citizen).exists()


@pytest.mark.django_db
@override_settings(COCREA_RATE_COMMENTS="2/m")
def test_the_comment_limit_is_a_setting_and_replies_count(english, citizen, other_citizen, clock):
    forum = open_forum()
    top = comment(consultation=forum, author=other_citizen)
    english.force_login(citizen)
    reply_url = reverse("consultations:reply", args=[top.pk])
    assert english.post(reply_url, form_data(text="Uno")).status_code == 302
    assert english.post(comment_url(forum), form_data(text="Dos")).status_code == 302
    refused = english.post(reply_url, form_data(text="Tres «ñ»"))
    assert refused.status_code == 429
    assert "Tres «ñ»" in refused.content.decode()


@pytest.mark.django_db
@override_settings(COCREA_RATE_FLAGS="2/m", COCREA_FLAGS_TO_HIDE=99)
def test_reports_are_limited_too(english, citizen, other_citizen, clock):
    forum = open_forum()
    posted = [comment(consultation=forum, author=other_citizen, text=f"Aporte {n}") for n in range(3)]
    english.force_login(citizen)
    for contribution in posted[:2]:
        url = reverse("consultations:flag", args=[contribution.pk])
        assert english.post(url, {"reason": "spam"}).status_code == 302
    refused = english.post(reverse("consultations:flag", args=[posted[2].pk]), {"reason": "ofensivo"})
    assert refused.status_code == 429
    assert "You have sent many reports in a short time." in refused.content.decode()
    assert re.search(r'value="ofensivo"[^>]*checked', refused.content.decode())  # the choice is kept
    assert Flag.objects.count() == 2


@pytest.mark.django_db
def test_an_empty_form_does_not_count_against_the_limit(english, citizen, clock):
    forum = open_forum()
    english.force_login(citizen)
    for _n in range(12):
        assert english.post(comment_url(forum), {}).status_code == 200
    assert english.post(comment_url(forum), form_data()).status_code == 302
