"""The portal's roles, as auth groups. Permissions on them live in each app's rules.py."""

from django.utils.translation import gettext_lazy as _

CITIZEN = "ciudadania"
SECRETARIAT = "secretaria"
REVIEWER = "revisores"
ADMINISTRATOR = "administracion"

LABELS = {
    CITIZEN: _("Citizen"),
    SECRETARIAT: _("Secretaría staff"),
    REVIEWER: _("Ministry reviewer"),
    ADMINISTRATOR: _("Administrator"),
}
ALL = tuple(LABELS)
