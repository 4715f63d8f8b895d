from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommitmentsConfig(AppConfig):
    name = "commitments"
    verbose_name = _("Commitments")

    # What the app contributes to paga's shared pages (paga/registry.py).
    audit_actions = {
        "commitment.create": _("Commitment created"),
        "commitment.edit": _("Commitment edited (new version)"),
        "commitment.transition": _("Commitment status changed"),
        "commitment.merge": _("Proposals merged"),
        "commitment.split": _("Proposal split"),
        "commitment.score": _("Prioritisation score given"),
        "review.assign": _("Sent to technical review"),
        "review.resubmit": _("Sent back to technical review"),
        "review.decide": _("Technical review decided"),
        "review.note": _("Review note written"),
        # The plan
        "plan.draft": _("Plan version drafted"),
        "plan.items": _("Plan version's commitments set"),
        "plan.freeze": _("Plan version frozen"),
        "plan.approve": _("Plan version approved"),
        "plan.rerender": _("Plan document rendered again"),
    }
    audit_objects = ("commitments.commitment", "commitments.planversion", "commitments.renderjob")
    evidence = {"commitments:list": _("The commitments")}
    staff_prefixes = ("/revision/",)  # the ministries' technical review
