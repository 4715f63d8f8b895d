"""Who may see and do what in implementation tracking: the one place for `implementation`.

A ministry reviewer reports progress only on milestones of commitments their entity leads (issue 14: "a
reviewer reports only for their entity's commitments"); the Secretaría validates or returns reports. A
validated report is public; a submitted or returned one is seen by the Secretaría, administrators and
the reporting entity. Every rule has its queryset twin in querysets.py (`visible_to`).
"""

import rules

from paga.rules import is_administrator, is_reviewer, is_secretariat


@rules.predicate
def leads_milestone(user, milestone) -> bool:
    """The user's entity leads the milestone's commitment."""
    entity_id = getattr(user, "entity_id", None)
    return (
        milestone is not None and entity_id is not None and milestone.commitment.lead_entity_id == entity_id
    )


@rules.predicate
def reported_by_own_entity(user, report) -> bool:
    entity_id = getattr(user, "entity_id", None)
    return report is not None and entity_id is not None and report.entity_id == entity_id


@rules.predicate
def is_validated(user, report) -> bool:
    return report is not None and report.state == "validado"


rules.add_perm("implementation.report_queue", is_reviewer)
rules.add_perm("implementation.report_progress", is_reviewer & leads_milestone)
rules.add_perm("implementation.decide", is_secretariat)
rules.add_perm("implementation.view_all", is_secretariat | is_administrator)
# The self-assessment is the government's report (OGP): the Secretaría writes, publishes and finalizes it.
rules.add_perm("implementation.manage_self_assessment", is_secretariat)
rules.add_perm(
    "implementation.view_report",
    is_validated | is_secretariat | is_administrator | (is_reviewer & reported_by_own_entity),
)


def may(user, perm: str, obj=None) -> bool:
    """Whether `user` may, by the rules above alone. Services and views ask this, not `user.has_perm`:
    Django lets a superuser do anything, but reporting is the lead entity's word and validating the
    Secretaría's, so an administrator account does neither (it reads everything)."""
    return bool(user is not None and user.is_authenticated and rules.has_perm(perm, user, obj))


# The back office (implementation/admin.py): every report, its evidence and its changes of state, seen by
# who sees every report; added, changed or deleted by nobody there (the services do it).
rules.add_perm("implementation", is_secretariat | is_administrator)
for model in ("progressreport", "evidence", "reporttransition"):
    rules.add_perm(f"implementation.view_{model}", is_secretariat | is_administrator)
