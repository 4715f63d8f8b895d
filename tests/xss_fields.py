"""Every text a person types into the forum (issue 4) and the workshops (issue 7), each holding every payload
of an XSS corpus, and the pages that show them: the data and the walk shared by the in-process check of
the whole corpus (tests/security/test_xss_escaping.py) and the browser check of a sample of it
(tests/browser/test_xss.py).

Each payload is stored through the services exactly as a person would type it, read back unchanged from
the database, and shown on every page that shows the field:

- a forum comment (markdown), a reply, and a reply edited within the 15 minutes: the proposal's thread,
  signed out and signed in, the responses report, the staff moderation queue and responses list, and the
  reply, report, edit, moderation and respond pages of a sample of comments;
- the display name a person chose at signup (paga.services.record_signup): beside each comment, in the
  report, the moderation queue, the blocked people, the staff pages;
- the name or organisation given for another channel, and its text, recorded by the Secretaría: the
  paragraph's thread, the report, the staff responses list;
- the reason of a hide ("Hidden by moderation: <reason>") and of a block: the paragraph's thread, "Mis
  aportes", the moderation queue, the blocked people, the moderation log, the contribution's page;
- the reason of a response: under the contribution, in the report, in "Mis aportes", on the respond page;
- a response template's title and text: the templates list, the template chooser and the form it fills;
- in the workshops (`build_workshops`): an event's title, summary, agenda, venue, address, province and
  cancel reason; a registration's and a walk-in's name and organisation; the name and text of each row of
  an imported input sheet; a national table's decision notes; a document's title and file name; the
  forum's name, rules and members.

The walks (`walk_forum`, `walk_workshops`) visit the pages through a visitor, one per person, opened by
`open_visitor(user)` (None: signed out). A visitor has `visit(path, shows=..., articles=...)` (load the
page, record in `problems[path]` anything live on it and any expected typed text it does not show),
`holds(path, selector, typed)` (the form field of the page just visited holds exactly what was typed),
`seen` and `showed_all(what, texts)` (every text shown on the pages visited since `seen` was emptied),
`problems` and `close()`. The walk returns every visitor's problems: {} when every page is clean.
"""

from __future__ import annotations

import copy
import csv
import datetime
import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from urllib.parse import quote

from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from commitments.models import Commitment
from commitments.models import Status as CommitmentStatus
from consultations import responses, services
from consultations.models import (
    Block,
    Consultation,
    Contribution,
    ContributionVersion,
    Disposition,
    Follow,
    ModerationAction,
    Paragraph,
    Response,
    ResponseTemplate,
)
from consultations.staff_forms import ResponseTemplateForm
from paga.models import ActorType, Channel, User
from paga.services import record_signup
from paga.uploads import safe_name
from tests.commitments.factories import CommitmentFactory, current_plan
from tests.consultations.factories import ConsultationFactory, comment, document_consultation
from tests.factories import UserFactory
from tests.workshops._outcomes import proposals_in_consultation
from tests.workshops.factories import region
from workshops import outcomes, registrations
from workshops import services as events
from workshops.models import (
    Attendance,
    Decision,
    Document,
    DocumentType,
    Event,
    ForumMember,
    Kind,
    Registration,
    TableDecision,
)
from workshops.models import Forum as StakeholderForum

PER_PAGE = 50  # top-level comments on a page of a thread; rows on a staff list
NOT_INCORPORATED = Disposition.NOT_INCORPORATED
REGIONAL, NATIONAL = Kind.REGIONAL_WORKSHOP, Kind.NATIONAL_TABLE
BREAKOUT = re.compile(r"\">|'>|</(textarea|title|option)>")


@dataclass
class Corpus:
    """The payloads typed into every field, and what follows from them."""

    payloads: list[str]
    spread: int | None = 11  # the pages of one item: every `spread`-th payload's and every breakout's

    @property
    def n(self) -> int:
        return len(self.payloads)

    @cached_property
    def names(self) -> list[str]:
        """The payloads a signup form takes as a display name (no longer than the field)."""
        limit = User._meta.get_field("display_name").max_length
        return [p for p in self.payloads if len(p) <= limit]

    @cached_property
    def line(self) -> list[str]:
        """Each payload in a one-line field: a typed newline is a space there."""
        return [" ".join(p.split()) for p in self.payloads]

    @cached_property
    def breakouts(self) -> list[int]:
        """The payloads that try to leave an attribute, a <textarea>, the <title> or a <select>."""
        return [i for i, p in enumerate(self.payloads) if BREAKOUT.match(p)]

    @cached_property
    def sample(self) -> list[int]:
        """The pages of one contribution, event or template are the same templates for every payload: a
        sample, spread over the corpus and with every breakout (attribute, textarea, title, select)."""
        spread = set(range(0, self.n, self.spread)) if self.spread else set()
        return sorted(set(self.breakouts) | spread)

    @cached_property
    def title_breakout(self) -> int:
        """The payload that is the title of the event with places."""
        return next(i for i, p in enumerate(self.payloads) if p.startswith("</title>"))


# --- The forum: every field holding every payload -------------------------------------------------------
@dataclass
class Forum:
    corpus: Corpus
    items: Consultation  # on a proposal: comments, replies, names, responses
    proposal: Commitment
    document: Consultation  # on a paragraph: other channels, hidden comments, their responses
    paragraph: Paragraph
    authors: list[User]  # each with a display name from the corpus, later blocked with a reason
    top: list[Contribution]  # comment i says payloads[i]
    replies: list[Contribution]  # reply i: posted as a draft, edited to payloads[i]
    recorded: list[Contribution]  # other channel i: name and text payloads[i]
    hidden: list[Contribution]  # `mine`'s comment i, hidden with the reason payloads[i]
    templates: list[ResponseTemplate]
    mine: User
    replier: User
    staff: User


def signed_up(name: str) -> User:
    """A person who typed `name` as their display name at signup (the signup form's own service)."""
    user = UserFactory(display_name="", groups=[])
    record_signup(user=user, display_name=name, consented=True)
    return user


def build_forum(corpus: Corpus, secretariat: User) -> Forum:
    cache.clear()  # rendered contributions and rate limits live in the cache, which outlives a test
    payloads = corpus.payloads
    items = ConsultationFactory(
        slug="xss-propuestas",
        title="Foro XSS: propuestas",
        items=[CommitmentFactory(status=CommitmentStatus.IN_CONSULTATION)],
    )
    proposal = items.items.get()
    document = document_consultation(slug="xss-documento", title="Foro XSS: documento")
    paragraph = document.paragraphs.get(key="p1")
    authors = [signed_up(name) for name in corpus.names]
    replier, mine, flagger = signed_up("Réplica"), signed_up("Mía"), signed_up("Reporta")
    # Nobody follows the proposal (commenting would follow it): no email to every author on each comment.
    Follow.objects.bulk_create(Follow(user=u, commitment=proposal, active=False) for u in [*authors, replier])
    top, replies, recorded, hidden = [], [], [], []
    for i, payload in enumerate(payloads):
        t = comment(consultation=items, author=authors[i % len(authors)], text=payload)
        services.flag(contribution=t, user=flagger, reason="spam")
        responses.respond(contribution=t, actor=secretariat, disposition=NOT_INCORPORATED, reason=payload)
        r = comment(consultation=items, author=replier, parent=t, text=f"Borrador {i}")
        r = services.edit_comment(contribution=r, author=replier, text=payload)
        o = services.record_other_channel(
            consultation=document,
            actor=secretariat,
            channel=Channel.EMAIL,
            received_on=timezone.localdate() - datetime.timedelta(days=1),
            given_name=payload,
            text=payload,
            paragraph=paragraph,
        )
        responses.respond(contribution=o, actor=secretariat, disposition=NOT_INCORPORATED, reason=payload)
        top.append(t)
        replies.append(r)
        recorded.append(o)
    for payload in payloads:  # after the other channels: they fill the paragraph's first pages
        h = comment(consultation=document, author=mine, paragraph=paragraph, text=payload)
        h = services.hide(contribution=h, actor=secretariat, reason=payload)
        responses.respond(contribution=h, actor=secretariat, disposition=NOT_INCORPORATED, reason=payload)
        hidden.append(h)
    for author, payload in zip(authors, payloads, strict=False):
        services.block(user=author, actor=secretariat, reason=payload)
    templates = []
    for payload in payloads:
        form = ResponseTemplateForm({"title": payload, "disposition": NOT_INCORPORATED, "text": payload})
        assert form.is_valid(), form.errors
        templates.append(form.save())
    for c in hidden:
        c.refresh_from_db()
    return Forum(
        corpus, items, proposal, document, paragraph, authors, top, replies, recorded, hidden, templates,
        mine, replier, secretariat,
    )  # fmt: skip


def assert_forum_stored_as_typed(f: Forum) -> None:
    payloads, n = f.corpus.payloads, f.corpus.n

    def texts(rows):
        return [Contribution.objects.get(pk=c.pk).text for c in rows]

    assert [User.objects.get(pk=u.pk).display_name for u in f.authors] == f.corpus.names
    assert texts(f.top) == payloads
    assert texts(f.replies) == payloads
    assert [v.text for v in ContributionVersion.objects.filter(contribution__in=f.replies)] == [
        f"Borrador {i}" for i in range(n)
    ]
    assert texts(f.recorded) == payloads
    assert [Contribution.objects.get(pk=c.pk).given_name for c in f.recorded] == payloads
    assert texts(f.hidden) == payloads
    assert [Contribution.objects.get(pk=c.pk).hidden_reason for c in f.hidden] == payloads
    hides = ModerationAction.objects.filter(action=ModerationAction.Action.HIDE).order_by("pk")
    assert [a.reason for a in hides] == payloads
    assert [b.reason for b in Block.objects.order_by("pk")] == payloads[: len(f.authors)]
    for rows in (f.top, f.recorded, f.hidden):
        assert [Response.objects.get(contribution=c).reason for c in rows] == payloads
    templates = ResponseTemplate.objects.order_by("pk")
    assert [t.title for t in templates] == payloads
    assert [t.text for t in templates] == payloads


def pages_of(rows: list, per_page: int = PER_PAGE) -> list[list]:
    return [rows[i : i + per_page] for i in range(0, len(rows), per_page)]


def _name(c: Contribution) -> str:
    return c.author.display_name if c.author_id else c.given_name


def _hidden_line(c: Contribution) -> str:
    return f"Hidden by moderation: {c.hidden_reason}"


def _public_pages(visitor, f: Forum, *, signed_in: bool) -> None:
    proposal = f.proposal.get_absolute_url()
    for n, chunk in enumerate(pages_of(list(zip(f.top, f.replies, strict=True))), start=1):
        visitor.visit(
            f"{proposal}?comentarios={n}",
            shows=[_name(t) for t, _ in chunk]
            + [Response.objects.get(contribution=t).reason for t, _ in chunk],
            articles=2 * len(chunk),
        )
    if signed_in:
        return
    paragraph = f"/consultas/{f.document.slug}/parrafos/{f.paragraph.key}/"
    for n, chunk in enumerate(pages_of(f.recorded + f.hidden), start=1):
        visitor.visit(
            f"{paragraph}?comentarios={n}",
            shows=[c.given_name for c in chunk if not c.author_id]
            + [_hidden_line(c) for c in chunk if c.is_hidden]
            + [Response.objects.get(contribution=c).reason for c in chunk],
            articles=len(chunk),
        )
    everyone = f.top + f.replies
    visitor.visit(
        f"/consultas/{f.items.slug}/respuestas/",
        shows=[_name(c) for c in everyone] + [c.text for c in everyone] + f.corpus.payloads,
    )
    visitor.visit(
        f"/consultas/{f.document.slug}/respuestas/",
        shows=[c.given_name for c in f.recorded] + [c.text for c in f.recorded] + f.corpus.payloads,
    )


def walk_forum(f: Forum, open_visitor: Callable) -> dict[str, list[str]]:
    """Every page of the forum that shows a typed text, as each person who sees it; their problems."""
    corpus = f.corpus
    payloads, names = corpus.payloads, corpus.names
    problems = {}

    anonymous = open_visitor(None)
    _public_pages(anonymous, f, signed_in=False)
    problems.update(anonymous.problems)
    anonymous.close()

    replier = open_visitor(f.replier)  # may edit its replies: other fragments
    _public_pages(replier, f, signed_in=True)
    for i in corpus.sample:
        replier.visit(f"/consultas/aportes/{f.top[i].pk}/responder/", shows=[names[i % len(names)]])
        replier.visit(f"/consultas/aportes/{f.top[i].pk}/reportar/", shows=[names[i % len(names)]])
        edit = f"/consultas/aportes/{f.replies[i].pk}/editar/"
        replier.visit(edit)
        replier.holds(edit, "textarea[name=text]", payloads[i])
    problems.update({f"replier {k}": v for k, v in replier.problems.items()})
    replier.close()

    mine = open_visitor(f.mine)
    mine.visit(
        "/mis-aportes/",
        shows=[c.text for c in f.hidden] + [_hidden_line(c) for c in f.hidden] + payloads,
    )
    paragraph = f"/consultas/{f.document.slug}/parrafos/{f.paragraph.key}/"
    for n in range(len(f.recorded) // PER_PAGE + 1, len(pages_of(f.recorded + f.hidden)) + 1):
        mine.visit(f"{paragraph}?comentarios={n}")  # the author reads their hidden texts
    problems.update({f"mine {k}": v for k, v in mine.problems.items()})
    mine.close()

    staff = open_visitor(f.staff)
    queue = "/gestion/consultas/moderacion/"
    for n, chunk in enumerate(pages_of(f.top), start=1):
        staff.visit(f"{queue}?pagina={n}", shows=[_name(c) for c in chunk])
    for n, chunk in enumerate(pages_of(f.hidden), start=1):
        staff.visit(f"{queue}?estado=oculto&pagina={n}", shows=[_hidden_line(c) for c in chunk])
    staff.visit(f"{queue}bloqueos/", shows=names + payloads[: len(names)])
    log = list(ModerationAction.objects.exclude(reason="").order_by("-created", "-pk"))
    for n, chunk in enumerate(pages_of(log), start=1):
        staff.visit(f"{queue}registro/?pagina={n}", shows=[a.reason for a in chunk])
    for slug, rows in ((f.items.slug, f.top + f.replies), (f.document.slug, f.recorded + f.hidden)):
        rows = sorted(rows, key=lambda c: (c.created, c.pk))
        for n, chunk in enumerate(pages_of(rows), start=1):
            staff.visit(
                f"/gestion/consultas/{slug}/respuestas/?pagina={n}",
                shows=[_name(c) for c in chunk] + [c.text for c in chunk],
            )
    staff.visit("/gestion/consultas/plantillas/", shows=payloads)
    for i in corpus.sample:
        t = f.templates[i]
        chooser = f"/gestion/consultas/{f.items.slug}/respuestas/?plantilla={t.pk}"
        staff.visit(chooser, shows=payloads)  # every title among the options, this one in the sentence
        staff.holds(chooser, "textarea[name=reason]", payloads[i])
        staff.visit(f"/gestion/consultas/plantillas/{t.pk}/editar/")
        c = (f.top[i], f.hidden[i], f.recorded[i])[i % 3]  # a comment, a hidden one, another channel's
        reasons = [c.hidden_reason] if c.is_hidden else []
        staff.visit(f"{queue}aportes/{c.pk}/", shows=[_name(c), *reasons])  # text, name, history
        staff.visit(f"/gestion/consultas/aportes/{c.pk}/responder/", shows=[_name(c), *reasons, payloads[i]])
    problems.update({f"staff {k}": v for k, v in staff.problems.items()})
    staff.close()
    return problems


# --- The workshops (issue 7) ------------------------------------------------------------------------------
# Every text typed into the workshops app, each holding every payload, through the services the staff
# and registration forms call: an event's title, summary, agenda, venue, address and province, and the
# reason it was cancelled (the public list, calendar and page, the staff pages and edit form); the name and
# organisation of a registration (the staff event page, the attendance list) and of a walk-in; the name
# and text of each contribution of an input sheet (CSV, imported as a file: quotes, commas and newlines
# included) on the proposal's thread, the event's inputs list and the staff responses list; a national
# table's decision notes (the table's public page, the proposal's page, the staff decisions and form);
# a document's title and the name its file was sent with (the repository, the event's page, the staff
# documents list); the forum's name, rules and members' organisations and representatives. The sectors of
# a decision and every other choice are codes checked against a list: no text gets through them.
@dataclass
class Workshops:
    corpus: Corpus
    events: list  # event i: title, venue, address = line[i]; summary, agenda = payloads[i]; cancelled
    registered: object  # registration i: name and organisation line[i]
    held: object  # walk-in i: name and organisation line[i]; input i from the sheet; document i
    table: object  # national table: decision i on proposal i, notes payloads[i]
    proposal: Commitment  # the proposal the sheet's inputs are about
    consultation: Consultation
    proposals: list  # credited to the table
    inputs: list  # Contribution i: given name line[i], text payloads[i]
    documents: list
    forum: object
    staff: User


def _sheet(corpus: Corpus, number: int) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["propuesta", "nombre", "tipo_actor", "texto"])
    for i in range(corpus.n):
        writer.writerow([str(number), corpus.line[i], "sociedad_civil", corpus.payloads[i]])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def build_workshops(corpus: Corpus, secretariat: User) -> Workshops:
    cache.clear()
    payloads, line, n = corpus.payloads, corpus.line, corpus.n
    plan = current_plan()
    lima = datetime.timezone(datetime.timedelta(hours=-5))
    today = timezone.localdate()

    def at(days: int, hour: int) -> datetime.datetime:
        day = today + datetime.timedelta(days=days)
        return datetime.datetime(day.year, day.month, day.day, hour, tzinfo=lima)

    where = region("Arequipa")
    created = []
    for i in range(n):
        values = {
            "kind": REGIONAL, "title": line[i], "summary": payloads[i], "agenda": payloads[i],
            "venue": line[i], "address": line[i], "province": line[i][:80], "region": where,
            "starts_at": at(7, 10), "ends_at": at(7, 17),
        }  # fmt: skip
        event = events.create_event(plan=plan, actor=secretariat, values=values)
        created.append(events.cancel_event(event=event, actor=secretariat, reason=payloads[i]))

    registered = events.create_event(
        plan=plan,
        actor=secretariat,
        values={
            "kind": REGIONAL, "title": line[corpus.title_breakout], "region": where,
            "starts_at": at(8, 10), "ends_at": at(8, 17), "capacity": n + 5,
            "registration_opens_at": timezone.now() - datetime.timedelta(days=1),
            "registration_closes_at": at(7, 10),
        },
    )  # fmt: skip
    for i in range(n):
        r = registrations.register(
            event=registered,
            email=f"inscrita{i}@cocrea.test",
            name=line[i],
            actor_type=ActorType.CIVIL_SOCIETY,
            organisation=line[i],
        )
        registrations.confirm(key=r.key)

    [proposal], consultation = proposals_in_consultation(numbers=(41,))
    held = events.create_event(
        plan=plan,
        actor=secretariat,
        values={"kind": REGIONAL, "title": "Taller realizado", "region": where,
                "starts_at": at(-1, 10), "ends_at": at(-1, 17)},
    )  # fmt: skip
    for i in range(n):
        events.add_walk_in(
            event=held, actor=secretariat, name=line[i], actor_type=ActorType.ACADEMIA, organisation=line[i]
        )
    rows = outcomes.import_input_sheet(event=held, actor=secretariat, data=_sheet(corpus, 41))
    inputs = [row.contribution for row in rows]
    documents = [
        events.upload_document(
            plan=plan,
            actor=secretariat,
            upload=SimpleUploadedFile(f"{line[i]} acta.txt", b"Acta de la reunion.\n", "text/plain"),
            title=line[i],
            doc_type=DocumentType.MINUTES,
            dated=today,
            event=held,
        )
        for i in range(n)
    ]

    table = events.create_event(
        plan=plan,
        actor=secretariat,
        values={"kind": NATIONAL, "title": "Mesa nacional", "starts_at": at(-1, 9), "ends_at": at(-1, 13)},
    )
    proposals = [
        outcomes.create_proposal(event=table, actor=secretariat, title=f"Propuesta de la mesa {i}")
        for i in range(n)
    ]
    for i, p in enumerate(proposals):
        outcomes.record_decision(
            event=table,
            commitment=p,
            actor=secretariat,
            decision=Decision.CONSENSUS,
            notes=payloads[i],
            sectors_present=[ActorType.ACADEMIA, ActorType.CIVIL_SOCIETY],
        )

    # The forum's rows are kept in the back office: its form, as the administrator types in it.
    forum = StakeholderForum(plan=plan, name=line[corpus.breakouts[0]], rules="\n\n".join(payloads))
    forum.full_clean()
    forum.save()
    for i in range(n):
        member = ForumMember(
            forum=forum, organisation=line[i], representative=line[i], sector=ForumMember.Sector.ACADEMIA
        )
        member.full_clean()
        member.save()
    for d in documents:
        d.refresh_from_db()
    return Workshops(
        corpus, created, registered, held, table, proposal, consultation, proposals, inputs, documents,
        forum, secretariat,
    )  # fmt: skip


def assert_workshops_stored_as_typed(w: Workshops) -> None:
    corpus = w.corpus
    payloads, line = corpus.payloads, corpus.line

    def values(model, rows, *fields):
        stored = {r["pk"]: r for r in model.objects.filter(pk__in=[r.pk for r in rows]).values("pk", *fields)}
        return [tuple(stored[r.pk][f] for f in fields) for r in rows]

    fields = ("title", "venue", "address", "summary", "agenda", "cancel_reason", "province")
    typed = [(t, t, t, p, p, t, t[:80]) for t, p in zip(line, payloads, strict=True)]
    assert values(Event, w.events, *fields) == typed
    people = w.registered.registrations.order_by("pk").values_list("name", "organisation", "state")
    assert list(people) == [(t, t, Registration.State.CONFIRMED) for t in line]
    walk_ins = Attendance.objects.filter(event=w.held).order_by("pk").values_list("name", "organisation")
    assert list(walk_ins) == [(t, t) for t in line]
    assert values(Contribution, w.inputs, "given_name", "text") == list(zip(line, payloads, strict=True))
    names = [safe_name(f"{t} acta.txt".rsplit("/", 1)[-1]) for t in line]
    assert values(Document, w.documents, "title", "original_name") == list(zip(line, names, strict=True))
    notes = TableDecision.objects.filter(event=w.table).order_by("commitment_id").values_list("notes")
    assert [n for (n,) in notes] == payloads
    w.forum.refresh_from_db()
    assert (w.forum.name, w.forum.rules) == (line[corpus.breakouts[0]], "\n\n".join(payloads))
    members = w.forum.members.order_by("pk").values_list("organisation", "representative")
    assert list(members) == [(t, t) for t in line]


def walk_workshops(w: Workshops, open_visitor: Callable) -> dict[str, list[str]]:
    """Every page of the workshops that shows a typed text, signed out and as the Secretaría."""
    corpus = w.corpus
    payloads, line = corpus.payloads, corpus.line
    month = timezone.localtime(w.events[0].starts_at).strftime("%Y-%m")
    texts = line + payloads

    anonymous = open_visitor(None)
    anonymous.visit("/talleres/", shows=line)  # titles, places and cancel reasons of every event
    anonymous.visit(f"/talleres/calendario/?mes={month}", shows=line)
    for i in corpus.sample:
        anonymous.visit(w.events[i].get_absolute_url(), shows=[line[i], payloads[i]])
    anonymous.visit(w.registered.get_absolute_url(), shows=[line[corpus.title_breakout]])
    anonymous.visit(f"{w.registered.get_absolute_url()}inscripcion/", shows=[line[corpus.title_breakout]])
    registered = list(w.registered.registrations.order_by("pk"))
    for i in corpus.sample:  # the link in every email: the registration's name, the event's title
        anonymous.visit(f"/talleres/inscripcion/{registered[i].key}/cancelar/", shows=[line[i]])
    anonymous.visit(w.held.get_absolute_url(), shows=line)  # its documents
    anonymous.visit(w.table.get_absolute_url())
    anonymous.visit("/repositorio/", shows=line)
    anonymous.visit("/foro-multiactor/", shows=[w.forum.name, *texts])
    proposal = w.proposal.get_absolute_url()
    for n, chunk in enumerate(pages_of(w.inputs), start=1):
        anonymous.visit(
            f"{proposal}?comentarios={n}",
            shows=[c.given_name for c in chunk] + [c.text for c in chunk],
            articles=len(chunk),
        )
    problems = dict(anonymous.problems)
    anonymous.close()

    staff = open_visitor(w.staff)
    desk = "/gestion/talleres/"
    everything = [*w.events, w.registered, w.held, w.table]
    staff.seen = ""
    for n in range(1, len(pages_of(everything)) + 1):
        staff.visit(f"{desk}?pagina={n}")
    staff.showed_all("staff events list", line)
    for i in corpus.sample:
        event = w.events[i]
        staff.visit(f"{desk}{event.slug}/", shows=[line[i]])
        edit = f"{desk}{event.slug}/editar/"
        staff.visit(edit)
        for name, typed in (("title", line[i]), ("venue", line[i]), ("address", line[i])):
            staff.holds(edit, f"input[name={name}]", typed)
        for name in ("summary", "agenda"):
            staff.holds(edit, f"textarea[name={name}]", payloads[i])
    staff.visit(f"{desk}{w.registered.slug}/", shows=line)  # names and organisations: 100 a page
    staff.visit(f"{desk}{w.registered.slug}/asistencia/", shows=line)
    staff.visit(f"{desk}{w.held.slug}/asistencia/", shows=line)  # walk-ins
    staff.visit(f"{desk}{w.held.slug}/", shows=line)  # its documents
    for n, chunk in enumerate(pages_of(w.inputs), start=1):
        staff.visit(
            f"{desk}{w.held.slug}/aportes/?pagina={n}",
            shows=[c.given_name for c in chunk] + [c.text for c in chunk],
        )
    for n, chunk in enumerate(pages_of(w.inputs), start=1):
        staff.visit(
            f"/gestion/consultas/{w.consultation.slug}/respuestas/?pagina={n}",
            shows=[c.given_name for c in chunk] + [c.text for c in chunk],
        )
    for i in corpus.sample:
        c = w.inputs[i]
        staff.visit(f"/gestion/consultas/moderacion/aportes/{c.pk}/", shows=[c.given_name])
        staff.visit(f"/gestion/consultas/aportes/{c.pk}/responder/", shows=[c.given_name])
    staff.visit(f"{desk}{w.table.slug}/decisiones/")
    # Proposals drafted at the table are not public yet: the Secretaría sees them, and the decisions on
    # them, on the table's public page and on each proposal's.
    staff.visit(w.table.get_absolute_url(), shows=payloads)
    for i in corpus.sample:
        staff.visit(w.proposals[i].get_absolute_url(), shows=[payloads[i]])
    for i in corpus.sample:
        form = f"{desk}{w.table.slug}/decisiones/{w.proposals[i].pk}/"
        staff.visit(form)
        staff.holds(form, "textarea[name=notes]", payloads[i])
    staff.seen = ""
    for n in range(1, len(pages_of(w.documents)) + 1):
        staff.visit(f"{desk}documentos/?pagina={n}")
    staff.showed_all("staff documents list", line + [d.original_name for d in w.documents])
    problems.update({f"staff {k}": v for k, v in staff.problems.items()})
    staff.close()
    return problems


# --- Texts typed into an address ------------------------------------------------------------------------
QUEUE = "/gestion/consultas/moderacion/"


def reported_comment(author: User, flagger: User) -> Contribution:
    """A comment on a proposal in consultation, reported: it is in the moderation queue."""
    cache.clear()
    consultation = ConsultationFactory(items=[CommitmentFactory(status=CommitmentStatus.IN_CONSULTATION)])
    reported = comment(consultation=consultation, author=author, text="Un comentario reportado.")
    services.flag(contribution=reported, user=flagger, reason="spam")
    return reported


def reflecting_paths(reported: Contribution, typed: list[str]) -> list[str]:
    """The pages that show or reuse what their address says, each text of `typed` in each parameter."""
    consultation, proposal = reported.consultation, reported.commitment.get_absolute_url()
    paths = []
    for text in typed:
        q = quote(text, safe="")
        paths += [
            f"{QUEUE}aportes/{reported.pk}/?next={q}",
            f"{QUEUE}?q={q}&pagina={q}",
            f"/gestion/consultas/{consultation.slug}/respuestas/?pagina={q}&plantilla={q}",
            f"{proposal}?comentarios={q}&next={q}",
        ]
    return paths


def back_paths(reported: Contribution) -> tuple[str, str]:
    """The moderation page with a `next` within the queue, and with one to another site."""
    within = f"{QUEUE}aportes/{reported.pk}/?next={quote(QUEUE + '?estado=oculto', safe='')}"
    return within, f"{QUEUE}aportes/{reported.pk}/?next=https%3A%2F%2Fevil.example%2F"


@dataclass
class TrustingTemplate:
    """An event whose page is read through a copy of workshops/detail.html that marks the agenda safe
    (found first, in another templates folder): `trust()` turns the copy on, `distrust()` back to the
    portal's template. The guard tests of both sweeps show that their readers catch a trusted text."""

    path: str
    settings: object
    templates: list

    def trust(self) -> None:
        self.settings.TEMPLATES = copy.deepcopy(self.templates)
        cache.clear()

    def distrust(self) -> None:
        self.settings.TEMPLATES = copy.deepcopy(self.templates)
        self.settings.TEMPLATES[0]["DIRS"] = self.templates[0]["DIRS"][1:]
        cache.clear()


def event_with_trusted_agenda(*, secretariat, settings, folder, payloads: list[str]) -> TrustingTemplate:
    source = Path(settings.BASE_DIR) / "templates" / "workshops" / "detail.html"
    html = source.read_text(encoding="utf-8")
    assert "{{ event.agenda|linebreaksbr }}" in html
    (folder / "workshops").mkdir()
    (folder / "workshops" / "detail.html").write_text(
        html.replace("{{ event.agenda|linebreaksbr }}", "{{ event.agenda|safe }}"), encoding="utf-8"
    )
    lima = datetime.timezone(datetime.timedelta(hours=-5))
    day = timezone.localdate() + datetime.timedelta(days=7)
    values = {
        "kind": REGIONAL,
        "title": "Taller con agenda",
        "agenda": "\n".join(payloads),
        "starts_at": datetime.datetime(day.year, day.month, day.day, 10, tzinfo=lima),
    }
    event = events.create_event(plan=current_plan(), actor=secretariat, values=values)
    templates = copy.deepcopy(settings.TEMPLATES)
    templates[0]["DIRS"] = [folder, *templates[0]["DIRS"]]
    return TrustingTemplate(event.get_absolute_url(), settings, templates)
