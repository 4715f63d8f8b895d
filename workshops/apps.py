from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from paga.menus import Entry


class WorkshopsConfig(AppConfig):
    name = "workshops"
    verbose_name = _("Workshops and tables")

    # What the app contributes to paga's shared pages (paga/registry.py).
    audit_actions = {
        "event.create": _("Event created"),
        "event.edit": _("Event edited"),
        "event.transition": _("Event state changed"),
        "event.proposal_link": _("Proposal credited to an event"),
        "event.proposal_unlink": _("Proposal's credit to an event withdrawn"),
        "attendance.check_in": _("Attendance checked in"),
        "attendance.walk_in": _("Walk-in recorded"),
        "attendance.undo": _("Attendance removed"),
        "document.upload": _("Document uploaded"),
        "import.csv": _("Input sheet imported"),
        "table.decision": _("National table's decision recorded"),
    }
    audit_objects = ("workshops.event", "workshops.document")
    audit_unlabelled = ("workshops.attendance", "workshops.registration")
    evidence = {
        "workshops:forum": _("The multi-stakeholder forum's page"),
        "workshops:repository": _("The repository of documents"),
        "workshops:participation": _("The participation statistics"),
    }

    # Its links in the header's menus (paga/menus.py).
    main_menu = (
        Entry(50, "workshops:list", _("Workshops")),
        Entry(60, "workshops:repository", _("Repository")),
        Entry(70, "workshops:participation", _("Participation")),
    )
    account_menu = (Entry(60, "workshops:staff_events", _("Events desk"), "workshops.manage_events"),)
