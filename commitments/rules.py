"""Who may see and do what with commitments: the one place for `commitments`.

A reviewer works only on commitments whose lead entity is their own; internal notes are for the
Secretaría and that entity. A row a user may not see answers 404 (querysets.visible_to).
"""

import rules

from paga.rules import is_administrator, is_reviewer, is_secretariat


@rules.predicate
def is_public(user, commitment) -> bool:
    return commitment is not None and commitment.status in commitment.PUBLIC_STATUSES


@rules.predicate
def leads_it(user, commitment) -> bool:
    """The user's entity leads this commitment (what a ministry reviewer is assigned)."""
    entity_id = getattr(user, "entity_id", None)
    return commitment is not None and entity_id is not None and commitment.lead_entity_id == entity_id


@rules.predicate
def in_review(user, commitment) -> bool:
    return commitment is not None and commitment.status in commitment.REVIEW_STATUSES


@rules.predicate
def under_review(user, commitment) -> bool:
    return commitment is not None and commitment.status == "en_revision"


@rules.predicate
def secretariat_may_edit(user, commitment) -> bool:
    return commitment is None or commitment.status in commitment.EDITABLE_STATUSES


is_staff = is_secretariat | is_administrator
ministry = is_reviewer & leads_it

rules.add_perm("commitments.view_all", is_staff)
rules.add_perm("commitments.review_queue", is_reviewer)
rules.add_perm("commitments.view_commitment", is_public | is_staff | ministry)
rules.add_perm("commitments.add_commitment", is_staff)
rules.add_perm("commitments.change_commitment", is_staff & secretariat_may_edit)
# While in review, the ministry completes milestones, contact and resources.
rules.add_perm("commitments.change_review_fields", (is_staff & secretariat_may_edit) | (ministry & in_review))
rules.add_perm("commitments.view_notes", is_staff | ministry)
rules.add_perm("commitments.add_note", is_staff | ministry)
rules.add_perm("commitments.consolidate", is_staff)
rules.add_perm("commitments.score", is_staff)
rules.add_perm("commitments.open_consultation", is_staff)
rules.add_perm("commitments.agree", is_staff)
rules.add_perm("commitments.withdraw", is_staff)
rules.add_perm("commitments.assign_review", is_staff)
rules.add_perm("commitments.review", ministry & under_review)
rules.add_perm("commitments.resubmit", is_staff | ministry)
rules.add_perm("commitments.include", is_staff)
# The plan's versions: assembling, freezing, recording the approval, re-running its documents (issue 6).
rules.add_perm("commitments.manage_plan", is_staff)
