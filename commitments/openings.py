"""What the plan offers a visitor now (paga/openings.py): its approved text to read, once approved.

One query: whether the visitor's plan has an approved version.
"""

from __future__ import annotations

import datetime

from django.utils.translation import gettext as _

from paga.models import ActionPlan
from paga.openings import READ, Found, Opening, say
from paga.plans import reverse_in
from paga.templatetags.portal import in_content_lang

from .plan_models import PlanVersion


def openings(plan: ActionPlan, now: datetime.datetime) -> Found:
    if not PlanVersion.objects.filter(plan=plan, state=PlanVersion.State.APPROVED).exists():
        return Found()
    return Found(
        openings=(
            Opening(
                rank=READ,
                plan=plan,
                sentence=say(
                    _("The plan %(plan)s is approved: you can read its commitments and their milestones."),
                    plan=in_content_lang(plan.short_name),
                ),
                action=_("Read the approved plan"),
                url=reverse_in(plan, "commitments:plan"),
            ),
        )
    )
