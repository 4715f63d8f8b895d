"""CSRF on every state-changing request: a POST without the token is refused (403) and changes nothing.

The endpoints are those of the URL × role matrix (tests/security/test_url_matrix.py) whose POST some
role may use; each is posted, without the token, by every role the matrix lets in. Where an empty form
would change nothing anyway, PAYLOADS holds a form that does change data when the token is sent
(`test_with_the_token_the_same_payloads_do_change_data` proves it for the workflow's and the sign-up's
forms), so "nothing changed" means something.
"""

from __future__ import annotations

import pytest
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.core.cache import cache
from django.test import Client

from commitments.models import Commitment, Criterion, Review, ReviewNote, Score, Status, Transition
from consultations.models import Contribution, Flag, Follow, ModerationAction, Support
from paga.models import User
from tests.security.test_url_matrix import (
    C1,
    C3,
    DRAFT,
    MATRIX,
    REFUSED_POST,
    ROLES,
    concrete,
    counts,
    make_targets,
)

pytestmark = pytest.mark.django_db

TOKEN = "CsrfTokenForTheControlTests00001"  # a 32-character secret, as the cookie holds it
PASSWORD = "clave-de-prueba-2017"

# (route, target) -> a form that changes data when the token is sent.
PAYLOADS: dict[tuple[str, str], dict[str, str]] = {
    ("gestion/compromisos/<int:pk>/estado/", DRAFT): {
        "estado-to": Status.IN_CONSULTATION,
        "estado-reason": "Foro",
    },
    ("gestion/compromisos/<int:pk>/puntuar/", C3): {f"score_{c.value}": "2" for c in Criterion},
    ("gestion/compromisos/<int:pk>/puntuar/", DRAFT): {f"score_{c.value}": "3" for c in Criterion},
    ("revision/<int:pk>/", C3): {"action": "note", "note-text": "Nota interna: plazos por confirmar"},
    ("revision/<int:pk>/", DRAFT): {"action": "note", "note-text": "Nota interna sobre el borrador"},
    ("cuenta/signup/", ""): {
        "display_name": "Rosa Quispe Ñahui",
        "email": "rosa@example.pe",
        "password1": PASSWORD,
        "password2": PASSWORD,
        "consent": "on",
    },
    ("cuenta/password/reset/", ""): {"email": "secretaria@cocrea.example"},
    ("consultas/aportes/<int:pk>/reportar/", C1): {"reason": "spam"},
    ("gestion/consultas/moderacion/aportes/<int:pk>/ocultar/", C1): {"ocultar-reason": "Datos personales"},
    ("gestion/consultas/moderacion/aportes/<int:pk>/bloquear/", C1): {"bloquear-reason": "Spam reiterado"},
}
# POST endpoints without CSRF, each with its reason (and its own test).
CSRF_EXEMPT = {
    "avisos/baja/<str:token>/": "RFC 8058 one-click unsubscribe: a mail client posts without a token; the "
    "signed token in the URL authorises it (tests/paga/test_unsubscribe.py)",
}


def counts_here() -> dict[str, int]:
    """The audited rows, plus what a one-button form creates (a support, a follow)."""
    return counts() | {"Support": Support.objects.count(), "Follow": Follow.objects.count()}


def state_changing() -> list[tuple[str, str, tuple[str, ...]]]:
    """(route, target, roles allowed to POST) for every endpoint of the matrix that accepts a POST."""
    endpoints = []
    for route, by_target in MATRIX.items():
        for target, by_method in by_target.items():
            allowed = tuple(
                role
                for role, token in zip(ROLES, by_method["POST"].split(), strict=True)
                if token not in REFUSED_POST
            )
            if allowed and route not in CSRF_EXEMPT:
                endpoints.append((route, target, allowed))
    return endpoints


ENDPOINTS = state_changing()


def signed_in(request, role: str) -> Client:
    client = Client(enforce_csrf_checks=True)
    if role != "anonymous":
        client.force_login(request.getfixturevalue(role))
    return client


def test_the_csrf_sweep_covers_the_forms_of_every_part_of_the_portal():
    routes = {route for route, _target, _roles in ENDPOINTS}
    assert {
        "gestion/compromisos/<int:pk>/editar/",
        "gestion/compromisos/<int:pk>/estado/",
        "revision/<int:pk>/",
        "cuenta/login/",
        "cuenta/logout/",
        "cuenta/signup/",
        "cuenta/password/change/",
        "administracion/paga/timelinestage/",
    } <= routes
    assert set(PAYLOADS) <= {(route, target) for route, target, _roles in ENDPOINTS}
    assert sum(len(roles) for _route, _target, roles in ENDPOINTS) >= 100


@pytest.mark.parametrize(
    ("route", "target", "roles"),
    ENDPOINTS,
    ids=[f"{route or '/'} {target}".strip() for route, target, _ in ENDPOINTS],
)
def test_a_post_without_the_csrf_token_is_refused_and_changes_nothing(
    route, target, roles, request, example_plan
):
    path = concrete(route, target, make_targets(example_plan))
    data = PAYLOADS.get((route, target), {})
    for role in roles:
        cache.clear()  # allauth's rate limits live in the cache
        client = signed_in(request, role)
        before = counts_here()
        response = client.post(path, data)
        assert response.status_code == 403, f"POST {path} as {role} without the token: {response.status_code}"
        assert counts_here() == before, f"POST {path} as {role} without the token changed data"
        if role != "anonymous":
            assert client.session.get(SESSION_KEY), f"POST {path} as {role} without the token signed out"
        assert settings.LANGUAGE_COOKIE_NAME not in response.cookies


@pytest.mark.parametrize("role", [role for role in ROLES if role != "anonymous"])
def test_logout_requires_the_csrf_token(role, request):
    client = signed_in(request, role)
    assert client.post("/cuenta/logout/").status_code == 403
    assert client.session.get(SESSION_KEY)
    client.cookies[settings.CSRF_COOKIE_NAME] = TOKEN
    assert client.post("/cuenta/logout/", {"csrfmiddlewaretoken": TOKEN}).status_code == 302
    assert not client.session.get(SESSION_KEY)


def test_with_the_token_the_same_payloads_do_change_data(example_plan, secretariat, reviewer):
    """Control: the forms posted without a token above are ones that change data when it is sent."""
    targets = make_targets(example_plan)
    draft = Commitment.objects.get(slug=targets[DRAFT]["<str:key>"])

    def post(role_user: User | None, route: str, target: str) -> int:
        client = Client(enforce_csrf_checks=True)
        if role_user is not None:
            client.force_login(role_user)
        client.cookies[settings.CSRF_COOKIE_NAME] = TOKEN
        data = PAYLOADS[(route, target)] | {"csrfmiddlewaretoken": TOKEN}
        return client.post(concrete(route, target, targets), data).status_code

    assert post(secretariat, "gestion/compromisos/<int:pk>/estado/", DRAFT) == 302
    draft.refresh_from_db()
    assert draft.status == Status.IN_CONSULTATION
    assert Transition.objects.filter(commitment=draft, to_status=Status.IN_CONSULTATION).exists()

    assert post(secretariat, "gestion/compromisos/<int:pk>/puntuar/", DRAFT) == 302
    assert Score.objects.filter(commitment=draft).count() == len(Criterion)

    assert post(reviewer, "revision/<int:pk>/", C3) == 302
    assert ReviewNote.objects.filter(commitment__number=3, author=reviewer).count() == 1

    users = User.objects.count()
    cache.clear()
    assert post(None, "cuenta/signup/", "") == 302
    assert User.objects.count() == users + 1
    assert Review.objects.filter(commitment__number=3, decision="").count() == 1

    c1 = Contribution.objects.get(pk=targets[C1]["<int:pk>"])
    citizen = User.objects.get(email="ciudadana@cocrea.example")  # Rosa reports Julio's comment
    assert post(citizen, "consultas/aportes/<int:pk>/reportar/", C1) == 302
    assert Flag.objects.filter(contribution=c1, user=citizen).exists()
    assert post(secretariat, "gestion/consultas/moderacion/aportes/<int:pk>/ocultar/", C1) == 302
    assert ModerationAction.objects.filter(contribution=c1, action="ocultar").exists()
    assert post(secretariat, "gestion/consultas/moderacion/aportes/<int:pk>/bloquear/", C1) == 302
    assert ModerationAction.objects.filter(person=c1.author, action="bloquear").exists()
