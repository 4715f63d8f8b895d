"""Who may do what with the plan, its timeline, organisations and accounts: the one place for `paga`.

Roles are groups (paga.roles). A ministry reviewer is a member of the reviewers group *and* of one
public entity; without an entity the role grants nothing. A staff role grants nothing either until its
holder has set up two-step verification (paga/staff_security.py): meanwhile every page, public ones
included, treats them as the citizen they also are, so a password alone reaches no unpublished draft.
"""

import rules

from . import roles


@rules.predicate
def two_step_ready(user) -> bool:
    """The person has set up an authenticator app (asked after the role, so citizens never pay for it)."""
    from .staff_security import two_step_ready as ready

    return ready(user)


@rules.predicate
def has_entity(user) -> bool:
    return getattr(user, "entity_id", None) is not None


def in_group(name: str):
    """`rules.is_group_member(name)` without its `hasattr(user, "groups")`, which builds a related manager
    on each test (a signed-in citizen's header asked it about 18 times: a quarter of a millisecond)."""

    @rules.predicate(f"in_group:{name}")
    def member(user) -> bool:
        return name in roles.group_names(user)

    return member


# The roles as held (who is recorded as staff in the audit log), and as they act (the permissions).
holds_secretariat = in_group(roles.SECRETARIAT)
holds_administrator = rules.is_superuser | in_group(roles.ADMINISTRATOR)
holds_reviewer = in_group(roles.REVIEWER) & has_entity
holds_staff_role = holds_secretariat | holds_reviewer | holds_administrator

is_citizen = in_group(roles.CITIZEN)
is_secretariat = holds_secretariat & two_step_ready
is_administrator = holds_administrator & two_step_ready
is_reviewer = holds_reviewer & two_step_ready


@rules.predicate
def member_of_entity(user, entity) -> bool:
    """The user belongs to `entity` (a reviewer works only on what is assigned to it)."""
    return entity is not None and getattr(user, "entity_id", None) == entity.pk


is_staff_role = is_secretariat | is_reviewer | is_administrator

# Staff area and back office.
rules.add_perm("paga.view_staff_area", is_staff_role)
rules.add_perm(
    "paga.view_entity_workspace", is_secretariat | is_administrator | (is_reviewer & member_of_entity)
)

# The plan and its timeline: published by the Secretaría.
for model in ("actionplan", "objective", "timelinestage", "theme", "governmentpriority"):
    rules.add_perm(f"paga.view_{model}", is_secretariat | is_administrator)
    rules.add_perm(f"paga.add_{model}", is_secretariat | is_administrator)
    rules.add_perm(f"paga.change_{model}", is_secretariat | is_administrator)
    rules.add_perm(f"paga.delete_{model}", is_administrator)

# Organisations: kept by the Secretaría; accounts and roles: administrators only.
rules.add_perm("paga.view_entity", is_secretariat | is_administrator)
rules.add_perm("paga.add_entity", is_secretariat | is_administrator)
rules.add_perm("paga.change_entity", is_secretariat | is_administrator)
rules.add_perm("paga.delete_entity", is_administrator)
for model in ("user", "consent", "outboundemail"):
    rules.add_perm(f"paga.view_{model}", is_administrator)
rules.add_perm("paga.change_user", is_administrator)
rules.add_perm("paga.assign_roles", is_administrator)
rules.add_perm("auth.view_group", is_administrator)
rules.add_perm("auth.change_group", is_administrator)

# The audit log (paga/audit.py): administrators only; the Secretaría's own acts are what it records.
rules.add_perm("paga.view_audit_log", is_administrator)
rules.add_perm("paga.view_auditentry", is_administrator)
