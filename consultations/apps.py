from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from paga.menus import Entry


class ConsultationsConfig(AppConfig):
    name = "consultations"
    verbose_name = _("Public consultations")

    # What the app contributes to paga's shared pages (paga/registry.py).
    audit_actions = {
        "contribution.hide": _("Contribution hidden"),
        "contribution.restore": _("Contribution restored"),
        "contribution.dismiss": _("Reports dismissed"),
        "contribution.record": _("Contribution from another channel recorded"),
        "person.block": _("Person blocked"),
        "person.unblock": _("Person unblocked"),
        "response.write": _("Response written"),
        "response.bulk": _("Responses written in bulk"),
        "response.publish": _("Responses published"),
    }
    audit_objects = ("consultations.consultation", "consultations.contribution")
    audit_unlabelled = ("consultations.contribution",)
    evidence = {
        "consultations:list": _("The consultations"),
        "consultations:detail": _("The consultation's page"),
        "consultations:report": _("The responses report"),
        "consultations:open_data": _("The open data of every contribution"),
    }

    # Its links in the header's menus and the footer (paga/menus.py).
    main_menu = (Entry(40, "consultations:list", _("Consultations")),)
    account_menu = (
        Entry(10, "consultations:my_contributions", _("My contributions")),
        Entry(50, "consultations:staff_desk", _("Consultations desk"), "consultations.moderate"),
    )
    footer_menu = (Entry(30, "consultations:open_data", _("Open data")),)
