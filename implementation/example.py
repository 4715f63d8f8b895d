"""Example progress reports on the approved PAGA 2017-2019 (issue 14): so that `/seguimiento/` and the
pages of commitments 3 and 9 show what implementation tracking looks like after `make run`.

ILLUSTRATIVE: the seed records nothing of the plan's implementation. Commitments 3 (MINAM) and 9 (MTC)
are the example's illustrative consolidations (commitments/example.py: their texts, milestones and dates
are marked so on every page), and every report below is as illustrative as they are: each "what was
done" begins with EXAMPLE, each piece of evidence is a link to a reserved `.example` address (RFC 2606:
it names no real page) whose title says «ejemplo», and /seguimiento/ flags its figures as illustrative.

Everything goes through the real services, dated within the plan's period (2018-2019): each report is
submitted by the example reviewer of the commitment's lead ministry, then validated, or returned with a
reason and corrected, by the Secretaría. The story, per milestone (each due date is the example's):
- Commitment 3, milestone 1 (due 30.06.2018): limited in April, complete in June 2018.
- Commitment 3, milestone 2 (due 30.06.2019): limited in December 2018; substantial in June 2019,
  returned for missing evidence and corrected. Not complete: delayed.
- Commitment 9, milestone 1 (due 30.06.2018): substantial in May, complete in August 2018 (late).
- Commitment 9, milestone 2 (due 30.06.2019): not started in December 2018, limited in June 2019:
  delayed.

`finish()` runs after commitments' (which approves the plan). Idempotent: a milestone's reports are
written only while they are the beginning of its script (found by version, status and date), so loading
again duplicates nothing, and a milestone someone reported on by hand is left to them. With
COCREA_AS_OF (the example as it stood on a given day), only the steps decided by then are recorded.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.db import transaction

from commitments.example import CONSOLIDATED, REVIEWERS
from commitments.models import Commitment, Milestone
from paga import clock
from paga.models import ActionPlan, User

from . import assessment_example, selectors, services
from .models import ProgressReport, ProgressStatus, ReportState

LIMA = ZoneInfo("America/Lima")
D = datetime.date
EXAMPLE = "Ejemplo (ilustrativo, no es un reporte real):"
SECRETARIAT = "secretaria@cocrea.example"
P = ProgressStatus


@dataclass(frozen=True)
class Step:
    """One report: what it says, when it was sent and how the Secretaría decided (`returned` with the
    reason, or validated; a returned step is followed by its correction)."""

    status: str
    as_of: datetime.date
    done: str
    links: tuple[tuple[str, str], ...]
    sent: datetime.date
    decided: datetime.date
    returned: str = ""


def _at(day: datetime.date, hour: int) -> datetime.datetime:
    return datetime.datetime(day.year, day.month, day.day, hour, 0, tzinfo=LIMA)


# commitment number -> [milestone order -> [steps]]
SCRIPT: dict[int, dict[int, list[Step]]] = {
    3: {
        1: [
            Step(P.LIMITED, D(2018, 4, 30),
                 "Se recopiló la información de 12 comisiones ambientales regionales y municipales; el "
                 "diagnóstico está en redacción.",
                 (("Ejemplo: relación de comisiones consultadas", "https://minam.example/cam-car/comisiones-2018"),),
                 D(2018, 5, 2), D(2018, 5, 8)),
            Step(P.COMPLETE, D(2018, 6, 29),
                 "Se publicó el diagnóstico de las Comisiones Ambientales Municipales y Regionales, con sus "
                 "recomendaciones.",
                 (("Ejemplo: diagnóstico de las CAM y CAR", "https://minam.example/cam-car/diagnostico-2018"),
                  ("Ejemplo: nota de prensa de la publicación", "https://minam.example/noticias/diagnostico-cam-car")),
                 D(2018, 7, 2), D(2018, 7, 5)),
        ],
        2: [
            Step(P.LIMITED, D(2018, 12, 14),
                 "Se definieron los requisitos de la herramienta con cuatro comisiones piloto.",
                 (("Ejemplo: acta de la reunión con las comisiones piloto", "https://minam.example/cam-car/acta-piloto"),),
                 D(2018, 12, 17), D(2018, 12, 20)),
            Step(P.SUBSTANTIAL, D(2019, 6, 28),
                 "La herramienta funciona en las cuatro comisiones piloto.",
                 (),
                 D(2019, 7, 1), D(2019, 7, 3),
                 returned="Adjunte una evidencia de que la herramienta está en funcionamiento (por ejemplo, "
                 "su dirección pública)."),
            Step(P.SUBSTANTIAL, D(2019, 6, 28),
                 "La herramienta funciona en las cuatro comisiones piloto; falta abrirla al público.",
                 (("Ejemplo: herramienta en funcionamiento (piloto)", "https://minam.example/cam-car/herramienta"),),
                 D(2019, 7, 4), D(2019, 7, 10)),
        ],
    },
    9: {
        1: [
            Step(P.SUBSTANTIAL, D(2018, 5, 31),
                 "Se elaboró el diagnóstico del transporte urbano de Lima y Callao; está en revisión interna.",
                 (("Ejemplo: resumen del diagnóstico en revisión", "https://mtc.example/atu/diagnostico-borrador"),),
                 D(2018, 6, 4), D(2018, 6, 8)),
            Step(P.COMPLETE, D(2018, 8, 15),
                 "Se publicó el diagnóstico, mes y medio después de la fecha prevista.",
                 (("Ejemplo: diagnóstico publicado", "https://mtc.example/atu/diagnostico-2018"),),
                 D(2018, 8, 16), D(2018, 8, 22)),
        ],
        2: [
            Step(P.NOT_STARTED, D(2018, 12, 20),
                 "La herramienta depende de la creación de la Autoridad; aún no se inicia.",
                 (("Ejemplo: cronograma de trabajo", "https://mtc.example/atu/cronograma"),),
                 D(2018, 12, 21), D(2018, 12, 28)),
            Step(P.LIMITED, D(2019, 6, 28),
                 "Se aprobó el diseño de la herramienta; su desarrollo empieza en el segundo semestre.",
                 (("Ejemplo: diseño aprobado de la herramienta", "https://mtc.example/atu/diseno-herramienta"),),
                 D(2019, 7, 2), D(2019, 7, 9)),
        ],
    },
}  # fmt: skip


def load(*, plan: ActionPlan, stdout=None) -> ActionPlan:
    """Nothing before the plan is approved: the reports are written by finish()."""
    return plan


@transaction.atomic
def finish(*, plan: ActionPlan, stdout=None) -> None:
    """The script's reports on the plan's approved version, each step decided by today."""
    if selectors.approved_version(plan) is None:
        _write(stdout, "Progress reports: none, the plan is not approved")
        return
    secretariat = User.objects.get(email=SECRETARIAT)
    entities = {number: acronym for number, _t, _s, acronym, _f in CONSOLIDATED}
    written = 0
    for number, milestones in SCRIPT.items():
        commitment = Commitment.objects.filter(plan=plan, number=number).select_related("plan").first()
        if commitment is None or not selectors.is_implemented(commitment):
            continue
        reviewer = User.objects.get(email=REVIEWERS[entities[number]])
        for order, steps in milestones.items():
            milestone = commitment.milestones.filter(order=order).first()
            if milestone is not None:
                written += _report(milestone, steps, reviewer, secretariat)
    total = ProgressReport.objects.in_plan(plan).count()
    _write(stdout, f"Progress reports: {written} added, {total} in all (illustrative)")
    assessment_example.finish(plan=plan, stdout=stdout)  # the mid-term self-assessment, from them


def _report(milestone: Milestone, steps: list[Step], reviewer: User, secretariat: User) -> int:
    """The steps not written yet, if what is written is the script's beginning; the number written."""
    existing = list(milestone.progress_reports.order_by("number"))
    done = [(r.status, r.as_of, r.done) for r in existing]
    script = [(s.status, s.as_of, f"{EXAMPLE} {s.done}") for s in steps]
    if done != script[: len(done)] or any(r.state == ReportState.SUBMITTED for r in existing):
        return 0  # reported on by hand, or waiting for a decision: left alone
    today = clock.today()
    previous = existing[-1] if existing else None
    written = 0
    for step in steps[len(existing) :]:
        if step.decided > today:
            break
        report = services.submit_report(
            milestone=milestone,
            actor=reviewer,
            status=step.status,
            done=f"{EXAMPLE} {step.done}",
            as_of=step.as_of,
            links=[services.EvidenceLink(title=title, url=url) for title, url in step.links],
            corrects=previous if previous is not None and previous.state == ReportState.RETURNED else None,
            at=_at(step.sent, 10),
        )
        if step.returned:
            previous = services.return_report(
                report=report, actor=secretariat, reason=step.returned, at=_at(step.decided, 16)
            )
        else:
            previous = services.validate_report(report=report, actor=secretariat, at=_at(step.decided, 16))
        written += 1
    return written


def _write(stdout, line: str) -> None:
    if stdout is not None:
        stdout.write(line)
