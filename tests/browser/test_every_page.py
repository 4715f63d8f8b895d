"""Every page of the portal in real Chromium, with the PAGA 2017-2019 example loaded, at 360 × 740 and at
1280 × 800: 0 axe violations (wcag2a, wcag2aa, wcag21a, wcag21aa), nothing wider than the window (but a
table in its own scrolling box), no request to another host. The 404, 403 and 400 pages are checked too.

The pages come from the URL resolver, as in the URL × role sweep (tests/security/test_url_matrix.py,
whose concrete values for the patterns' parameters this test reuses): every route is either in PAGES,
with the role that visits it and the targets that fill its parameters, or in NOT_PAGES with the reason
it is no HTML page to check. A new route in neither fails `test_every_route_is_visited_or_excused`.

Each role has one browser session (the Secretaría's walk, the longest, one per part: PARTS), signed in
once through the real form (staff with the code of their authenticator app): anonymous for the public
pages, Julio (the example's citizen, author of a comment) for a citizen's pages, the Secretaría for
/gestion/, MINAM's reviewer for /revision/, the administrator for the audit log and the back office. The
pages of the authenticator app's settings come last, after confirming the password again as allauth asks.
The table of pages visited is printed.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest

from tests.browser.conftest import (
    AUTHENTICATE_PATH,
    STICKING_OUT,
    VIEWPORTS,
    RequestLog,
    at_both_sizes,
    axe_violations,
    fresh_totp_code,
)
from tests.security.test_url_matrix import (
    ATU,
    C1,
    C3,
    DRAFT,
    EXCLUDED,
    FORUM,
    NONE,
    PARAGRAPH,
    REGISTRATION,
    REPORT,
    TABLE,
    WORKSHOP,
    concrete,
    make_targets,
    url_patterns,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

ANONYMOUS, CITIZEN, SECRETARIAT, REVIEWER, ADMINISTRATOR = (
    "anonymous",
    "citizen",
    "secretariat",
    "reviewer",
    "administrator",
)
# The example's accounts (paga/example.py), one per role; the staff among them get an authenticator app.
ACCOUNTS = {
    CITIZEN: "ciudadano@cocrea.example",
    SECRETARIAT: "secretaria@cocrea.example",
    REVIEWER: "revisor.minam@cocrea.example",
    ADMINISTRATOR: "admin@cocrea.example",
}
ROLES = (ANONYMOUS, CITIZEN, SECRETARIAT, REVIEWER, ADMINISTRATOR)
AS_OF = "2017-09-25"  # a day with a stage in progress, so every state is on the pages (as test_weight)

# Targets of this test beyond the URL sweep's: rows the example lacks, made by `page_targets`.
UNSUBSCRIBE, TEMPLATE, FUTURE_WORKSHOP, PLAN_DRAFT, RESET_KEY, CONFIRM_KEY = (
    "Julio's unsubscribe link",
    "a response template",
    "a workshop open for registration",
    "a draft of the plan",
    "a password reset link",
    "an email confirmation link",
)


@dataclass(frozen=True)
class Visit:
    role: str
    targets: tuple[str, ...] = (NONE,)
    # Pages allauth shows only within minutes of confirming the password again: visited last, after that.
    after_reauthentication: bool = False
    during_sign_in: bool = False  # the sign-in's own steps, checked on the way


PAGES: dict[str, Visit] = {
    # --- paga ---
    "": Visit(ANONYMOUS),
    "cronograma/": Visit(ANONYMOUS),
    "privacidad/": Visit(ANONYMOUS),
    "planes/": Visit(ANONYMOUS),
    "cumplimiento/": Visit(ANONYMOUS),
    "avisos/baja/<str:token>/": Visit(ANONYMOUS, (UNSUBSCRIBE,)),
    "mis-datos/": Visit(CITIZEN),
    "mis-datos/eliminar-cuenta/": Visit(CITIZEN),
    "gestion/auditoria/": Visit(ADMINISTRATOR),
    # --- commitments ---
    "compromisos/": Visit(ANONYMOUS),
    "compromisos/matriz/": Visit(ANONYMOUS),
    "compromisos/ranking/": Visit(ANONYMOUS),
    "compromisos/<str:key>/": Visit(ANONYMOUS, (C3,)),
    "compromisos/<str:key>/historial/diff/": Visit(ANONYMOUS, (C3,)),
    "gestion/compromisos/": Visit(SECRETARIAT),
    "gestion/compromisos/nuevo/": Visit(SECRETARIAT),
    "gestion/compromisos/consolidar/fusionar/": Visit(SECRETARIAT),
    "gestion/compromisos/<int:pk>/editar/": Visit(SECRETARIAT, (C3, DRAFT)),
    "gestion/compromisos/<int:pk>/asignar/": Visit(SECRETARIAT, (C3,)),
    "gestion/compromisos/<int:pk>/dividir/": Visit(SECRETARIAT, (C3,)),
    "gestion/compromisos/<int:pk>/puntuar/": Visit(SECRETARIAT, (C3,)),
    "revision/": Visit(REVIEWER),
    "revision/<int:pk>/": Visit(REVIEWER, (C3,)),
    # --- the plan ---
    "plan/": Visit(ANONYMOUS),
    "gestion/plan/": Visit(SECRETARIAT),
    "gestion/plan/<int:number>/": Visit(SECRETARIAT, (PLAN_DRAFT,)),
    "gestion/plan/<int:number>/vista-previa/": Visit(SECRETARIAT, (PLAN_DRAFT,)),
    "gestion/plan/<int:number>/congelar/": Visit(SECRETARIAT, (PLAN_DRAFT,)),
    "gestion/plan/<int:number>/aprobar/": Visit(SECRETARIAT, (PLAN_DRAFT,)),
    # --- consultations ---
    "consultas/": Visit(ANONYMOUS),
    "consultas/<slug:slug>/": Visit(ANONYMOUS, (FORUM, REPORT)),
    "consultas/<slug:slug>/parrafos/<slug:key>/": Visit(ANONYMOUS, (PARAGRAPH,)),
    "consultas/<slug:slug>/respuestas/": Visit(ANONYMOUS, (FORUM,)),
    "datos/": Visit(ANONYMOUS),
    "datos/diccionario/": Visit(ANONYMOUS),
    "consultas/<slug:slug>/propuestas/<int:pk>/comentar/": Visit(CITIZEN, (ATU,)),
    "consultas/<slug:slug>/parrafos/<slug:key>/comentar/": Visit(CITIZEN, (PARAGRAPH,)),
    "consultas/<slug:slug>/comentar/": Visit(CITIZEN, (REPORT,)),
    "consultas/aportes/<int:pk>/responder/": Visit(CITIZEN, (C1,)),
    "consultas/aportes/<int:pk>/reportar/": Visit(CITIZEN, (C1,)),
    "consultas/aportes/<int:pk>/editar/": Visit(CITIZEN, (C1,)),  # Julio wrote C1
    "consultas/aportes/<int:pk>/apoyar/": Visit(CITIZEN, (C1,)),
    "consultas/apoyar/<int:pk>/": Visit(CITIZEN, (ATU,)),
    "mis-aportes/": Visit(CITIZEN),
    "gestion/consultas/": Visit(SECRETARIAT),
    "gestion/consultas/moderacion/": Visit(SECRETARIAT),
    "gestion/consultas/moderacion/registro/": Visit(SECRETARIAT),
    "gestion/consultas/moderacion/bloqueos/": Visit(SECRETARIAT),
    "gestion/consultas/moderacion/aportes/<int:pk>/": Visit(SECRETARIAT, (C1,)),
    "gestion/consultas/plantillas/": Visit(SECRETARIAT),
    "gestion/consultas/plantillas/nueva/": Visit(SECRETARIAT),
    "gestion/consultas/plantillas/<int:pk>/editar/": Visit(SECRETARIAT, (TEMPLATE,)),
    "gestion/consultas/aportes/<int:pk>/responder/": Visit(SECRETARIAT, (C1,)),
    "gestion/consultas/<slug:slug>/otros-canales/nuevo/": Visit(SECRETARIAT, (FORUM,)),
    "gestion/consultas/<slug:slug>/respuestas/": Visit(SECRETARIAT, (FORUM,)),
    "gestion/consultas/<slug:slug>/respuestas/publicar/": Visit(SECRETARIAT, (FORUM,)),
    # --- workshops ---
    "talleres/": Visit(ANONYMOUS),
    "talleres/calendario/": Visit(ANONYMOUS),
    "talleres/<slug:slug>/": Visit(ANONYMOUS, (WORKSHOP, FUTURE_WORKSHOP)),
    "talleres/<slug:slug>/inscripcion/": Visit(ANONYMOUS, (WORKSHOP, FUTURE_WORKSHOP)),
    "talleres/inscripcion/<uuid:key>/confirmar/": Visit(ANONYMOUS, (REGISTRATION,)),
    "talleres/inscripcion/<uuid:key>/cancelar/": Visit(ANONYMOUS, (REGISTRATION,)),
    "repositorio/": Visit(ANONYMOUS),
    "participacion/": Visit(ANONYMOUS),
    "foro-multiactor/": Visit(ANONYMOUS),
    # --- implementation ---
    "seguimiento/": Visit(ANONYMOUS),
    "seguimiento/diccionario/": Visit(ANONYMOUS),
    "revision/seguimiento/": Visit(REVIEWER),
    "gestion/seguimiento/": Visit(SECRETARIAT),
    "gestion/seguimiento/autoevaluacion/": Visit(SECRETARIAT),
    "gestion/talleres/": Visit(SECRETARIAT),
    "gestion/talleres/nuevo/": Visit(SECRETARIAT),
    "gestion/talleres/documentos/": Visit(SECRETARIAT),
    "gestion/talleres/documentos/nuevo/": Visit(SECRETARIAT),
    "gestion/talleres/<slug:slug>/": Visit(SECRETARIAT, (WORKSHOP, FUTURE_WORKSHOP)),
    "gestion/talleres/<slug:slug>/editar/": Visit(SECRETARIAT, (WORKSHOP,)),
    "gestion/talleres/<slug:slug>/asistencia/": Visit(SECRETARIAT, (WORKSHOP,)),
    "gestion/talleres/<slug:slug>/aportes/": Visit(SECRETARIAT, (WORKSHOP,)),
    "gestion/talleres/<slug:slug>/aportes/nuevo/": Visit(SECRETARIAT, (WORKSHOP,)),
    "gestion/talleres/<slug:slug>/aportes/importar/": Visit(SECRETARIAT, (WORKSHOP,)),
    "gestion/talleres/<slug:slug>/propuestas/": Visit(SECRETARIAT, (TABLE,)),
    "gestion/talleres/<slug:slug>/propuestas/nueva/": Visit(SECRETARIAT, (TABLE,)),
    "gestion/talleres/<slug:slug>/decisiones/": Visit(SECRETARIAT, (TABLE,)),
    "gestion/talleres/<slug:slug>/decisiones/<int:pk>/": Visit(SECRETARIAT, (TABLE,)),
    # --- accounts (django-allauth, our templates) and two-step verification ---
    "cuenta/login/": Visit(ANONYMOUS),
    "cuenta/signup/": Visit(ANONYMOUS),
    "cuenta/inactive/": Visit(ANONYMOUS),
    "cuenta/confirm-email/": Visit(ANONYMOUS),
    "cuenta/^confirm-email/(?P<key>[-:\\w]+)/$": Visit(ANONYMOUS, (CONFIRM_KEY,)),
    "cuenta/password/reset/": Visit(ANONYMOUS),
    "cuenta/password/reset/done/": Visit(ANONYMOUS),
    "cuenta/^password/reset/key/(?P<uidb36>[0-9A-Za-z]+)-(?P<key>.+)/$": Visit(ANONYMOUS, (RESET_KEY,)),
    "cuenta/password/reset/key/done/": Visit(ANONYMOUS),
    "cuenta/logout/": Visit(CITIZEN),
    "cuenta/email/": Visit(CITIZEN),
    "cuenta/password/change/": Visit(CITIZEN),
    "cuenta/reauthenticate/": Visit(CITIZEN),
    "cuenta/reauthenticate/code/": Visit(CITIZEN),
    "cuenta/2fa/": Visit(CITIZEN),
    "cuenta/2fa/totp/activate/": Visit(CITIZEN, after_reauthentication=True),
    # Staff have an authenticator app: the code at sign-in, and its management pages.
    "cuenta/2fa/authenticate/": Visit(SECRETARIAT, during_sign_in=True),
    "cuenta/2fa/reauthenticate/": Visit(SECRETARIAT),
    "cuenta/2fa/totp/deactivate/": Visit(SECRETARIAT, after_reauthentication=True),
    "cuenta/2fa/recovery-codes/": Visit(SECRETARIAT, after_reauthentication=True),
    "cuenta/2fa/recovery-codes/generate/": Visit(SECRETARIAT, after_reauthentication=True),
    # --- the Django admin: its index and one changelist stand for the rest (see NOT_PAGES) ---
    "administracion/": Visit(ADMINISTRATOR),
    "administracion/paga/timelinestage/": Visit(ADMINISTRATOR),
}

DATA = "a data file, not a page (its content type is checked in the app's view tests)"
CALENDAR = "an iCalendar file, not a page"
DOWNLOAD = "a file download, not a page"
POST_ONLY = "POST only: the form that posts here is on a page visited here (a GET answers 405)"
REDIRECT = "a redirect: where it goes is a page visited here"
PAGE_ALONE = "a page the example cannot reach (see the reason)"
NOT_PAGES: dict[str, str] = {
    "salud/": "the load balancer's liveness probe: plain text, not a page",
    "cronograma.ics": CALENDAR,
    "talleres.ics": CALENDAR,
    "talleres/<slug:slug>.ics": CALENDAR,
    "mis-datos/descargar.json": DATA,
    "gestion/auditoria.csv": DATA,
    "consultas/<slug:slug>/respuestas.csv": DATA,
    "consultas/<slug:slug>/respuestas.json": DATA,
    "datos/aportes.csv": DATA,
    "datos/aportes.json": DATA,
    "seguimiento/avance.csv": DATA,
    "seguimiento/avance.json": DATA,
    "seguimiento/hitos.ics": CALENDAR,
    "seguimiento/evidencias/<int:pk>/": DOWNLOAD,
    "revision/seguimiento/evidencias/<int:pk>/": DOWNLOAD,
    "revision/seguimiento/hitos/<int:pk>/": PAGE_ALONE
    + ": the example's plan has no approved version, so no milestone to report on (its report form, history"
    " and errors are visited in tests/implementation/test_views.py)",
    "gestion/seguimiento/informes/<int:pk>/": PAGE_ALONE
    + ": the example has no progress report to validate (tests/implementation/test_views.py)",
    **dict.fromkeys(
        [
            "gestion/seguimiento/autoevaluacion/<int:pk>/",
            "gestion/seguimiento/autoevaluacion/<int:pk>/secciones/<slug:key>/",
            "gestion/seguimiento/autoevaluacion/<int:pk>/publicar/",
            "gestion/seguimiento/autoevaluacion/<int:pk>/finalizar/",
            "seguimiento/autoevaluacion/<slug:kind>/",
        ],
        PAGE_ALONE + ": the example has no self-assessment (it needs an approved version); each page is"
        " visited with axe at both widths in tests/browser/test_self_assessment.py",
    ),
    "seguimiento/autoevaluacion/<slug:kind>/pdf/": DOWNLOAD,
    "gestion/talleres/<slug:slug>/inscripciones.csv": DATA,
    "gestion/talleres/<slug:slug>/aportes/plantilla.csv": DATA,
    "plan/versiones/<int:number>/<str:kind>.pdf": DOWNLOAD,
    "repositorio/<int:pk>/descargar/": DOWNLOAD,
    "gestion/consultas/aportes/<int:pk>/adjunto/": DOWNLOAD,
    "cuenta/2fa/recovery-codes/download/": DOWNLOAD,
    "mis-datos/consentimiento/": POST_ONLY,
    "gestion/compromisos/<int:pk>/estado/": POST_ONLY,
    "gestion/plan/nueva/": POST_ONLY,
    "gestion/plan/documentos/<int:pk>/reintentar/": POST_ONLY,
    "gestion/consultas/moderacion/bloqueos/<int:pk>/levantar/": POST_ONLY,
    "gestion/consultas/moderacion/aportes/<int:pk>/ocultar/": POST_ONLY,
    "gestion/consultas/moderacion/aportes/<int:pk>/restaurar/": POST_ONLY,
    "gestion/consultas/moderacion/aportes/<int:pk>/descartar/": POST_ONLY,
    "gestion/consultas/moderacion/aportes/<int:pk>/bloquear/": POST_ONLY,
    "seguir/<int:pk>/": POST_ONLY,
    "seguir/<int:pk>/dejar/": POST_ONLY,
    "gestion/talleres/<slug:slug>/realizado/": POST_ONLY,
    "gestion/talleres/<slug:slug>/cancelar/": POST_ONLY,
    "gestion/talleres/<slug:slug>/reprogramar/": POST_ONLY,
    "gestion/talleres/<slug:slug>/asistencia/registrar/": POST_ONLY,
    "gestion/talleres/<slug:slug>/asistencia/sin-inscripcion/": POST_ONLY,
    "gestion/talleres/<slug:slug>/asistencia/<int:pk>/quitar/": POST_ONLY,
    "gestion/talleres/<slug:slug>/propuestas/<int:pk>/desvincular/": POST_ONLY,
    "consultas/aportes/<int:pk>/": REDIRECT,
    "idioma/": REDIRECT,
    "cuenta/password/set/": REDIRECT + " (every account here has a password: to the change form)",
    "cuenta/login/code/confirm/": REDIRECT + " (sign-in by emailed code is off: to the home page)",
    "cuenta/reauthenticate/code/confirm/": REDIRECT + " (without a code requested: to the request page)",
    "plan/versiones/<int:number>/": PAGE_ALONE
    + ": only approved versions are public, and approving renders the PDFs; the same template "
    "(commitments/plan/public.html) is checked with axe in tests/browser/test_plan.py",
    # The rest of the Django admin: its own templates, the same for every model; the index and one
    # changelist above stand for them (the URL sweep names each of these routes).
    **{
        route: "Django admin: " + reason
        for route, reason in EXCLUDED.items()
        if route.startswith("administracion")
    },
}
# Where a page's link lands when it is not the link itself: allauth puts a reset key in the session and
# shows the form at a URL without it.
LANDS = {
    "cuenta/^password/reset/key/(?P<uidb36>[0-9A-Za-z]+)-(?P<key>.+)/$": lambda path: (
        path.split("-", 1)[0] + "-set-password/"
    ),
}


def _itself(path: str) -> str:
    return urlsplit(path).path


# Error pages are no route of their own: each is reached through a route and checked as its role sees it.
ERROR_PAGES = (
    ("404 page", ANONYMOUS, "/no-existe/", 404),
    ("403 page", CITIZEN, "/gestion/compromisos/", 403),
    ("400 page", ANONYMOUS, "/avisos/baja/malo/", 400),
)


def page_targets(plan) -> dict[str, dict[str, str]]:
    """The sweep's targets (commitment 3, an MTC draft, a registration...) and this test's own."""
    from allauth.account.forms import default_token_generator
    from allauth.account.models import EmailAddress, EmailConfirmationHMAC
    from allauth.account.utils import user_pk_to_url_str

    from commitments import plan_services
    from commitments.models import Commitment
    from consultations.models import Disposition, ResponseTemplate
    from paga.models import EmailOptOut, User
    from paga.services import unsubscribe_token

    targets = make_targets(plan)
    julio = User.objects.get(email=ACCOUNTS[CITIZEN])
    secretariat = User.objects.get(email=ACCOUNTS[SECRETARIAT])
    template = ResponseTemplate.objects.create(
        title="Incorporado «Ñandú»", disposition=Disposition.values[0], text="Gracias por su aporte."
    )
    draft = plan_services.create_draft(plan=plan, actor=secretariat)
    plan_services.set_items(
        version=draft,
        commitment_ids=list(
            Commitment.objects.filter(plan=plan, number__isnull=False).values_list("pk", flat=True)
        ),
        actor=secretariat,
    )
    rosa = User.objects.get(email="ciudadana@cocrea.example")
    unconfirmed = EmailAddress.objects.create(user=rosa, email="rosa.nueva@cocrea.test", verified=False)
    return {
        **targets,
        UNSUBSCRIBE: {"<str:token>": unsubscribe_token(user=julio, kind=EmailOptOut.Kind.REPLY)},
        TEMPLATE: {"<int:pk>": str(template.pk)},
        FUTURE_WORKSHOP: {"<slug:slug>": "taller-de-prueba"},
        PLAN_DRAFT: {"<int:number>": str(draft.number)},
        RESET_KEY: {
            "^password/reset/key/(?P<uidb36>[0-9A-Za-z]+)-(?P<key>.+)/$": (
                f"password/reset/key/{user_pk_to_url_str(rosa)}-{default_token_generator.make_token(rosa)}/"
            )
        },
        CONFIRM_KEY: {
            "^confirm-email/(?P<key>[-:\\w]+)/$": f"confirm-email/{EmailConfirmationHMAC(unconfirmed).key}/"
        },
    }


def paths(
    role: str, targets: dict[str, dict[str, str]], *, after_reauthentication: bool
) -> list[tuple[str, str]]:
    """(route, path) of every page `role` visits by following a link, before or after reauthenticating."""
    return [
        (route, concrete(route, target, targets))
        for route, visit in PAGES.items()
        if visit.role == role
        and not visit.during_sign_in
        and visit.after_reauthentication == after_reauthentication
        for target in visit.targets
    ]


def public_pages(targets: dict[str, dict[str, str]]) -> dict[str, str]:
    """Every public page of the enumeration, named by its route (and target): what test_weight weighs."""
    return {
        f"{route or '/'} [{target}]" if target else route or "/": concrete(route, target, targets)
        for route, visit in PAGES.items()
        if visit.role == ANONYMOUS
        for target in visit.targets
    }


def test_every_route_is_visited_or_excused():
    routes = url_patterns()
    missing = [r for r in routes if r not in PAGES and r not in NOT_PAGES]
    assert missing == [], f"a new URL pattern: add it to PAGES (with its role) or NOT_PAGES (why): {missing}"
    assert sorted(set(PAGES) & set(NOT_PAGES)) == []
    assert sorted((set(PAGES) | set(NOT_PAGES)) - set(routes)) == []
    assert all(reason.strip() for reason in NOT_PAGES.values())
    assert {visit.role for visit in PAGES.values()} == set(ROLES)
    # The parts of a walk visit each of the role's pages once between them.
    for role, parts in PARTS.items():
        shared = [step for part in range(parts) for step in share(role, part, parts)[0]]
        assert shared == share(role)[0]
        assert all(share(role, part, parts)[0] for part in range(parts))


def _prepare_accounts() -> None:
    """The example accounts with a known password; the staff among them with an authenticator app."""
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
    from allauth.mfa.totp.internal.auth import TOTP
    from django.core.cache import cache

    from paga.models import User
    from paga.staff_security import is_staff_member
    from tests.factories import PASSWORD, TOTP_SECRET

    cache.clear()  # allauth's rate limits and used codes live in the cache, which outlives a test
    for email in ACCOUNTS.values():
        user = User.objects.get(email=email)
        user.set_password(PASSWORD)
        user.save(update_fields=["password"])
        if is_staff_member(user):
            TOTP.activate(user, TOTP_SECRET)
            RecoveryCodes.activate(user)


class Session:
    """One browser context for one role: signed in once, then every page of the role at both sizes."""

    def __init__(self, browser, base_url: str, role: str, rows: list[tuple[str, str, str, int, str]]):
        self.base, self.role, self.rows = base_url, role, rows
        self.context = browser.new_context(viewport=VIEWPORTS["phone"])
        self.page = self.context.new_page()
        self.log = RequestLog(self.page, base_url)
        self.problems: list[str] = []

    def check_here(self, name: str, path: str, status: int) -> None:
        """axe on the page as it is, at each size, and a row of the table."""
        for viewport, size in VIEWPORTS.items():
            self.page.set_viewport_size(size)
            for violation in axe_violations(self.page):
                self.problems.append(f"{path} as {self.role} at {size['width']} px: {violation}")
            self.rows.append((name, path, self.role, status, viewport))

    def visit(self, name: str, path: str, expected: int = 200) -> None:
        for viewport, size, response in at_both_sizes(self.page, self.base + path):
            landed = urlsplit(self.page.url).path
            html = response.headers.get("content-type", "").startswith("text/html")
            if response.status != expected or landed != LANDS.get(name, _itself)(path) or not html:
                self.problems.append(
                    f"{path} as {self.role}: {response.status} {response.headers.get('content-type')} "
                    f"at {self.page.url}"
                )
                return
            for violation in axe_violations(self.page):
                self.problems.append(f"{path} as {self.role} at {size['width']} px: {violation}")
            for wide in self.page.evaluate(STICKING_OUT, size["width"]):
                self.problems.append(
                    f"{path} as {self.role} at {size['width']} px: wider than the window: {wide}"
                )
            self.rows.append((name, path, self.role, response.status, viewport))

    def sign_in(self, email: str) -> None:
        """The real form; staff then type their app's code, on a page checked like the others."""
        from tests.factories import PASSWORD

        self.page.goto(f"{self.base}/cuenta/login/")
        self.page.fill("#id_login", email)
        self.page.fill("#id_password", PASSWORD)
        with self.page.expect_navigation():
            self.page.locator("main form button[type=submit]").click()
        if urlsplit(self.page.url).path == AUTHENTICATE_PATH:
            if PAGES["cuenta/2fa/authenticate/"].role == self.role:
                self.check_here("cuenta/2fa/authenticate/", AUTHENTICATE_PATH, 200)
            self.page.fill("#id_code", fresh_totp_code(email))
            with self.page.expect_navigation():
                self.page.locator("main form button[type=submit]").first.click()
        assert urlsplit(self.page.url).path == "/", f"{email} did not sign in: {self.page.url}"

    def reauthenticate(self) -> None:
        """Confirm the password again, as allauth asks before the authenticator app's settings."""
        from tests.factories import PASSWORD

        self.page.goto(f"{self.base}/cuenta/reauthenticate/?next=/cuenta/2fa/")
        self.page.fill("#id_password", PASSWORD)
        with self.page.expect_navigation():
            self.page.locator("main form button[type=submit]").click()
        assert urlsplit(self.page.url).path == "/cuenta/2fa/", f"not reauthenticated: {self.page.url}"


def _table(rows: list[tuple[str, str, str, int, str]], seconds: float) -> str:
    pages = {(name, path) for name, path, *_ in rows}
    lines = [
        f"Every page, axe (wcag2a, wcag2aa, wcag21a, wcag21aa): {len(pages)} pages × {len(VIEWPORTS)} sizes "
        f"= {len(rows)} checks in {seconds:.0f} s",
        "",
        "| Route | Path | Role | Status | Sizes |",
        "|---|---|---|---:|---|",
    ]
    seen: dict[tuple[str, str, str, int], list[str]] = {}
    for name, path, role, status, viewport in rows:
        seen.setdefault((name, path, role, status), []).append(
            f"{VIEWPORTS[viewport]['width']}×{VIEWPORTS[viewport]['height']}"
        )
    lines += [f"| `{n or '/'}` | `{p}` | {r} | {s} | {', '.join(v)} |" for (n, p, r, s), v in seen.items()]
    return "\n".join(lines) + "\n"


# The walks that take longest, in parts of similar length, so that parallel test processes share them.
PARTS = {SECRETARIAT: 2}


def share(role: str, part: int = 0, parts: int = 1) -> tuple[list[tuple[str, str]], bool]:
    """Part `part` of `parts` of the pages of `role` that a walk visits after signing in: (route, target)
    of its pages, in PAGES' order, then whether it ends with the role's error pages and the pages after
    reauthenticating (the last part)."""
    before = [
        (route, target)
        for route, visit in PAGES.items()
        if visit.role == role and not visit.during_sign_in and not visit.after_reauthentication
        for target in visit.targets
    ]
    last = part == parts - 1
    # The last part also reauthenticates and visits the error pages and those after it: counted as pages.
    tail = (
        1
        + sum(1 for _, error_role, *_ in ERROR_PAGES if error_role == role)
        + sum(
            len(visit.targets)
            for visit in PAGES.values()
            if visit.role == role and visit.after_reauthentication
        )
    )
    size = -(-(len(before) + tail) // parts)
    return before[part * size : len(before) if last else (part + 1) * size], last


def walk(visitor, role: str, targets: dict[str, dict[str, str]], part: int = 0, parts: int = 1) -> None:
    """Every page of `role` through `visitor` (sign_in, visit, reauthenticate): signed in as the role's
    account, its pages, its error pages, then those that ask to confirm the password first; or part
    `part` of `parts` of them (`share`), signed in again for each part. Also used by tests/paga/
    test_valid_html.py, which fetches the same pages without a browser."""
    if role != ANONYMOUS:
        visitor.sign_in(ACCOUNTS[role])
    pages, last = share(role, part, parts)
    for route, target in pages:
        visitor.visit(route, concrete(route, target, targets))
    if not last:
        return
    for name, error_role, path, status in ERROR_PAGES:
        if error_role == role:
            visitor.visit(name, path, status)
    if after := paths(role, targets, after_reauthentication=True):
        visitor.reauthenticate()
        for route, path in after:
            visitor.visit(route, path)


WALKS = [(role, part, PARTS.get(role, 1)) for role in ROLES for part in range(PARTS.get(role, 1))]


# One test per role (or part of a role's walk), so that parallel test processes share the work.
@pytest.mark.parametrize(
    ("role", "part", "parts"),
    WALKS,
    ids=[role if n == 1 else f"{role}, part {k + 1} of {n}" for role, k, n in WALKS],
)
def test_every_page_has_no_axe_violation_at_both_sizes_and_asks_no_other_host(
    browser, live_server, example_plan, settings, capsys, role, part, parts
):
    started = time.monotonic()
    settings.COCREA_AS_OF = AS_OF
    targets = page_targets(example_plan)
    _prepare_accounts()
    rows: list[tuple[str, str, str, int, str]] = []
    session = Session(browser, live_server.url, role, rows)
    walk(session, role, targets, part, parts)
    session.context.close()
    with capsys.disabled():
        print("\n" + _table(rows, time.monotonic() - started))  # noqa: T201 -- the table is the report

    assert session.problems == [], "\n".join(session.problems)
    assert session.log.foreign == []
    visited = {name for name, *_ in rows}
    pages, last = share(role, part, parts)
    mine = {route for route, _ in pages} | {
        name
        for name, visit in PAGES.items()
        if visit.role == role and (visit.during_sign_in or (last and visit.after_reauthentication))
    }
    assert mine
    assert visited >= mine, sorted(mine - visited)
