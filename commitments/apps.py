from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from paga.menus import Entry


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

    # Its links in the header's menus (paga/menus.py: the number places them among the others').
    main_menu = (Entry(30, "commitments:list", _("Commitments")), Entry(80, "commitments:plan", _("Plan")))
    account_menu = (
        Entry(30, "commitments:staff_home", _("Secretaría desk"), "commitments.view_all"),
        Entry(40, "commitments:plan_staff", _("Plan versions"), "commitments.manage_plan"),
        Entry(
            70,
            "commitments:review_queue",
            _("Technical review"),
            lambda user: user.has_perm("commitments.view_all") or user.has_perm("commitments.review_queue"),
        ),
    )
