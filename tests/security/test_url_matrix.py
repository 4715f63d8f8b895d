"""Security sweep: every URL pattern of the portal × every role × GET and POST, against a written matrix.

The matrix below says what each role must get on each concrete URL built from the PAGA 2017-2019
example: commitment 3 (MINAM, in technical review) and a draft proposal led by MTC (not public). A URL
pattern without a row fails `test_every_url_pattern_has_a_permission_row`: a new page needs its row.

Tokens: a status code ("200", "400", "403", "404", "405"), "login" (302 to the sign-in page),
"admin" (302 to the admin's sign-in page), or "→name" (302 to one of REDIRECTS). A POST is an empty
form, with the test client's usual CSRF exemption (tests/security/test_csrf.py checks the token); after
every POST the audited rows must be unchanged, and a role refused on GET must be refused on POST too.
"""

from __future__ import annotations

import datetime
import re

import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.db import connection
from django.db.models import Model
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from commitments import services
from commitments.models import (
    Commitment,
    LineageLink,
    Milestone,
    PlanItem,
    RenderJob,
    Review,
    ReviewNote,
    Score,
    Status,
    Transition,
    ValueRelevance,
    Version,
)
from consultations.models import (
    Block,
    Consultation,
    Contribution,
    ContributionVersion,
    Flag,
    ModerationAction,
    Paragraph,
    Response,
    ResponseTemplate,
)
from implementation.models import Section, SectionVersion, SelfAssessment
from paga import plans
from paga.models import ActionPlan, ActorType, EmailOptOut, Entity, OutboundEmail, TimelineStage, User
from workshops.models import (
    Attendance,
    Document,
    DocumentType,
    Event,
    EventInput,
    EventTransition,
    Forum,
    ForumMember,
    Registration,
    TableDecision,
)

ROLES = (
    "anonymous",
    "citizen",
    "other_citizen",
    "reviewer",
    "other_reviewer",
    "secretariat",
    "administrator",
)
METHODS = ("GET", "POST")
REFUSED = frozenset({"login", "admin", "403", "404"})
REFUSED_POST = REFUSED | {"405"}
REDIRECTS = {
    "home": "/",
    "edit": "/gestion/compromisos/{pk}/editar/",
    "email": "/cuenta/email/",
    "password_change": "/cuenta/password/change/",
    "reauthenticate_code": "/cuenta/reauthenticate/code/",
    "c3": "/compromisos/3/",
    "draft": "/compromisos/borrador-semaforizacion-inteligente-en-lima/",
    # Julio's example comment on the ATU proposal (target C1) has a stable link to its thread.
    "aporte": "/compromisos/creacion-de-la-autoridad-de-transporte-urbano-atu/#aporte-{pk}",
    "atu_thread": "/compromisos/creacion-de-la-autoridad-de-transporte-urbano-atu/#comentarios",
    "plan_draft": "/gestion/plan/1/",  # the example has no plan version: a new draft is number 1
    # Workshops: a registration's links post back to themselves; unlinking a proposal from a table goes
    # back to the table's proposals.
    "reg_confirm": "/talleres/inscripcion/00000000-0000-4000-8000-000000000001/confirmar/",
    "reg_cancel": "/talleres/inscripcion/00000000-0000-4000-8000-000000000001/cancelar/",
    "table_proposals": "/gestion/talleres/mesa-nacional-ambiente-2017/propuestas/",
    "mydata_consents": "/mis-datos/#consentimientos",
    "reauth": "/cuenta/reauthenticate/",  # with ?next= the page asked for
}
# Rows that must not change when a form is posted empty (nor when a POST is refused).
AUDITED: tuple[type[Model], ...] = (
    Commitment,
    Transition,
    Version,
    Review,
    ReviewNote,
    Score,
    LineageLink,
    Milestone,
    ValueRelevance,
    User,
    Group,
    Entity,
    ActionPlan,
    TimelineStage,
    OutboundEmail,
    EmailOptOut,
    Consultation,
    Paragraph,
    Contribution,
    ContributionVersion,
    Flag,
    Block,
    ModerationAction,
    ResponseTemplate,
    Response,
    PlanItem,
    RenderJob,
    Event,
    EventTransition,
    Registration,
    Attendance,
    Document,
    EventInput,
    TableDecision,
    Forum,
    ForumMember,
    SelfAssessment,
    Section,
    SectionVersion,
)
# Not audited: Support, Follow and PlanVersion, which a POST without fields creates by design (the
# support, follow and new-draft buttons are forms with nothing but the token).

# Concrete values for the patterns' parameters: target name -> {converter: value}. Filled per test from
# the example (commitment 3) and the MTC draft made by `make_mtc_draft`.
C3, DRAFT, NONE = "commitment 3", "MTC draft", ""
# Consultations (the example's): the 2017 forum (closed), the self-assessment report consultation
# (closed, PAGA 2015-2016's: asked at that plan's addresses, PLAN_PREFIX) and its paragraph 3, the ATU
# proposal in the forum, Julio's comment on it, a row that does not exist (no block or response template
# in the example), a tampered unsubscribe token.
FORUM, REPORT, PARAGRAPH = "forum 2017", "self-assessment", "paragraph 3"
ATU, C1, MISSING, BAD_TOKEN = "ATU in the forum", "Julio's comment", "no such row", "tampered token"
# The plan (issue 6): the example has no plan version yet, so version pages answer 404 for everyone.
NO_VERSION = "no plan version"
# Workshops (issue 5): the La Libertad workshop of 21.09.2017 (held, no registration) with an attendance
# row that does not exist; the national table on the environment (commitment 3 among its proposals); a
# confirmed registration for a future workshop (fixed key); a document of the repository.
WORKSHOP, TABLE, REGISTRATION, DOCUMENT = "La Libertad workshop", "national table", "registration", "document"
REGISTRATION_KEY = "00000000-0000-4000-8000-000000000001"


def row(anonymous: str, signed_in: str) -> str:
    """A matrix row where every signed-in role gets the same."""
    return " ".join([anonymous] + [signed_in] * (len(ROLES) - 1))


ALL_200 = "200 200 200 200 200 200 200"
ALL_405 = "405 405 405 405 405 405 405"
PUBLIC = {"GET": ALL_200, "POST": ALL_405}
# Columns, in the order of ROLES: anonymous, citizen, other citizen, reviewer of MINAM, reviewer of MTC,
# Secretaría, administrator.
SECRETARIAT_ONLY = "login 403 403 403 403 200 200"
SECRETARIAT_PAGE = {"GET": SECRETARIAT_ONLY, "POST": SECRETARIAT_ONLY}
STAFF_ACCOUNTS_ONLY = "admin admin admin admin admin 200 200"
ADMIN_PAGE = {"GET": STAFF_ACCOUNTS_ONLY, "POST": STAFF_ACCOUNTS_ONLY}
SIGNED_IN_FORM = {"GET": row("login", "200"), "POST": row("login", "200")}
STAFF_FORM_ONLY = "login 403 403 403 403 405 405"  # a page without a form, or an action without a page
STAFF_LIST = {"GET": SECRETARIAT_ONLY, "POST": STAFF_FORM_ONLY}
STAFF_ACTION = {"GET": STAFF_FORM_ONLY, "POST": SECRETARIAT_ONLY}
STAFF_NOT_FOUND = "login 403 403 403 403 404 404"
# Two-step verification: the staff fixtures have an authenticator app (tests/factories.py), citizens none.
MFA_STAFF_ONLY = "login →reauth →reauth 200 200 200 200"
MFA_STAFF_REAUTH = "login 404 404 →reauth →reauth →reauth →reauth"
# The audit log is the check on the Secretaría's own acts: administrators only.
ADMINISTRATOR_LIST = {"GET": "login 403 403 403 403 403 200", "POST": "login 403 403 403 403 403 405"}
STAFF_NOTHING = {"GET": STAFF_NOT_FOUND, "POST": STAFF_NOT_FOUND}
NOBODY_BUT_THE_AUTHOR = "login 403 403 403 403 403 403"
ALL_400 = "400 400 400 400 400 400 400"
ALL_404 = "404 404 404 404 404 404 404"
SELF_ASSESSMENT = "login 403 403 403 403 200 403"
SELF_ASSESSMENT_MISSING = "login 403 403 403 403 404 403"
SELF_ASSESSMENT_NOTHING = {"GET": SELF_ASSESSMENT_MISSING, "POST": SELF_ASSESSMENT_MISSING}
MATRIX: dict[str, dict[str, dict[str, str]]] = {
    # --- paga: public pages ----------------------------------------------------------------------
    "": {NONE: PUBLIC},
    "cronograma/": {NONE: PUBLIC},
    "cronograma.ics": {NONE: PUBLIC},
    "privacidad/": {NONE: PUBLIC},
    "planes/": {NONE: PUBLIC},
    "salud/": {NONE: PUBLIC},
    "cumplimiento/": {NONE: PUBLIC},
    # --- commitments: public pages; a draft is seen by the staff and its lead ministry only (404) ---
    "compromisos/": {NONE: PUBLIC},
    "compromisos/matriz/": {NONE: PUBLIC},
    "compromisos/ranking/": {NONE: PUBLIC},
    "compromisos/<str:key>/": {
        C3: PUBLIC,
        DRAFT: {"GET": "404 404 404 404 200 200 200", "POST": ALL_405},
    },
    "compromisos/<str:key>/historial/diff/": {
        C3: PUBLIC,
        DRAFT: {"GET": "404 404 404 404 200 200 200", "POST": ALL_405},
    },
    # --- commitments: the Secretaría's work (login, then 403 for every other role) -----------------
    "gestion/compromisos/": {NONE: STAFF_LIST},
    "gestion/compromisos/nuevo/": {NONE: SECRETARIAT_PAGE},
    "gestion/compromisos/consolidar/fusionar/": {NONE: SECRETARIAT_PAGE},
    "gestion/compromisos/<int:pk>/editar/": {
        # In technical review the Secretaría may not save the template (403); the administrator, a
        # superuser, may (services.commitment_update lets a superuser edit during the review): the
        # empty form comes back with its errors.
        C3: {"GET": "login 403 403 403 403 200 200", "POST": "login 403 403 403 403 403 200"},
        DRAFT: SECRETARIAT_PAGE,
    },
    "gestion/compromisos/<int:pk>/estado/": {
        C3: {"GET": "login 403 403 403 403 405 405", "POST": "login 403 403 403 403 200 200"},
        DRAFT: {"GET": "login 403 403 403 403 405 405", "POST": "login 403 403 403 403 200 200"},
    },
    "gestion/compromisos/<int:pk>/asignar/": {C3: SECRETARIAT_PAGE, DRAFT: SECRETARIAT_PAGE},
    "gestion/compromisos/<int:pk>/dividir/": {C3: SECRETARIAT_PAGE, DRAFT: SECRETARIAT_PAGE},
    "gestion/compromisos/<int:pk>/puntuar/": {
        # An empty form saves nothing and says so (at least one criterion must be scored).
        C3: {"GET": "login 403 403 403 403 200 200", "POST": "login 403 403 403 403 200 200"},
        DRAFT: {"GET": "login 403 403 403 403 200 200", "POST": "login 403 403 403 403 200 200"},
    },
    # --- commitments: the ministries' technical review -------------------------------------------
    "revision/": {NONE: {"GET": "login 403 403 200 200 200 200", "POST": "login 405 405 405 405 405 405"}},
    "revision/<int:pk>/": {
        # Another ministry's commitment is not found (404); a POST without an action is a bad request.
        C3: {"GET": "login 403 403 200 404 200 200", "POST": "login 403 403 400 404 400 400"},
        # A ministry sees the drafts it leads (rules.py: view_notes = staff | ministry).
        DRAFT: {"GET": "login 403 403 404 200 200 200", "POST": "login 403 403 404 400 400 400"},
    },
    # --- consultations: public pages (closed consultations: forms answer with the dates) ----------
    "consultas/": {NONE: PUBLIC},
    "consultas/<slug:slug>/": {FORUM: PUBLIC, REPORT: PUBLIC},
    "consultas/<slug:slug>/parrafos/<slug:key>/": {PARAGRAPH: PUBLIC},
    "consultas/<slug:slug>/respuestas/": {FORUM: PUBLIC},
    "consultas/<slug:slug>/respuestas.csv": {FORUM: PUBLIC},
    "consultas/<slug:slug>/respuestas.json": {FORUM: PUBLIC},
    "datos/": {NONE: PUBLIC},
    "datos/aportes.csv": {NONE: PUBLIC},
    "datos/aportes.json": {NONE: PUBLIC},
    "datos/diccionario/": {NONE: PUBLIC},
    # A stable link to a contribution: to its place in the thread.
    "consultas/aportes/<int:pk>/": {C1: {"GET": row("→aporte", "→aporte"), "POST": ALL_405}},
    # --- consultations: taking part (sign in first; an empty form comes back with its errors) ------
    "consultas/<slug:slug>/propuestas/<int:pk>/comentar/": {ATU: SIGNED_IN_FORM},
    "consultas/<slug:slug>/parrafos/<slug:key>/comentar/": {PARAGRAPH: SIGNED_IN_FORM},
    "consultas/<slug:slug>/comentar/": {REPORT: SIGNED_IN_FORM},
    "consultas/aportes/<int:pk>/responder/": {C1: SIGNED_IN_FORM},
    "consultas/aportes/<int:pk>/reportar/": {C1: SIGNED_IN_FORM},
    # Only the author edits (Julio is none of the roles here).
    "consultas/aportes/<int:pk>/editar/": {C1: {"GET": NOBODY_BUT_THE_AUTHOR, "POST": NOBODY_BUT_THE_AUTHOR}},
    # Supporting and following are one-button forms: the POST itself is the act. The example's forum closed
    # in 2017, so a support is refused on the page, with the window (tests/consultations/test_item_states.py).
    "consultas/aportes/<int:pk>/apoyar/": {C1: {"GET": row("login", "200"), "POST": row("login", "200")}},
    "consultas/apoyar/<int:pk>/": {ATU: {"GET": row("login", "200"), "POST": row("login", "200")}},
    "seguir/<int:pk>/": {
        C3: {"GET": row("login", "405"), "POST": row("login", "→c3")},
        DRAFT: {"GET": row("login", "405"), "POST": "login 404 404 404 →draft →draft →draft"},
    },
    "seguir/<int:pk>/dejar/": {
        C3: {"GET": row("login", "405"), "POST": row("login", "→c3")},
        DRAFT: {"GET": row("login", "405"), "POST": "login 404 404 404 →draft →draft →draft"},
    },
    "mis-aportes/": {NONE: {"GET": row("login", "200"), "POST": row("login", "405")}},
    # A tampered unsubscribe link: a clear 400 page, for everyone (the signed token is the authority).
    "avisos/baja/<str:token>/": {BAD_TOKEN: {"GET": ALL_400, "POST": ALL_400}},
    # --- consultations: the Secretaría's moderation and responses ------------------------------
    "gestion/consultas/": {NONE: STAFF_LIST},
    "gestion/consultas/moderacion/": {NONE: STAFF_LIST},
    "gestion/consultas/moderacion/registro/": {NONE: STAFF_LIST},
    "gestion/consultas/moderacion/bloqueos/": {NONE: STAFF_LIST},
    "gestion/consultas/moderacion/bloqueos/<int:pk>/levantar/": {
        MISSING: {"GET": STAFF_FORM_ONLY, "POST": STAFF_NOT_FOUND}
    },
    "gestion/consultas/moderacion/aportes/<int:pk>/": {C1: STAFF_LIST},
    # An empty hide/block form comes back with its error (a reason is required); restore and dismiss on
    # a visible comment without flags are refused with a message on the same page.
    "gestion/consultas/moderacion/aportes/<int:pk>/ocultar/": {C1: STAFF_ACTION},
    "gestion/consultas/moderacion/aportes/<int:pk>/restaurar/": {C1: STAFF_ACTION},
    "gestion/consultas/moderacion/aportes/<int:pk>/descartar/": {C1: STAFF_ACTION},
    "gestion/consultas/moderacion/aportes/<int:pk>/bloquear/": {C1: STAFF_ACTION},
    "gestion/consultas/plantillas/": {NONE: STAFF_LIST},
    "gestion/consultas/plantillas/nueva/": {NONE: SECRETARIAT_PAGE},
    "gestion/consultas/plantillas/<int:pk>/editar/": {
        MISSING: {"GET": STAFF_NOT_FOUND, "POST": STAFF_NOT_FOUND}
    },
    # The example's comment has no attachment: 404 for the staff, refused before that for the others.
    "gestion/consultas/aportes/<int:pk>/adjunto/": {C1: {"GET": STAFF_NOT_FOUND, "POST": STAFF_FORM_ONLY}},
    "gestion/consultas/aportes/<int:pk>/responder/": {C1: SECRETARIAT_PAGE},
    "gestion/consultas/<slug:slug>/otros-canales/nuevo/": {FORUM: SECRETARIAT_PAGE},
    "gestion/consultas/<slug:slug>/respuestas/": {FORUM: SECRETARIAT_PAGE},
    # Publishing asks for confirmation: an empty POST shows the question again.
    "gestion/consultas/<slug:slug>/respuestas/publicar/": {FORUM: SECRETARIAT_PAGE},
    # --- the plan: public pages, and the Secretaría's assembly (no version in the example) ---------
    "plan/": {NONE: PUBLIC},
    "plan/versiones/<int:number>/": {NO_VERSION: {"GET": ALL_404, "POST": ALL_405}},
    "plan/versiones/<int:number>/<str:kind>.pdf": {NO_VERSION: {"GET": ALL_404, "POST": ALL_405}},
    "gestion/plan/": {NONE: STAFF_LIST},
    # Creating a draft is a one-button form: the POST itself is the act.
    "gestion/plan/nueva/": {
        NONE: {"GET": STAFF_FORM_ONLY, "POST": "login 403 403 403 403 →plan_draft →plan_draft"}
    },
    "gestion/plan/<int:number>/": {NO_VERSION: STAFF_NOTHING},
    "gestion/plan/<int:number>/vista-previa/": {
        NO_VERSION: {"GET": STAFF_NOT_FOUND, "POST": STAFF_FORM_ONLY}
    },
    "gestion/plan/<int:number>/congelar/": {NO_VERSION: STAFF_NOTHING},
    "gestion/plan/<int:number>/aprobar/": {NO_VERSION: STAFF_NOTHING},
    "gestion/plan/documentos/<int:pk>/reintentar/": {
        NO_VERSION: {"GET": STAFF_FORM_ONLY, "POST": STAFF_NOT_FOUND}
    },
    # --- workshops (issue 5): public pages, registration, the Secretaría's desk ---------------------
    "talleres/": {NONE: PUBLIC},
    "talleres.ics": {NONE: PUBLIC},
    "talleres/calendario/": {NONE: PUBLIC},
    "talleres/<slug:slug>.ics": {WORKSHOP: PUBLIC},
    "talleres/<slug:slug>/": {WORKSHOP: PUBLIC},
    "repositorio/": {NONE: PUBLIC},
    "repositorio/<int:pk>/descargar/": {DOCUMENT: PUBLIC},
    "participacion/": {NONE: PUBLIC},
    "foro-multiactor/": {NONE: PUBLIC},
    # --- implementation (issue 14): the public tracking, its open data and calendar -----------------
    "seguimiento/": {NONE: PUBLIC},
    "seguimiento/avance.csv": {NONE: PUBLIC},
    "seguimiento/avance.json": {NONE: PUBLIC},
    "seguimiento/diccionario/": {NONE: PUBLIC},
    "seguimiento/hitos.ics": {NONE: PUBLIC},
    # Only a validated report's file is served (tests/implementation/test_public.py); none in the example.
    "seguimiento/evidencias/<int:pk>/": {MISSING: {"GET": ALL_404, "POST": ALL_405}},
    # The write side: ministry reviewers report on their entity's milestones, the Secretaría decides; an
    # administrator reads the Secretaría's pages but neither reports nor decides (implementation/rules.py
    # `may`; tests/implementation/test_views.py). The example has no approved version and no report:
    # every milestone and report answers 404 to who may act.
    "revision/seguimiento/": {
        NONE: {"GET": "login 403 403 200 200 403 403", "POST": "login 403 403 405 405 403 403"}
    },
    "revision/seguimiento/hitos/<int:pk>/": {
        MISSING: {"GET": "login 403 403 404 404 403 403", "POST": "login 403 403 404 404 403 403"}
    },
    "revision/seguimiento/evidencias/<int:pk>/": {MISSING: {"GET": row("login", "404"), "POST": ALL_405}},
    "gestion/seguimiento/": {NONE: STAFF_LIST},
    "gestion/seguimiento/informes/<int:pk>/": {MISSING: STAFF_NOTHING},
    # The self-assessment (implementation/assessment_views.py): the Secretaría's alone (an administrator
    # neither writes nor reads it there); the example has none, so a report answers 404 to her, and its
    # public page and PDF (a final report's only) 404 to all.
    "gestion/seguimiento/autoevaluacion/": {NONE: {"GET": SELF_ASSESSMENT, "POST": SELF_ASSESSMENT}},
    "gestion/seguimiento/autoevaluacion/<int:pk>/": {
        MISSING: {"GET": SELF_ASSESSMENT_MISSING, "POST": "login 403 403 403 403 405 403"}
    },
    "gestion/seguimiento/autoevaluacion/<int:pk>/secciones/<slug:key>/": {MISSING: SELF_ASSESSMENT_NOTHING},
    "gestion/seguimiento/autoevaluacion/<int:pk>/publicar/": {MISSING: SELF_ASSESSMENT_NOTHING},
    "gestion/seguimiento/autoevaluacion/<int:pk>/finalizar/": {MISSING: SELF_ASSESSMENT_NOTHING},
    "seguimiento/autoevaluacion/<slug:kind>/": {MISSING: {"GET": ALL_404, "POST": ALL_405}},
    "seguimiento/autoevaluacion/<slug:kind>/pdf/": {MISSING: {"GET": ALL_404, "POST": ALL_405}},
    # Anyone may register (by email or signed in): an empty form comes back with its errors.
    "talleres/<slug:slug>/inscripcion/": {WORKSHOP: {"GET": ALL_200, "POST": ALL_200}},
    # The links of the emails: the key is the authority; the POST acts and comes back to the page.
    "talleres/inscripcion/<uuid:key>/confirmar/": {
        REGISTRATION: {"GET": ALL_200, "POST": row("→reg_confirm", "→reg_confirm")}
    },
    "talleres/inscripcion/<uuid:key>/cancelar/": {
        REGISTRATION: {"GET": ALL_200, "POST": row("→reg_cancel", "→reg_cancel")}
    },
    "gestion/talleres/": {NONE: STAFF_LIST},
    "gestion/talleres/nuevo/": {NONE: SECRETARIAT_PAGE},
    "gestion/talleres/documentos/": {NONE: STAFF_LIST},
    "gestion/talleres/documentos/nuevo/": {NONE: SECRETARIAT_PAGE},
    "gestion/talleres/<slug:slug>/": {WORKSHOP: STAFF_LIST},
    "gestion/talleres/<slug:slug>/editar/": {WORKSHOP: SECRETARIAT_PAGE},
    # State changes ask for a confirmation or a reason: an empty POST shows the page with the error.
    "gestion/talleres/<slug:slug>/realizado/": {WORKSHOP: STAFF_ACTION},
    "gestion/talleres/<slug:slug>/cancelar/": {WORKSHOP: STAFF_ACTION},
    "gestion/talleres/<slug:slug>/reprogramar/": {WORKSHOP: STAFF_ACTION},
    "gestion/talleres/<slug:slug>/inscripciones.csv": {WORKSHOP: STAFF_LIST},
    "gestion/talleres/<slug:slug>/asistencia/": {WORKSHOP: STAFF_LIST},
    "gestion/talleres/<slug:slug>/asistencia/registrar/": {WORKSHOP: STAFF_ACTION},
    "gestion/talleres/<slug:slug>/asistencia/sin-inscripcion/": {WORKSHOP: STAFF_ACTION},
    "gestion/talleres/<slug:slug>/asistencia/<int:pk>/quitar/": {
        WORKSHOP: {"GET": STAFF_FORM_ONLY, "POST": STAFF_NOT_FOUND}
    },
    "gestion/talleres/<slug:slug>/aportes/": {WORKSHOP: STAFF_LIST},
    "gestion/talleres/<slug:slug>/aportes/nuevo/": {WORKSHOP: SECRETARIAT_PAGE},
    "gestion/talleres/<slug:slug>/aportes/importar/": {WORKSHOP: SECRETARIAT_PAGE},
    "gestion/talleres/<slug:slug>/aportes/plantilla.csv": {WORKSHOP: STAFF_LIST},
    "gestion/talleres/<slug:slug>/propuestas/": {TABLE: SECRETARIAT_PAGE},
    "gestion/talleres/<slug:slug>/propuestas/nueva/": {TABLE: SECRETARIAT_PAGE},
    "gestion/talleres/<slug:slug>/decisiones/": {TABLE: STAFF_LIST},
    "gestion/talleres/<slug:slug>/decisiones/<int:pk>/": {TABLE: SECRETARIAT_PAGE},
    # Unlinking is a one-button form: the POST itself is the act (after the
    # decision page: commitment 3 is then no longer among the table's proposals).
    "gestion/talleres/<slug:slug>/propuestas/<int:pk>/desvincular/": {
        TABLE: {"GET": STAFF_FORM_ONLY, "POST": "login 403 403 403 403 →table_proposals →table_proposals"}
    },
    # --- personal-data rights (issue 7): each person's own data; the audit log, administrators only ---
    "mis-datos/": {NONE: {"GET": row("login", "200"), "POST": row("login", "405")}},
    "mis-datos/descargar.json": {NONE: {"GET": row("login", "200"), "POST": row("login", "405")}},
    # Giving or withdrawing consent is a form of its page: an empty POST changes nothing and goes back.
    "mis-datos/consentimiento/": {
        NONE: {"GET": row("login", "405"), "POST": row("login", "→mydata_consents")}
    },
    # Deleting the account asks for the password: an empty POST shows the page with the error.
    "mis-datos/eliminar-cuenta/": {NONE: {"GET": row("login", "200"), "POST": row("login", "200")}},
    "gestion/auditoria/": {NONE: ADMINISTRATOR_LIST},
    "gestion/auditoria.csv": {NONE: ADMINISTRATOR_LIST},
    # --- two-step verification (allauth.mfa; issue 7): staff must set it up, citizens may ---------------
    "cuenta/2fa/": {NONE: {"GET": row("login", "200"), "POST": row("login", "405")}},
    "cuenta/2fa/authenticate/": {NONE: {"GET": row("login", "→home"), "POST": row("login", "→home")}},
    "cuenta/2fa/reauthenticate/": {NONE: {"GET": MFA_STAFF_ONLY, "POST": MFA_STAFF_ONLY}},
    "cuenta/2fa/totp/activate/": {NONE: {"GET": row("login", "→reauth"), "POST": row("login", "→reauth")}},
    "cuenta/2fa/totp/deactivate/": {NONE: {"GET": MFA_STAFF_REAUTH, "POST": MFA_STAFF_REAUTH}},
    "cuenta/2fa/recovery-codes/": {NONE: {"GET": row("login", "404"), "POST": row("login", "405")}},
    "cuenta/2fa/recovery-codes/generate/": {
        NONE: {"GET": row("login", "→reauth"), "POST": row("login", "→reauth")}
    },
    "cuenta/2fa/recovery-codes/download/": {NONE: {"GET": row("login", "404"), "POST": row("login", "404")}},
    # --- accounts (django-allauth) ---------------------------------------------------------------
    "cuenta/login/": {NONE: {"GET": row("200", "→home"), "POST": row("200", "→home")}},
    "cuenta/logout/": {NONE: {"GET": row("→home", "200"), "POST": row("→home", "→home")}},
    "cuenta/inactive/": {NONE: PUBLIC},
    "cuenta/signup/": {NONE: {"GET": row("200", "→home"), "POST": row("200", "→home")}},
    "cuenta/reauthenticate/": {NONE: {"GET": row("login", "200"), "POST": row("login", "200")}},
    "cuenta/reauthenticate/code/": {NONE: {"GET": row("login", "200"), "POST": row("login", "200")}},
    "cuenta/reauthenticate/code/confirm/": {
        NONE: {"GET": row("login", "→reauthenticate_code"), "POST": row("login", "→reauthenticate_code")}
    },
    "cuenta/email/": {NONE: {"GET": row("login", "200"), "POST": row("login", "→email")}},
    "cuenta/confirm-email/": {NONE: PUBLIC},
    "cuenta/password/change/": {NONE: {"GET": row("login", "200"), "POST": row("login", "200")}},
    "cuenta/password/set/": {
        NONE: {"GET": row("login", "→password_change"), "POST": row("login", "→password_change")}
    },
    "cuenta/password/reset/": {NONE: {"GET": ALL_200, "POST": ALL_200}},
    "cuenta/login/code/confirm/": {NONE: {"GET": row("login", "→home"), "POST": row("login", "→home")}},
    "cuenta/password/reset/key/done/": {NONE: PUBLIC},
    "cuenta/password/reset/done/": {NONE: PUBLIC},
    # --- language: a link (GET) sets only the language cookie and goes back; no POST --------------
    "idioma/": {NONE: {"GET": row("→home", "→home"), "POST": ALL_405}},
    # --- the Django admin: staff accounts only (is_staff), then rules decide per model -------------
    "administracion/": {NONE: ADMIN_PAGE},
    "administracion/paga/timelinestage/": {NONE: ADMIN_PAGE},
}  # fmt: skip

ONE_TIME_KEY = "skipped: needs a one-time key (sent by email); tested in tests/paga/test_accounts.py"
ADMIN = "Django admin, gated by is_staff + rules (tested in tests/paga/test_rules.py)"
ADMIN_MODELS = (
    "auth/group",
    "paga/actionplan",
    "paga/timelinestage",
    "paga/theme",
    "paga/governmentpriority",
    "paga/entity",
    "paga/region",
    "paga/user",
    "paga/consent",
    "paga/outboundemail",
    "account/emailaddress",
    "consultations/consultation",
    "consultations/responsetemplate",
    "workshops/event",
    "workshops/document",
    "workshops/forum",
    "workshops/tabledecision",
    "workshops/registration",
    "workshops/attendance",
    "workshops/eventinput",
    "workshops/eventtransition",
    "implementation/progressreport",
    "paga/auditentry",
    "mfa/authenticator",
)
ADMIN_MODEL_ROUTES = (
    "",
    "add/",
    "<path:object_id>/history/",
    "<path:object_id>/delete/",
    "<path:object_id>/change/",
    "<path:object_id>/",
)
EXCLUDED: dict[str, str] = {
    "cuenta/^confirm-email/(?P<key>[-:\\w]+)/$": ONE_TIME_KEY,
    "cuenta/^password/reset/key/(?P<uidb36>[0-9A-Za-z]+)-(?P<key>.+)/$": ONE_TIME_KEY,
    "administracion/login/": ADMIN,
    "administracion/logout/": ADMIN,
    "administracion/password_change/": ADMIN,
    "administracion/password_change/done/": ADMIN,
    "administracion/autocomplete/": ADMIN,
    "administracion/jsi18n/": ADMIN,
    "administracion/r/<path:content_type_id>/<path:object_id>/": ADMIN,
    "administracion/paga/user/<id>/password/": ADMIN,
    "administracion/(?P<url>.*)$": ADMIN,
    **{f"administracion/{model}/{route}": ADMIN for model in ADMIN_MODELS for route in ADMIN_MODEL_ROUTES},
}
EXCLUDED.pop("administracion/paga/timelinestage/")  # swept: one changelist stands for the rest


def url_patterns(patterns=None, prefix: str = "") -> list[str]:
    """Every route of the URLconf, namespaces included, as the concatenation of its pattern strings."""
    routes = []
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            routes += url_patterns(pattern.url_patterns, prefix + str(pattern.pattern))
        else:
            assert isinstance(pattern, URLPattern)
            routes.append(prefix + str(pattern.pattern))
    return routes


# The admin's index of each app: its pattern lists the app labels in the order the admin registered
# them, which depends on import order; whatever the order, it is the admin's.
EXCLUDED.update(
    {route: ADMIN for route in url_patterns() if route.startswith("administracion/^(?P<app_label>")}
)


PLAN_PREFIX = "plan prefix"  # a target's key: the `planes/<slug>/` of another plan than the current one


def concrete(route: str, target: str, targets: dict[str, dict[str, str]]) -> str:
    values = dict(targets.get(target, {}))
    path = "/" + values.pop(PLAN_PREFIX, "") + route
    for converter, value in values.items():
        path = path.replace(converter, value)
    assert "<" not in path, f"{route}: no value for its parameters in target {target!r}"
    return path


def outcome(response, pk: str | None) -> str:
    """The matrix token for a response."""
    if response.status_code not in (301, 302):
        return str(response.status_code)
    location = response["Location"]
    # On another plan's page, the sign-in page is that plan's address of it (paga/plans.py).
    location = re.sub(r"^/planes/[-a-z0-9]+(?=/)", "", location)
    if location.startswith(reverse("account_login")):
        return "login"
    if location.startswith(reverse("admin:login")):
        return "admin"
    for name, path in REDIRECTS.items():
        if location == path.format(pk=pk) or location.startswith(path.format(pk=pk) + "?next="):
            return f"→{name}"
    return f"302 {location}"


def counts() -> dict[str, int]:
    """The rows of every audited table, in one query (it runs after each of about 1,200 POSTs)."""
    quote = connection.ops.quote_name
    tables = ", ".join(f"(SELECT COUNT(*) FROM {quote(m._meta.db_table)})" for m in AUDITED)  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {tables}")  # noqa: S608 - table names from the models
        row = cursor.fetchone()
    return {model.__name__: count for model, count in zip(AUDITED, row, strict=True)}


def sweep_size() -> int:
    return sum(len(by_method) for targets in MATRIX.values() for by_method in targets.values()) * len(ROLES)


def make_mtc_draft(plan: ActionPlan) -> Commitment:
    """A proposal led by MTC that was never published: seen only by the staff and MTC's reviewers."""
    return services.commitment_create(
        plan=plan,
        actor=User.objects.get(email="secretaria@cocrea.example"),
        reason="Borrador de la mesa nacional",
        title="Borrador: semaforización inteligente en Lima",
        lead_entity=Entity.objects.get(acronym="MTC"),
    )


def make_registration(plan: ActionPlan) -> str:
    """A confirmed registration for a workshop a week from now, with a fixed key. Confirming it again
    changes nothing; an empty POST to its cancel link cancels it (the button is the whole form)."""
    starts = timezone.now() + datetime.timedelta(days=7)
    event = Event.objects.create(
        plan=plan,
        kind="taller_regional",
        slug="taller-de-prueba",
        title="Taller de prueba",
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=6),
        capacity=20,
        registration_closes_at=starts - datetime.timedelta(days=1),
    )
    Registration.objects.create(
        event=event,
        email="inscrita@cocrea.test",
        name="Inscrita",
        actor_type=ActorType.CIVIL_SOCIETY,
        key=REGISTRATION_KEY,
        state=Registration.State.CONFIRMED,
        confirmed_at=timezone.now(),
    )
    return REGISTRATION_KEY


def make_document(plan: ActionPlan) -> Document:
    """A minutes PDF of the La Libertad workshop in the repository."""
    return Document.objects.create(
        plan=plan,
        event=Event.objects.get(slug="taller-regional-la-libertad-2017"),
        title="Acta del taller",
        doc_type=DocumentType.MINUTES,
        file=ContentFile(b"%PDF-1.4 acta", name="acta.pdf"),
        original_name="acta.pdf",
        content_type="application/pdf",
        size=13,
        sha256="0" * 64,
        dated=datetime.date(2017, 9, 21),
        uploaded_by=User.objects.get(email="secretaria@cocrea.example"),
    )


def make_targets(plan: ActionPlan) -> dict[str, dict[str, str]]:
    """The values of the patterns' parameters for each target (commitment 3, a new MTC draft)."""
    c3 = Commitment.objects.get(plan=plan, number=3)
    assert c3.status == "en_revision"
    assert c3.lead_entity.acronym == "MINAM"
    draft = make_mtc_draft(plan)
    assert draft.slug == REDIRECTS["draft"].split("/")[2]
    forum = Consultation.objects.get(slug="foro-virtual-propuestas-2017")
    report = Consultation.objects.get(slug="consulta-informe-autoevaluacion-paga-2015-2016")
    atu = forum.items.get(title__startswith="Creación de la Autoridad de Transporte Urbano")
    c1 = Contribution.objects.get(commitment=atu, author__email="ciudadano@cocrea.example")
    return {
        C3: {"<int:pk>": str(c3.pk), "<str:key>": "3"},
        DRAFT: {"<int:pk>": str(draft.pk), "<str:key>": draft.slug},
        FORUM: {"<slug:slug>": forum.slug},
        REPORT: {PLAN_PREFIX: f"{plans.prefix(report.plan)}/", "<slug:slug>": report.slug},
        PARAGRAPH: {
            PLAN_PREFIX: f"{plans.prefix(report.plan)}/",
            "<slug:slug>": report.slug,
            "<slug:key>": "p-3",
        },
        ATU: {"<slug:slug>": forum.slug, "<int:pk>": str(atu.pk)},
        C1: {"<int:pk>": str(c1.pk)},
        MISSING: {"<int:pk>": "999999", "<slug:kind>": "medio-termino", "<slug:key>": "lecciones"},
        BAD_TOKEN: {"<str:token>": "malo"},
        NO_VERSION: {"<int:number>": "999", "<str:kind>": "plan", "<int:pk>": "999999"},
        WORKSHOP: {"<slug:slug>": "taller-regional-la-libertad-2017", "<int:pk>": "999999"},
        TABLE: {"<slug:slug>": "mesa-nacional-ambiente-2017", "<int:pk>": str(c3.pk)},
        REGISTRATION: {"<uuid:key>": make_registration(plan)},
        DOCUMENT: {"<int:pk>": str(make_document(plan).pk)},
    }


@pytest.fixture
def targets(example_plan) -> dict[str, dict[str, str]]:
    return make_targets(example_plan)


def test_every_url_pattern_has_a_permission_row():
    routes = url_patterns()
    missing = [r for r in routes if r not in MATRIX and r not in EXCLUDED]
    assert not missing, f"new URL without a permission row: add it to MATRIX (or EXCLUDED): {missing}"
    both = sorted(set(MATRIX) & set(EXCLUDED))
    assert not both, f"in MATRIX and EXCLUDED at once: {both}"


def test_the_matrix_and_its_exclusions_name_only_existing_urls():
    routes = set(url_patterns())
    assert sorted(set(MATRIX) - routes) == []
    assert sorted(set(EXCLUDED) - routes) == []
    assert all(reason.strip() for reason in EXCLUDED.values())


def test_every_row_of_the_matrix_has_a_token_per_role_and_method():
    for route, by_target in MATRIX.items():
        for target, by_method in by_target.items():
            assert set(by_method) == set(METHODS), (route, target)
            for method, row in by_method.items():
                assert len(row.split()) == len(ROLES), (route, target, method, row)


def test_a_role_refused_on_get_is_refused_on_post_by_the_matrix():
    """The written matrix itself never lets a role POST where it may not GET (a 405 GET is a form-only
    endpoint: the POST row is then checked against the other rows of the same pattern)."""
    for route, by_target in MATRIX.items():
        for target, by_method in by_target.items():
            for role, got, posted in zip(
                ROLES, by_method["GET"].split(), by_method["POST"].split(), strict=True
            ):
                if got in REFUSED:
                    assert posted in REFUSED_POST, (route, target, role)


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_each_role_gets_exactly_what_the_matrix_says_on_every_url(role, request, targets):
    """GET and an empty POST on every URL: 0 differences with the matrix, no 500, no data changed."""
    user = None if role == "anonymous" else request.getfixturevalue(role)
    column = ROLES.index(role)
    differences, requests = [], 0
    before = counts()
    for route, by_target in MATRIX.items():
        for target, by_method in by_target.items():
            path = concrete(route, target, targets)
            pk = targets.get(target, {}).get("<int:pk>")
            for method in METHODS:
                expected = by_method[method].split()[column]
                cache.clear()  # allauth's rate limits live in the cache
                client = Client()
                if user is not None:
                    client.force_login(user)
                response = getattr(client, method.lower())(path)
                requests += 1
                got = outcome(response, pk)
                if got != expected:
                    differences.append(f"{method} {path} as {role}: expected {expected}, got {got}")
                assert response.status_code < 500, f"{method} {path} as {role}: {response.status_code}"
                if method == "POST":
                    assert counts() == before, f"an empty POST to {path} as {role} changed data"
    assert differences == [], "\n".join(differences)
    assert requests * len(ROLES) == sweep_size()


@pytest.mark.parametrize("to", [Status.APPROVED, Status.CHANGES_REQUESTED])
def test_only_the_lead_ministry_decides_its_review_even_through_the_status_endpoint(
    to, example_plan, administrator
):
    """Found by this sweep: a superuser passed every has_perm and decided a ministry's review through
    the Secretaría's status endpoint, leaving the review open. Decisions go through decide_review only."""
    c3 = Commitment.objects.get(plan=example_plan, number=3)
    client = Client()
    client.force_login(administrator)
    response = client.post(
        reverse("commitments:transition", args=[c3.pk]), {"estado-to": to, "estado-reason": "Sin la revisión"}
    )
    c3.refresh_from_db()
    assert (response.status_code, c3.status) in ((200, Status.IN_REVIEW), (403, Status.IN_REVIEW))
    assert not Transition.objects.filter(commitment=c3, to_status=to).exists()


def test_the_sweep_covers_every_url_role_and_method(capsys):
    urls = sum(len(by_target) for by_target in MATRIX.values())
    size = sweep_size()
    with capsys.disabled():
        print(  # noqa: T201 (the sweep's size goes into the issue's note)
            f"\nURL × role sweep: {urls} URLs ({len(MATRIX)} patterns, {len(EXCLUDED)} excluded) "
            f"× {len(ROLES)} roles × {len(METHODS)} methods = {size} requests"
        )
    assert urls >= 46
    assert size == urls * len(ROLES) * len(METHODS)
