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


def group_names(user) -> set[str]:
    """The person's group names, kept on them for the request (paga/backends.py get_user reads them with
    the person; otherwise one query, once): the permissions (paga/rules.py), the staff check and the
    personal data export share them. Nobody signed in belongs to no group."""
    names = getattr(user, "_group_names_cache", None)
    if names is None:
        if not getattr(user, "is_authenticated", False):
            return set()
        names = user._group_names_cache = set(user.groups.values_list("name", flat=True))
    return names
