from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from paga.menus import Entry


class ImplementationConfig(AppConfig):
    name = "implementation"
    verbose_name = _("Implementation tracking")

    # What the app contributes to paga's shared pages (paga/registry.py).
    audit_actions = {
        "progress.submit": _("Progress report submitted"),
        "progress.return": _("Progress report returned"),
        "progress.validate": _("Progress report validated"),
        "self_assessment.generate": _("Self-assessment generated"),
        "self_assessment.edit": _("Self-assessment section edited"),
        "self_assessment.publish": _("Self-assessment put to consultation"),
        "self_assessment.finalize": _("Self-assessment finalized"),
    }
    audit_objects = ("implementation.progressreport", "implementation.selfassessment")
    staff_prefixes = ("/revision/seguimiento/",)  # the reviewers' progress reports
    evidence = {"implementation:tracking": _("Implementation tracking")}  # the self-assessments listed there

    # Its links in the header's menus (paga/menus.py): a reviewer's milestones need their entity.
    main_menu = (Entry(90, "implementation:tracking", _("Tracking")),)
    account_menu = (
        Entry(
            80,
            "implementation:review_milestones",
            _("Progress of your milestones"),
            lambda user: user.has_perm("implementation.report_queue") and user.entity_id is not None,
        ),
        Entry(90, "implementation:queue", _("Progress reports to validate"), "implementation.view_all"),
    )
