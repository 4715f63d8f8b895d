"""Factories for consultations. Text fields plant accents and a `<script>` on purpose.

`ConsultationFactory()` is a consultation on proposals, open now (since yesterday, for ten more days),
with one proposal among its items (`items=[...]` to choose them, `items=[]` for none);
`document_consultation()` is one on a document with two paragraphs. `comment()` posts through the
service, so a comment is what a person would have posted.
"""

from __future__ import annotations

import datetime

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from consultations import services
from consultations.models import Consultation, Contribution, Paragraph
from tests.commitments.factories import SCRIPT, CommitmentFactory, current_plan, text

LIMA = datetime.timezone(datetime.timedelta(hours=-5))


def lima(*args) -> datetime.datetime:
    """A moment in Lima time (UTC-5 all year, no daylight saving)."""
    return datetime.datetime(*args, tzinfo=LIMA)


class ConsultationFactory(DjangoModelFactory):
    class Meta:
        model = Consultation
        skip_postgeneration_save = True

    plan = factory.LazyFunction(current_plan)
    slug = factory.Sequence(lambda n: f"consulta-{n}")
    title = factory.Sequence(lambda n: f"Foro virtual «Participación» {SCRIPT} n.º {n}")
    kind = Consultation.Kind.ITEMS
    description = factory.LazyFunction(lambda: text("Descripción"))
    opens_at = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(days=1))
    closes_at = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=10))

    @factory.post_generation
    def items(self, create: bool, extracted, **kwargs) -> None:
        if not create or self.kind != Consultation.Kind.ITEMS:
            return
        self.items.add(*(CommitmentFactory(),) if extracted is None else extracted)


def forum_2017(**kw) -> Consultation:
    """The forum of 22.09–06.10.2017 (Lima): open from midnight on the 22nd until midnight after the 6th."""
    kw.setdefault("opens_at", lima(2017, 9, 22))
    kw.setdefault("closes_at", lima(2017, 10, 7))
    return ConsultationFactory(**kw)


def document_consultation(**kw) -> Consultation:
    consultation = ConsultationFactory(kind=Consultation.Kind.DOCUMENT, **kw)
    for n in (1, 2):
        ParagraphFactory(consultation=consultation, key=f"p{n}", number=str(n), order=n)
    return consultation


class ParagraphFactory(DjangoModelFactory):
    class Meta:
        model = Paragraph

    consultation = factory.SubFactory(ConsultationFactory, kind=Consultation.Kind.DOCUMENT)
    key = factory.Sequence(lambda n: f"p{n}")
    number = factory.Sequence(lambda n: str(n))
    text = factory.LazyFunction(lambda: text("Párrafo"))
    order = factory.Sequence(lambda n: n)


def comment(*, consultation: Consultation, author, **kw) -> Contribution:
    """A forum comment posted through the service (on the consultation's first item unless replying)."""
    if "parent" not in kw and consultation.kind == Consultation.Kind.ITEMS:
        kw.setdefault("commitment", consultation.items.first())
    kw.setdefault("text", text("Comentario"))
    return services.post_comment(consultation=consultation, author=author, **kw)
