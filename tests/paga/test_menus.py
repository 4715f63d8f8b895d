"""The header's menus and the footer's links (paga/menus.py): each app declares its entries, paga puts them
in order; every role sees exactly the desks its permissions open, links follow the plan's prefix and
the current page is marked."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from paga import menus, roles
from paga.models import ActionPlan
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PRIVACY = "/privacidad/?a=1&b=%C3%B1"  # a query with characters to encode, in the links back


def _part(html: str, start: str) -> str:
    return html.split(start, 1)[1].split("</nav>", 1)[0]


def _links(part: str) -> list[tuple[str, str]]:
    return re.findall(r'<a href="([^"]+)"(?: aria-current="page")?>([^<]+)</a>', part)


def _page(user=None, path: str = PRIVACY) -> str:
    client = Client()
    if user is not None:
        client.force_login(user)
    response = client.get(path)
    assert response.status_code == 200
    return response.content.decode()


CITIZENS = [("/mis-aportes/", "Mis aportes"), ("/mis-datos/", "Mis datos")]
DESKS = [
    ("/gestion/compromisos/", "Escritorio de la Secretaría"),
    ("/gestion/plan/", "Versiones del plan"),
    ("/gestion/consultas/", "Mesa de consultas"),
    ("/gestion/talleres/", "Gestión de talleres"),
    ("/revision/", "Revisión técnica"),
    ("/gestion/seguimiento/", "Reportes de avance por validar"),
    ("/administracion/", "Administración"),
]


def test_each_role_sees_the_desks_its_permissions_open_and_no_other(
    example_plan, citizen, secretariat, reviewer, administrator
):
    accounts = {
        "citizen": (citizen, CITIZENS),
        "secretariat": (secretariat, CITIZENS + DESKS),
        "reviewer": (
            reviewer,
            [
                *CITIZENS,
                ("/revision/", "Revisión técnica"),
                ("/revision/seguimiento/", "Avance de sus hitos"),
            ],
        ),
        "administrator": (
            administrator,
            [*CITIZENS, *DESKS, ("/gestion/auditoria/", "Registro de auditoría")],
        ),
        # A role without two-step verification is the citizen it also is (paga/rules.py).
        "secretariat without an app": (
            UserFactory(groups=[roles.SECRETARIAT, roles.CITIZEN], is_staff=True, authenticator_app=False),
            CITIZENS,
        ),
        # A reviewer without an entity reviews nothing: no desk.
        "reviewer without an entity": (UserFactory(groups=[roles.REVIEWER, roles.CITIZEN]), CITIZENS),
    }
    for name, (user, expected) in accounts.items():
        nav = _part(_page(user), '<nav class="account-nav"')
        assert _links(nav) == expected, name
        assert '<span class="who">' in nav
        assert re.search(
            r'<form action="/cuenta/logout/" method="post"><input type="hidden" '
            r'name="csrfmiddlewaretoken" value="[A-Za-z0-9]{64}">',
            nav,
        ), name


def test_a_signed_out_visitor_gets_sign_in_back_to_this_page_and_sign_up(example_plan):
    html = _page()
    back = "/privacidad/%3Fa%3D1%26b%3D%25C3%25B1"
    assert _links(_part(html, '<nav class="account-nav"')) == [
        (f"/cuenta/login/?next={back}", "Iniciar sesión"),
        ("/cuenta/signup/", "Crear cuenta"),
    ]
    assert f'<a href="/idioma/?idioma=en&amp;next={back}" lang="en" hreflang="en">English</a>' in html
    assert "csrfmiddlewaretoken" not in html.split("</header>")[0]


def test_the_main_menu_follows_the_cycle_marks_the_page_and_keeps_the_plan_s_prefix(example_plan, citizen):
    main = [
        ("", "Inicio"),
        ("cronograma/", "Cronograma"),
        ("compromisos/", "Compromisos"),
        ("consultas/", "Consultas"),
        ("talleres/", "Talleres"),
        ("repositorio/", "Repositorio"),
        ("participacion/", "Participación"),
        ("plan/", "Plan"),
        ("seguimiento/", "Seguimiento"),
    ]
    html = _page(path="/compromisos/")
    nav = _part(html, '<nav class="main-nav"')
    assert _links(nav) == [(f"/{path}", label) for path, label in main]
    assert nav.count('aria-current="page"') == 1
    assert '<a href="/compromisos/" aria-current="page">Compromisos</a>' in nav
    footer = html.split('<footer class="site-footer">')[1]
    assert [href for href, _label in _links(footer)] == [
        "/privacidad/",
        "/cronograma.ics",
        "/datos/",
        "/cumplimiento/",
    ]

    older = ActionPlan.objects.get(slug="paga-2015-2016")
    prefix = f"/planes/{older.slug}/"
    html = _page(citizen, f"{prefix}cronograma/")
    nav = _part(html, '<nav class="main-nav"')
    assert _links(nav) == [(f"{prefix}{path}", label) for path, label in main]
    assert f'<a href="{prefix}cronograma/" aria-current="page">Cronograma</a>' in nav
    assert [href for href, _label in _links(_part(html, '<nav class="account-nav"'))] == [
        f"{prefix}mis-aportes/",
        f"{prefix}mis-datos/",
    ]
    assert f'<form action="{prefix}cuenta/logout/"' in html
    # And the current plan's page after it: no address kept from the other plan's.
    assert _links(_part(_page(citizen, "/cronograma/"), '<nav class="main-nav"'))[0] == ("/", "Inicio")


def test_the_menus_speak_the_visitor_s_language(example_plan, citizen):
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(citizen)
    html = client.get("/").content.decode()
    assert _links(_part(html, '<nav class="account-nav"')) == [
        ("/mis-aportes/", "My contributions"),
        ("/mis-datos/", "My data"),
    ]
    assert "Sign out</button>" in html
    assert '<a href="/cronograma/">Timeline</a>' in html
    assert 'lang="es" hreflang="es">Español</a>' in html


def test_each_app_declares_its_own_entries_and_paga_names_none():
    declared = {entry.url_name.split(":")[0] for menu in menus.OWN for entry in menus.entries(menu)}
    assert declared == {"paga", "admin", "commitments", "consultations", "workshops", "implementation"}
    assert {entry.url_name.split(":")[0] for menu in menus.OWN.values() for entry in menu} <= {
        "paga",
        "admin",
    }
    base = (Path(settings.BASE_DIR) / "templates" / "base.html").read_text()
    for app in ("commitments", "consultations", "workshops", "implementation"):
        assert f"'{app}:" not in base, app


def test_two_entries_in_one_place_are_refused(monkeypatch):
    menus.entries.cache_clear()
    clash = (menus.Entry(10, "paga:timeline", "Otra vez"),)
    monkeypatch.setitem(menus.OWN, "footer_menu", menus.FOOTER + clash)
    try:
        with pytest.raises(ValueError, match="same number"):
            menus.entries("footer_menu")
    finally:
        monkeypatch.undo()
        menus.entries.cache_clear()
