"""`{% milestone_reports commitment %}` on a commitment's public page (templates/commitments/detail.html):
each milestone's status from its latest validated report, whether it is delayed, and the history of its
validated reports with their evidence (links, and files through the download view that serves only
files of validated reports). The commitments app imports nothing of this one: its template loads this
library, as it loads consultations' thread and workshops' events.

Nothing (and no query) for a commitment that is not being implemented; one query otherwise
(implementation/public_selectors.py: commitment_reports).
"""

from __future__ import annotations

from django import template

from paga import clock

from .. import public_selectors

register = template.Library()


@register.filter
def in_implementation(commitment) -> bool:
    """Whether `commitment`'s page may have the section (for its table of contents): included in the
    plan (no query; the section itself checks the approved version in force)."""
    return commitment.status in public_selectors.IMPLEMENTED


@register.inclusion_tag("implementation/public/_commitment_reports.html")
def milestone_reports(commitment):
    return {
        "commitment": commitment,
        "history": public_selectors.commitment_reports(commitment, clock.today()),
    }
