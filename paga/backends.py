from functools import cache

from allauth.account.auth_backends import AuthenticationBackend
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import connections, router

# The names of a person's groups, one per line (group names hold no line break), by database.
_JOIN_NAMES = {"postgresql": "STRING_AGG({}, chr(10))", "sqlite": "GROUP_CONCAT({}, char(10))"}


@cache
def _user_with_groups_sql(vendor: str) -> str:
    """The person's row and their groups' names, in one statement: raw SQL, as compiling the ORM's
    annotated query cost more than the round trip it spared (0.49 ms against 1.1-1.2 for the user and
    their groups as two ORM queries, on PostgreSQL)."""
    users = get_user_model()
    links = users.groups.through._meta
    quote = connections[router.db_for_read(users)].ops.quote_name
    user_table, link_table, group_table = (
        quote(t) for t in (users._meta.db_table, links.db_table, Group._meta.db_table)
    )
    user_column, group_column = (quote(links.get_field(f).column) for f in (users._meta.model_name, "group"))
    user_pk, group_pk = quote(users._meta.pk.column), quote(Group._meta.pk.column)
    names = _JOIN_NAMES[vendor].format(f"g.{quote('name')}")
    return (
        f"SELECT u.*, (SELECT {names} FROM {group_table} g JOIN {link_table} l "  # noqa: S608 (our tables)
        f"ON l.{group_column} = g.{group_pk} WHERE l.{user_column} = u.{user_pk}) AS group_names_joined "
        f"FROM {user_table} u WHERE u.{user_pk} = %s"
    )


class EmailAuthenticationBackend(AuthenticationBackend):
    """Signs people in by email (allauth) and grants no permission of its own.

    Every permission comes from the rules in each app's rules.py (rules.ObjectPermissionBackend), the
    one place where they are decided; Django's per-user and per-group permission tables are not used,
    which also spares two queries on each page that asks about a permission.
    """

    def get_user_permissions(self, user_obj, obj=None):
        return set()

    def get_group_permissions(self, user_obj, obj=None):
        return set()

    def get_all_permissions(self, user_obj, obj=None):
        return set()

    def has_perm(self, user_obj, perm, obj=None):
        return False

    def has_module_perms(self, user_obj, app_label):
        return False

    def get_user(self, user_id):
        """The signed-in person of a request and, in the same query, the names of their groups: every
        page asks about their roles (paga/roles.py `group_names`: the rules, the staff check), which read
        `_group_names_cache`, and would otherwise fetch them in a query of their own."""
        users = get_user_model()
        vendor = connections[router.db_for_read(users)].vendor
        try:
            user_id = users._meta.pk.to_python(user_id)
        except ValidationError:  # a session holding no valid id: no one signed in
            return None
        user = next(iter(users._default_manager.raw(_user_with_groups_sql(vendor), [user_id])), None)
        if user is None or not self.user_can_authenticate(user):
            return None
        user._group_names_cache = set(filter(None, (user.group_names_joined or "").split("\n")))
        return user
