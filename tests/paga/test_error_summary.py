"""Every form of the portal, submitted with invalid data, answers with an error summary at the top (issue 8).

The summary (docs/ui.md "Forms") is a region with a heading, focusable (tabindex -1, autofocus) and placed
before the first field in error; it links each field error to its field ("#<id of the input>") and lists
errors that belong to no field without a link. Each field in error is marked aria-invalid and described
(aria-describedby, on the input or on its group's fieldset) by its own error message.

FORMS is the table: one row per form, posted (or, for filters, requested) with invalid data by the person
who uses it. The forms are derived from the code (every Form and FilterSet of the portal's apps, and every
allauth page that shows a form): a form with no row and no reason in NOT_SUBMITTED fails
`test_every_form_of_the_portal_has_a_row`.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass
from html import unescape
from html.parser import HTMLParser

import django_filters
import pytest
from django import forms
from django.conf import settings
from django.core.cache import cache
from django.forms.formsets import BaseFormSet
from django.test import Client

from commitments.models import Status
from paga.models import User
from tests.commitments.factories import (
    CommitmentFactory,
    commitment_in_review,
    complete_commitment,
    current_plan,
    ministry,
)
from tests.consultations.factories import ConsultationFactory, comment, document_consultation
from tests.factories import PASSWORD, UserFactory
from tests.workshops._outcomes import held_event, national_table
from tests.workshops.factories import EventFactory, RegistrationFactory

pytestmark = pytest.mark.django_db

APPS = ("paga", "commitments", "consultations", "workshops")
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
CONTROLS = {"input", "select", "textarea"}


# --- Reading the page --------------------------------------------------------------------------------------


@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    parent: Element | None
    order: int
    text: str = ""

    def has_class(self, name: str) -> bool:
        return name in self.attrs.get("class", "").split()

    def ancestors(self):
        node = self.parent
        while node is not None:
            yield node
            node = node.parent

    def inside(self, other: Element) -> bool:
        return any(node is other for node in self.ancestors())


class Page(HTMLParser):
    """The elements of an HTML page in document order, each with its parent and its text."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.elements: list[Element] = []
        self.open: list[Element] = []
        self.feed(html)
        self.close()
        self.by_id = {e.attrs["id"]: e for e in self.elements if "id" in e.attrs}

    def handle_starttag(self, tag, attrs):
        element = Element(
            tag, {k: v or "" for k, v in attrs}, self.open[-1] if self.open else None, len(self.elements)
        )
        self.elements.append(element)
        if tag not in VOID:
            self.open.append(element)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.open.pop()

    def handle_endtag(self, tag):
        for i in range(len(self.open) - 1, -1, -1):
            if self.open[i].tag == tag:
                del self.open[i:]
                return

    def handle_data(self, data):
        for element in self.open:
            element.text += data

    def within(self, outer: Element, tag: str | None = None) -> list[Element]:
        return [e for e in self.elements if e.inside(outer) and (tag is None or e.tag == tag)]


def words(text: str) -> str:
    return " ".join(unescape(text).split())


def bound_forms(context) -> tuple[list[forms.BaseForm], set[type]]:
    """The bound forms with errors among the page's context (forms, formsets' forms, filtersets' forms),
    and the classes they are or belong to (each form's classes, each such filterset's class)."""
    found: dict[int, forms.BaseForm] = {}
    classes: set[type] = set()

    def add(value):
        if isinstance(value, forms.BaseForm):
            if value.is_bound and value.errors:
                found[id(value)] = value
                classes.update(type(value).__mro__)
        elif isinstance(value, BaseFormSet):
            if value.is_bound:
                for form in value.forms:
                    add(form)
        elif isinstance(value, django_filters.FilterSet):
            add(value.form)
            if value.form.errors:
                classes.add(type(value))

    for layer in context or []:
        for scope in layer.dicts if hasattr(layer, "dicts") else [layer]:
            if isinstance(scope, dict):
                for value in scope.values():
                    add(value)
    return list(found.values()), classes


def assert_error_summary(response, expected: set[type]) -> Page:
    """The page has a summary at the top linking each field error to its input, and each input in error
    is marked invalid and described by its message; `expected` form classes are among the bound forms."""
    assert response.status_code in (200, 400, 409, 422, 429), response.status_code
    html = response.content.decode()
    page = Page(html)
    summaries = [e for e in page.elements if e.has_class("error-summary")]
    ids = [e.attrs["id"] for e in page.elements if "id" in e.attrs]
    assert len(ids) == len(set(ids)), f"ids used twice: {sorted({i for i in ids if ids.count(i) > 1})}"
    assert summaries, "no error summary on the page"

    # The summary: a titled alert, focusable, that comes before any field in error.
    for summary in summaries:
        assert summary.attrs.get("role") == "alert"
        assert summary.attrs.get("tabindex") == "-1"
        title = page.by_id.get(summary.attrs.get("aria-labelledby", ""))
        assert title is not None, "the summary has no title"
        assert title.inside(summary)
        assert title.tag in {"h2", "h3"}
        assert words(title.text)
    assert "autofocus" in summaries[0].attrs, "the first summary is not where focus lands"
    invalid = [e for e in page.elements if e.tag in CONTROLS and e.attrs.get("aria-invalid") == "true"]
    if invalid:
        assert summaries[0].order < invalid[0].order, "the summary comes after a field in error"

    # Each link goes to an input in error, whose error message describes it.
    links: dict[str, str] = {}  # target id -> the text of its links
    for summary in summaries:
        for link in page.within(summary, "a"):
            href = link.attrs.get("href", "")
            assert href.startswith("#"), href
            target = page.by_id.get(href[1:])
            assert target is not None, f"summary link {href} goes nowhere"
            assert target.tag in CONTROLS, f"summary link {href} goes to a <{target.tag}>, not the input"
            assert target.attrs.get("aria-invalid") == "true", f"{href} is not marked aria-invalid"
            links[href[1:]] = f"{links.get(href[1:], '')} {words(link.text)}"
    for control in invalid:
        group = next(
            (a for a in control.ancestors() if a.tag == "fieldset" and a.attrs.get("aria-describedby")), None
        )
        described = control.attrs.get("aria-describedby") or (
            group.attrs["aria-describedby"] if group else ""
        )
        messages = [page.by_id[i] for i in described.split() if i in page.by_id]
        assert any(m.has_class("errorlist") and words(m.text) for m in messages), (
            f"#{control.attrs.get('id')} is not described by its error message ({described!r})"
        )
        name = control.attrs.get("name")
        linked = {page.by_id[i].attrs.get("name") for i in links}
        assert name in linked, f"the field {name!r} in error has no link in the summary"

    # Every error of the bound forms is in the summary: a field's as a link to its input.
    bound, classes = bound_forms(response.context)
    assert expected <= classes, (expected, bound)
    summary_text = " ".join(words(s.text) for s in summaries)
    for form in bound:
        for error in form.non_field_errors():
            assert words(error) in summary_text, error
        for name, errors in form.errors.items():
            if name == forms.forms.NON_FIELD_ERRORS:
                continue
            field = form[name]
            for error in errors:
                if field.is_hidden:
                    assert words(error) in summary_text, error
                    continue
                # a group of radio buttons or checkboxes: its first option
                target = field.id_for_label or field.subwidgets[0].id_for_label
                assert target in links, f"no summary link to #{target} ({form.__class__.__name__}.{name})"
                assert words(error) in links[target], (error, links[target])
    return page


# --- The table ---------------------------------------------------------------------------------------------


@dataclass
class Row:
    name: str
    forms: tuple[str, ...]  # dotted names of the form (or FilterSet) classes it covers
    role: str | None  # a fixture of tests/conftest.py, or None for anonymous
    build: Callable[[User | None], tuple[str, str, dict]]  # -> (method, url, data)


FORMS: list[Row] = []


def row(name: str, *covers: str, role: str | None = None):
    def register(build):
        FORMS.append(Row(name, covers, role, build))
        return build

    return register


def post(url: str, data: dict | None = None):
    return ("post", url, data or {})


def get(url: str, data: dict):
    return ("get", url, data)


# paga


@row("sign-up", "paga.forms.SignupForm", "paga.account_forms.SignupForm", "allauth.account.forms.SignupForm")
def _signup(user):
    return post("/cuenta/signup/", {"email": "no-es-un-correo", "password1": "a", "password2": "b"})


@row("sign-in", "allauth.account.forms.LoginForm")
def _login(user):
    return post("/cuenta/login/", {"login": "", "password": ""})


@row("sign-in, wrong password (an error of no field)", "allauth.account.forms.LoginForm")
def _login_wrong(user):
    UserFactory(email="ana@cocrea.test")
    return post("/cuenta/login/", {"login": "ana@cocrea.test", "password": "otra-clave"})


@row("password reset", "allauth.account.forms.ResetPasswordForm")
def _reset(user):
    return post("/cuenta/password/reset/", {"email": "no-es-un-correo"})


@row("password reset from the emailed key", "allauth.account.forms.ResetPasswordKeyForm")
def _reset_key(user):
    from allauth.account.forms import default_token_generator
    from allauth.account.utils import user_pk_to_url_str

    person = UserFactory()
    key = default_token_generator.make_token(person)
    return (
        "reset-key",
        f"/cuenta/password/reset/key/{user_pk_to_url_str(person)}-{key}/",
        {
            "password1": "a",
            "password2": "b",
        },
    )


@row("password change", "allauth.account.forms.ChangePasswordForm", role="citizen")
def _password_change(user):
    return post("/cuenta/password/change/", {"oldpassword": "no", "password1": "a", "password2": "b"})


@row("password set", "allauth.account.forms.SetPasswordForm", role="citizen")
def _password_set(user):
    user.set_unusable_password()
    user.save()
    return post("/cuenta/password/set/", {"password1": "a", "password2": "b"})


@row("add an email address", "allauth.account.forms.AddEmailForm", role="citizen")
def _email_add(user):
    return post("/cuenta/email/", {"action_add": "", "email": "no-es-un-correo"})


@row("re-authenticate with the password", "allauth.account.forms.ReauthenticateForm", role="citizen")
def _reauthenticate(user):
    return post("/cuenta/reauthenticate/", {"password": "no-es-la-clave"})


@row("two-step code at sign-in", "allauth.mfa.base.forms.AuthenticateForm")
def _mfa_authenticate(user):
    return ("mfa-stage", "/cuenta/2fa/authenticate/", {"code": "000000"})


@row("two-step re-authentication", "allauth.mfa.base.forms.ReauthenticateForm", role="secretariat")
def _mfa_reauthenticate(user):
    return post("/cuenta/2fa/reauthenticate/", {"code": "000000"})


@row("set up the authenticator app", "allauth.mfa.totp.forms.ActivateTOTPForm", role="citizen")
def _mfa_activate(user):
    return ("fresh", "/cuenta/2fa/totp/activate/", {"code": "000000"})


@row(
    "new recovery codes without an authenticator app",
    "allauth.mfa.recovery_codes.forms.GenerateRecoveryCodesForm",
    role="citizen",
)
def _mfa_recovery_codes(user):
    return ("fresh", "/cuenta/2fa/recovery-codes/generate/", {})


@row("delete my account", "paga.mydata_forms.DeleteAccountForm", role="citizen")
def _delete_account(user):
    return post("/mis-datos/eliminar-cuenta/", {"password": "no-es-la-clave"})


@row(
    "audit log filters",
    "filter:paga.audit_views.AuditFilter",
    "paga.audit_views.AuditFilterForm",
    role="administrator",
)
def _audit(user):
    return get("/gestion/auditoria/", {"desde": "2019-01-02", "hasta": "2019-01-01", "accion": "nada"})


# commitments


@row("commitments list filters", "filter:commitments.filters.CommitmentFilter")
def _commitment_list(user):
    current_plan()
    return get("/compromisos/", {"estado": "inexistente", "orden": "al-azar"})


@row("versions to compare", "commitments.diff.VersionPairForm")
def _diff(user):
    from commitments import services

    commitment = CommitmentFactory(status=Status.IN_CONSULTATION)
    services.write_version(commitment=commitment, author=None, reason="Segunda versión")
    return get(f"/compromisos/{commitment.slug}/historial/diff/", {"de": "99", "a": "98"})


@row(
    "new proposal (template and milestones)",
    "commitments.forms.CommitmentForm",
    "commitments.forms.MilestoneForm",
    role="secretariat",
)
def _create(user):
    current_plan()
    return post("/gestion/compromisos/nuevo/", {"start_date": "31/02/2018", **milestones(due_date="no")})


def milestones(**first) -> dict:
    data = {"hitos-TOTAL_FORMS": "1", "hitos-INITIAL_FORMS": "0", "hitos-MIN_NUM_FORMS": "0"}
    data["hitos-MAX_NUM_FORMS"] = "1000"
    data.update({f"hitos-0-{k}": v for k, v in {"description": "Hito", **first}.items()})
    return data


@row("edit the template", "commitments.forms.CommitmentEditForm", role="secretariat")
def _edit(user):
    commitment = CommitmentFactory()
    return post(f"/gestion/compromisos/{commitment.pk}/editar/", {"title": "", "reason": ""})


@row("change of status", "commitments.forms.TransitionForm", role="secretariat")
def _transition(user):
    commitment = CommitmentFactory()
    return post(
        f"/gestion/compromisos/{commitment.pk}/estado/", {"estado-to": "ninguno", "estado-reason": ""}
    )


@row("send to technical review", "commitments.forms.AssignForm", role="secretariat")
def _assign(user):
    commitment = CommitmentFactory(status=Status.AGREED)  # incomplete: the service refuses it
    return post(f"/gestion/compromisos/{commitment.pk}/asignar/", {"reason": "Reunión técnica"})


@row("merge proposals", "commitments.forms.MergeForm", role="secretariat")
def _merge(user):
    CommitmentFactory.create_batch(2)
    return post("/gestion/compromisos/consolidar/fusionar/", {})


@row("split a proposal", "commitments.forms.SplitForm", "commitments.forms.PartForm", role="secretariat")
def _split(user):
    commitment = CommitmentFactory()
    parts = {"partes-TOTAL_FORMS": "2", "partes-INITIAL_FORMS": "0", "partes-MIN_NUM_FORMS": "0"}
    parts["partes-MAX_NUM_FORMS"] = "1000"
    return post(f"/gestion/compromisos/{commitment.pk}/dividir/", parts)


@row("number of parts of a split", "commitments.forms.PartsCountForm", role="secretariat")
def _split_count(user):
    commitment = CommitmentFactory()
    return get(f"/gestion/compromisos/{commitment.pk}/dividir/", {"partes": "99"})


@row("prioritisation scores", "commitments.forms.ScoreForm", role="secretariat")
def _score(user):
    commitment = CommitmentFactory(status=Status.AGREED)
    return post(f"/gestion/compromisos/{commitment.pk}/puntuar/", {"reason": ""})


@row("review: decision", "commitments.review_forms.DecisionForm", role="reviewer")
def _review_decide(user):
    commitment = commitment_in_review(assigned_by=UserFactory(groups=["secretaria"]), lead_entity=user.entity)
    return post(f"/revision/{commitment.pk}/", {"action": "decide", "decision-reason": ""})


@row("review: internal note", "commitments.review_forms.NoteForm", role="reviewer")
def _review_note(user):
    commitment = commitment_in_review(assigned_by=UserFactory(groups=["secretaria"]), lead_entity=user.entity)
    return post(f"/revision/{commitment.pk}/", {"action": "note", "note-text": ""})


@row("review: milestones, contact, resources", "commitments.review_forms.ReviewFieldsForm", role="reviewer")
def _review_edit(user):
    commitment = commitment_in_review(assigned_by=UserFactory(groups=["secretaria"]), lead_entity=user.entity)
    return post(
        f"/revision/{commitment.pk}/",
        {"action": "edit", "edit-contact_email": "no-es-un-correo", "edit-resources_amount": "mucho"},
    )


@row("review: send back after changes", "commitments.review_forms.ResubmitForm", role="secretariat")
def _review_resubmit(user):
    reviewer = UserFactory(groups=["revisores"], entity=ministry("MINAM"))
    commitment = commitment_in_review(assigned_by=user, lead_entity=reviewer.entity)  # no changes asked
    return post(f"/revision/{commitment.pk}/", {"action": "resubmit", "resubmit-reason": "Listo"})


@row("plan: commitments of a draft", "commitments.plan_forms.ItemsForm", role="secretariat")
def _plan_items(user):
    from commitments import plan_services

    complete_commitment(status=Status.APPROVED)
    version = plan_services.create_draft(plan=current_plan(), actor=user)
    candidates = list(plan_services.candidates(version.plan))
    assert candidates
    return post(f"/gestion/plan/{version.number}/", {f"lugar_{c.pk}": "cero" for c in candidates})


@row("plan: freeze", "commitments.plan_forms.FreezeForm", role="secretariat")
def _plan_freeze(user):
    from commitments import plan_services

    version = plan_services.create_draft(plan=current_plan(), actor=user)
    return post(f"/gestion/plan/{version.number}/congelar/", {})


@row("plan: approve", "commitments.plan_forms.ApproveForm", role="secretariat")
def _plan_approve(user):
    version = frozen_version(user)
    return post(f"/gestion/plan/{version.number}/aprobar/", {"instrument_date": "ayer"})


def frozen_version(secretariat):
    from commitments import plan_services, services

    commitment = complete_commitment(status=Status.AGREED)
    reviewer = UserFactory(groups=["revisores"], entity=commitment.lead_entity)
    services.assign_review(commitment=commitment, actor=secretariat, reason="Reunión técnica")
    services.decide_review(commitment=commitment, actor=reviewer, approve=True, reason="Conforme")
    version = plan_services.create_draft(plan=commitment.plan, actor=secretariat)
    plan_services.set_items(version=version, commitment_ids=[commitment.pk], actor=secretariat)
    plan_services.freeze(version=version, actor=secretariat)
    return version


# consultations


def open_consultation():
    return ConsultationFactory(items=[CommitmentFactory(status=Status.IN_CONSULTATION)])


@row("comment on a proposal", "consultations.forms.CommentForm", role="citizen")
def _comment(user):
    consultation = open_consultation()
    item = consultation.items.get()
    return post(f"/consultas/{consultation.slug}/propuestas/{item.pk}/comentar/", {"text": "", "stance": "x"})


@row("comment on a paragraph", "consultations.forms.CommentForm", role="citizen")
def _comment_paragraph(user):
    consultation = document_consultation()
    return post(f"/consultas/{consultation.slug}/parrafos/p1/comentar/", {"text": ""})


@row("comment on a whole document", "consultations.forms.CommentForm", role="citizen")
def _comment_document(user):
    consultation = document_consultation()
    return post(f"/consultas/{consultation.slug}/comentar/", {"text": ""})


@row("reply to a comment", "consultations.forms.CommentForm", role="citizen")
def _reply(user):
    consultation = open_consultation()
    parent = comment(consultation=consultation, author=UserFactory())
    return post(f"/consultas/aportes/{parent.pk}/responder/", {"text": ""})


@row("edit my comment", "consultations.forms.EditForm", role="citizen")
def _edit_comment(user):
    mine = comment(consultation=open_consultation(), author=user)
    return post(f"/consultas/aportes/{mine.pk}/editar/", {"text": ""})


@row("report a comment", "consultations.forms.FlagForm", role="citizen")
def _flag(user):
    theirs = comment(consultation=open_consultation(), author=UserFactory())
    return post(f"/consultas/aportes/{theirs.pk}/reportar/", {})


@row("moderation queue filters", "consultations.staff_forms.ModerationFilterForm", role="secretariat")
def _moderation_filters(user):
    return get("/gestion/consultas/moderacion/", {"estado": "x", "consulta": "ninguna"})


@row("moderation log filters", "consultations.staff_forms.LogFilterForm", role="secretariat")
def _log_filters(user):
    return get("/gestion/consultas/moderacion/registro/", {"accion": "x"})


@row("hide a comment", "consultations.staff_forms.HideForm", role="secretariat")
def _hide(user):
    theirs = comment(consultation=open_consultation(), author=UserFactory())
    return post(f"/gestion/consultas/moderacion/aportes/{theirs.pk}/ocultar/", {})


@row("restore a comment", "consultations.staff_forms.RestoreForm", role="secretariat")
def _restore(user):
    from consultations import services

    theirs = comment(consultation=open_consultation(), author=UserFactory())
    services.hide(contribution=theirs, actor=user, reason="Datos personales")
    return post(
        f"/gestion/consultas/moderacion/aportes/{theirs.pk}/restaurar/", {"restaurar-reason": "x" * 5000}
    )


@row("block an author", "consultations.staff_forms.BlockForm", role="secretariat")
def _block(user):
    theirs = comment(consultation=open_consultation(), author=UserFactory())
    return post(f"/gestion/consultas/moderacion/aportes/{theirs.pk}/bloquear/", {})


@row("contribution from another channel", "consultations.staff_forms.OtherChannelForm", role="secretariat")
def _other_channel(user):
    consultation = open_consultation()
    return post(f"/gestion/consultas/{consultation.slug}/otros-canales/nuevo/", {"received_on": "ayer"})


@row("responses: filters", "consultations.staff_forms.ResponsesFilterForm", role="secretariat")
def _responses_filters(user):
    consultation = open_consultation()
    return get(f"/gestion/consultas/{consultation.slug}/respuestas/", {"estado": "x", "item": "999999"})


@row("responses: template chooser", "consultations.staff_forms.TemplateChoiceForm", role="secretariat")
def _template_chooser(user):
    from consultations.models import ResponseTemplate

    ResponseTemplate.objects.create(title="Incorporado", disposition="incorporado", text="Se incorporó.")
    consultation = open_consultation()
    return get(f"/gestion/consultas/{consultation.slug}/respuestas/", {"plantilla": "999999"})


@row(
    "responses: filters and template chooser both wrong",
    "consultations.staff_forms.ResponsesFilterForm",
    "consultations.staff_forms.TemplateChoiceForm",
    role="secretariat",
)
def _responses_filters_and_chooser(user):
    from consultations.models import ResponseTemplate

    ResponseTemplate.objects.create(title="Incorporado", disposition="incorporado", text="Se incorporó.")
    consultation = open_consultation()
    return get(f"/gestion/consultas/{consultation.slug}/respuestas/", {"estado": "x", "plantilla": "999999"})


@row("responses: answer in bulk", "consultations.staff_forms.BulkRespondForm", role="secretariat")
def _bulk_respond(user):
    consultation = open_consultation()
    comment(consultation=consultation, author=UserFactory())
    return post(f"/gestion/consultas/{consultation.slug}/respuestas/", {"disposition": "x"})


@row("answer one contribution", "consultations.staff_forms.RespondForm", role="secretariat")
def _respond(user):
    theirs = comment(consultation=open_consultation(), author=UserFactory())
    return post(f"/gestion/consultas/aportes/{theirs.pk}/responder/", {})


@row("response template", "consultations.staff_forms.ResponseTemplateForm", role="secretariat")
def _response_template(user):
    return post("/gestion/consultas/plantillas/nueva/", {})


# workshops


@row("events list filters", "filter:workshops.filters.EventFilter")
def _event_filters(user):
    current_plan()
    return get("/talleres/", {"tipo": "x", "mes": "octubre"})


@row("repository filters", "filter:workshops.filters.DocumentFilter")
def _document_filters(user):
    current_plan()
    return get("/repositorio/", {"tipo": "x", "evento": "ninguno"})


@row("register for an event", "workshops.registration_forms.RegistrationForm")
def _register(user):
    event = EventFactory()
    return post(f"/talleres/{event.slug}/inscripcion/", {"email": "no-es-un-correo"})


@row("staff events filters", "workshops.staff_forms.EventFilterForm", role="secretariat")
def _staff_event_filters(user):
    current_plan()
    return get("/gestion/talleres/", {"tipo": "x", "estado": "y"})


@row("new event", "workshops.staff_forms.EventForm", role="secretariat")
def _event_create(user):
    current_plan()
    return post("/gestion/talleres/nuevo/", {"starts_at": "mañana"})


@row("edit an event", "workshops.staff_forms.EventForm", role="secretariat")
def _event_edit(user):
    event = EventFactory()
    return post(f"/gestion/talleres/{event.slug}/editar/", {"title": ""})


@row("cancel an event", "workshops.staff_forms.CancelForm", role="secretariat")
def _event_cancel(user):
    event = EventFactory()
    return post(f"/gestion/talleres/{event.slug}/cancelar/", {})


@row("reschedule an event", "workshops.staff_forms.RescheduleForm", role="secretariat")
def _event_reschedule(user):
    from workshops import services

    event = EventFactory()
    services.cancel_event(event=event, actor=user, reason="Paro regional")
    return post(f"/gestion/talleres/{event.slug}/reprogramar/", {})


@row("an event was held", "workshops.staff_forms.HeldForm", role="secretariat")
def _event_held(user):
    event = held_event()
    return post(f"/gestion/talleres/{event.slug}/realizado/", {"attended": "-3"})


@row("attendance: check in", "workshops.staff_forms.CheckInForm", role="secretariat")
def _check_in(user):
    event = held_event()
    RegistrationFactory(event=event)
    return post(f"/gestion/talleres/{event.slug}/asistencia/registrar/", {"inscripciones": "999999"})


@row("attendance: walk-in", "workshops.staff_forms.WalkInForm", role="secretariat")
def _walk_in(user):
    event = held_event()
    return post(f"/gestion/talleres/{event.slug}/asistencia/sin-inscripcion/", {"email": "no-es-un-correo"})


@row("upload a document", "workshops.staff_forms.DocumentForm", role="secretariat")
def _document(user):
    current_plan()
    return post("/gestion/talleres/documentos/nuevo/", {})


@row("an event's contribution typed in", "workshops.outcome_forms.EventInputForm", role="secretariat")
def _input(user):
    event = held_event()
    return post(f"/gestion/talleres/{event.slug}/aportes/nuevo/", {})


@row("import an event's contributions", "workshops.outcome_forms.ImportForm", role="secretariat")
def _import(user):
    event = held_event()
    return post(f"/gestion/talleres/{event.slug}/aportes/importar/", {})


@row("link a proposal to an event", "workshops.outcome_forms.LinkProposalForm", role="secretariat")
def _link_proposal(user):
    event = held_event()
    return post(f"/gestion/talleres/{event.slug}/propuestas/", {"commitment": "999999"})


@row("a new proposal from an event", "workshops.outcome_forms.NewProposalForm", role="secretariat")
def _new_proposal(user):
    event = held_event()
    return post(f"/gestion/talleres/{event.slug}/propuestas/nueva/", {})


@row("a national table's decision", "workshops.outcome_forms.DecisionForm", role="secretariat")
def _decision(user):
    event = national_table()
    commitment = CommitmentFactory(status=Status.IN_CONSULTATION)
    event.proposals.add(commitment)
    return post(f"/gestion/talleres/{event.slug}/decisiones/{commitment.pk}/", {"decision": "x"})


# --- The tests ---------------------------------------------------------------------------------------------

# Forms with nothing to type, or never shown with errors: why each one has no row.
NOT_SUBMITTED = {
    "allauth.mfa.totp.forms.DeactivateTOTPForm": "a confirmation button, no field",
    "workshops.staff_forms.ReasonForm": "base class of CancelForm and RescheduleForm",
    "consultations.staff_forms.ReasonForm": "base class of HideForm and BlockForm",
    # The back office's forms: the Django admin shows their errors its own way (test_admin_values.py).
    "paga.validators.SensibleModelForm": "base class of the back office's forms",
    "paga.admin.ConsentForm": "back office",
    "consultations.admin.ConsultationForm": "back office",
    "workshops.admin.EventForm": "back office",
    "workshops.admin.ForumMemberForm": "back office",
}


def dotted(cls) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


def portal_forms() -> set[str]:
    """Every Form and FilterSet class defined in the portal's apps."""
    found = set()
    for app in APPS:
        package = importlib.import_module(app)
        for info in pkgutil.iter_modules(package.__path__):
            if info.name in ("migrations", "management", "tests", "settings", "wsgi", "asgi", "celery"):
                continue
            module = importlib.import_module(f"{app}.{info.name}")
            for _, cls in inspect.getmembers(module, inspect.isclass):
                if cls.__module__ != module.__name__:
                    continue
                if issubclass(cls, forms.BaseForm):
                    found.add(dotted(cls))
                elif issubclass(cls, django_filters.FilterSet):
                    found.add(f"filter:{dotted(cls)}")
    return found


def allauth_forms() -> set[str]:
    """The allauth forms of the pages the portal serves (its URLconf under /cuenta/)."""
    from allauth import app_settings as allauth_settings
    from allauth.account import app_settings as account_settings

    names = {
        "allauth.account.forms.LoginForm",
        "allauth.account.forms.SignupForm",
        "allauth.account.forms.ResetPasswordForm",
        "allauth.account.forms.ResetPasswordKeyForm",
        "allauth.account.forms.ChangePasswordForm",
        "allauth.account.forms.SetPasswordForm",
        "allauth.account.forms.AddEmailForm",
        "allauth.account.forms.ReauthenticateForm",
    }
    if account_settings.LOGIN_BY_CODE_ENABLED:
        names.add("allauth.account.forms.ConfirmLoginCodeForm")
    if allauth_settings.MFA_ENABLED:
        names |= {
            "allauth.mfa.base.forms.AuthenticateForm",
            "allauth.mfa.base.forms.ReauthenticateForm",
            "allauth.mfa.totp.forms.ActivateTOTPForm",
            "allauth.mfa.totp.forms.DeactivateTOTPForm",
            "allauth.mfa.recovery_codes.forms.GenerateRecoveryCodesForm",
        }
    return names


def test_every_form_of_the_portal_has_a_row():
    covered = {name for r in FORMS for name in r.forms} | set(NOT_SUBMITTED)
    assert {importable(name) for name in covered}  # no stale name in the table
    missing = (portal_forms() | allauth_forms()) - covered
    assert missing == set(), f"forms with no row in FORMS: {sorted(missing)}"
    assert len(FORMS) >= 60


def importable(name: str) -> type:
    name = name.removeprefix("filter:")
    module, _, attr = name.rpartition(".")
    return getattr(importlib.import_module(module), attr)


def english_client() -> Client:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def submit(client: Client, method: str, url: str, data: dict, user):
    if method == "get":
        return client.get(url, data)
    if method == "post":
        return client.post(url, data)
    if method == "fresh":  # allauth asks for the password again before the way of signing in changes
        assert client.post("/cuenta/reauthenticate/", {"password": PASSWORD}).status_code == 302
        client.get(url)
        return client.post(url, data)
    if method == "mfa-stage":  # a member of staff typed the password; the page asks the code
        staff = UserFactory(groups=["secretaria"], is_staff=True)
        signed = client.post("/cuenta/login/", {"login": staff.email, "password": PASSWORD})
        assert signed["Location"] == url
        return client.post(url, data)
    if method == "reset-key":  # allauth keeps the key in the session and redirects to a keyless address
        answer = client.get(url)
        assert answer.status_code == 302, answer.status_code
        return client.post(answer["Location"], data)
    raise AssertionError(method)


@pytest.mark.parametrize("case", FORMS, ids=[r.name for r in FORMS])
def test_invalid_submission_shows_a_summary_linking_each_field_in_error(request, case):
    cache.clear()  # rate limits (sign-in, posting) live in the cache
    user = request.getfixturevalue(case.role) if case.role else None
    method, url, data = case.build(user)
    client = english_client()
    if user is not None:
        client.force_login(User.objects.get(pk=user.pk))  # as the row left them (a password unset…)
    response = submit(client, method, url, data, user)
    expected = {importable(name) for name in case.forms}
    assert_error_summary(response, expected)
