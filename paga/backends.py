from allauth.account.auth_backends import AuthenticationBackend


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
