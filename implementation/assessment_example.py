"""The example's self-assessment (issue 14): the mid-term self-assessment of the approved PAGA 2017-2019,
taken through the real services after the example's progress reports (implementation/example.py), so
that `make run` shows a final report on /seguimiento/ with its hashes, its PDF and its consultation.

ILLUSTRATIVE: the seed records nothing of PAGA 2017-2019's self-assessment. The report is generated from
the example's illustrative reports (data on 31.08.2018); its lessons are example text that says so; its
consultation of 10 to 24.09.2018 is flagged illustrative (and with it the report's pages and PDF). No
comment is invented: the consultation closes without any, and the report is finalized on 01.10.2018.

Idempotent: each step runs once (generated if missing, published while a draft, finalized while in
consultation), and only when its date has come (COCREA_AS_OF: the example as it stood on a given day).
"""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

from paga import clock
from paga.models import ActionPlan, User

from . import assessment_services as services
from . import selectors
from .assessment_models import SelfAssessment

LIMA = ZoneInfo("America/Lima")
SECRETARIAT = "secretaria@cocrea.example"
KIND = SelfAssessment.Kind.MID_TERM
AS_OF = datetime.date(2018, 8, 31)
GENERATED = datetime.datetime(2018, 9, 3, 10, tzinfo=LIMA)
EDITED = datetime.datetime(2018, 9, 5, 16, tzinfo=LIMA)
PUBLISHED = datetime.datetime(2018, 9, 7, 12, tzinfo=LIMA)
OPENS = datetime.datetime(2018, 9, 10, 0, 0, tzinfo=LIMA)
CLOSES = datetime.datetime(2018, 9, 24, 23, 59, tzinfo=LIMA)
FINALIZED = datetime.datetime(2018, 10, 1, 12, tzinfo=LIMA)
LESSONS = (
    "Texto ilustrativo, no es el informe publicado: el seguimiento por hitos permitió ver a tiempo los "
    "retrasos de los compromisos que dependen de otras entidades.\n\n"
    "Texto ilustrativo: para el siguiente plan se recomienda acordar con cada entidad responsable, "
    "desde la cocreación, qué evidencia pública acompañará cada hito."
)


def finish(*, plan: ActionPlan, stdout=None) -> None:
    """Generate, edit, publish and finalize the example's mid-term self-assessment, each step once and
    only when its day has come."""
    if selectors.approved_version(plan) is None:
        return
    now = clock.now()
    secretariat = User.objects.get(email=SECRETARIAT)
    report = SelfAssessment.objects.filter(plan=plan, kind=KIND).select_related("consultation").first()
    if report is None:
        if now < GENERATED:
            return
        report = services.generate(plan=plan, kind=KIND, as_of=AS_OF, actor=secretariat, at=GENERATED)
    lessons = report.sections.get(key="lecciones")
    if report.state == SelfAssessment.State.DRAFT and now >= EDITED and lessons.versions.count() == 1:
        services.edit_section(
            section=lessons,
            text=LESSONS,
            reason="Ejemplo: lecciones redactadas por la Secretaría",
            actor=secretariat,
            at=EDITED,
        )
    if report.state == SelfAssessment.State.DRAFT and now >= PUBLISHED:
        report = services.publish(
            assessment=report,
            opens_at=OPENS,
            closes_at=CLOSES,
            actor=secretariat,
            at=PUBLISHED,
            illustrative=True,
        )
    if report.state == SelfAssessment.State.IN_CONSULTATION and now >= FINALIZED:
        report = services.finalize(assessment=report, actor=secretariat, at=FINALIZED)
    if stdout is not None:
        stdout.write(f"Self-assessment: {report.kind}, {report.state} (illustrative)")
