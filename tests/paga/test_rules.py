"""Role × permission matrix for paga/rules.py: every role sees exactly what it may."""

import pytest
from allauth.mfa.totp.internal.auth import TOTP
from django.contrib.auth.models import AnonymousUser, Group

from paga import roles, staff_security
from paga.models import Entity, User
from tests.factories import TOTP_SECRET

PERMS = [
    "paga.view_staff_area",
    "paga.change_timelinestage",
    "paga.add_timelinestage",
    "paga.delete_timelinestage",
    "paga.change_actionplan",
    "paga.change_entity",
    "paga.delete_entity",
    "paga.view_user",
    "paga.change_user",
    "paga.assign_roles",
]

#                       staff  chg_tl add_tl del_tl chg_pl chg_en del_en view_u chg_u  roles
EXPECTED = {
    "anonymous":         (0,     0,     0,     0,     0,     0,     0,     0,     0,     0),
    "citizen":           (0,     0,     0,     0,     0,     0,     0,     0,     0,     0),
    "reviewer":          (1,     0,     0,     0,     0,     0,     0,     0,     0,     0),
    "reviewer_no_entity": (0,    0,     0,     0,     0,     0,     0,     0,     0,     0),
    "secretariat":       (1,     1,     1,     0,     1,     1,     0,     0,     0,     0),
    "administrator":     (1,     1,     1,     1,     1,     1,     1,     1,     1,     1),
    # Staff without an authenticator app: nothing more than a citizen (paga/staff_security.py).
    "reviewer_no_app":   (0,     0,     0,     0,     0,     0,     0,     0,     0,     0),
    "secretariat_no_app": (0,    0,     0,     0,     0,     0,     0,     0,     0,     0),
    "administrator_no_app": (0,  0,     0,     0,     0,     0,     0,     0,     0,     0),
    "superuser_no_app":  (0,     0,     0,     0,     0,     0,     0,     0,     0,     0),
}  # fmt: skip


def make_user(role: str, entity: Entity | None) -> User | AnonymousUser:
    if role == "anonymous":
        return AnonymousUser()
    group = {
        "citizen": roles.CITIZEN,
        "reviewer": roles.REVIEWER,
        "reviewer_no_entity": roles.REVIEWER,
        "secretariat": roles.SECRETARIAT,
        "administrator": roles.ADMINISTRATOR,
        "reviewer_no_app": roles.REVIEWER,
        "secretariat_no_app": roles.SECRETARIAT,
        "administrator_no_app": roles.ADMINISTRATOR,
        "superuser_no_app": roles.CITIZEN,
    }[role]
    user = User.objects.create_user(
        email=f"{role}@test.example",
        password="x",
        display_name=role,
        entity=entity if role.startswith("reviewer") and role != "reviewer_no_entity" else None,
        is_superuser=role == "superuser_no_app",
    )
    user.groups.add(Group.objects.get(name=group))
    if group != roles.CITIZEN and not role.endswith("_no_app"):
        TOTP.activate(user, TOTP_SECRET)  # a staff role acts only with two-step verification set up
    fresh = User.objects.get(pk=user.pk)  # no cached permissions
    return staff_security.note_two_step(fresh, {})  # as signed in on the web, the app not seen yet


@pytest.fixture
def minam(db):
    return Entity.objects.create(
        name="Ministerio del Ambiente",
        acronym="MINAM",
        slug="minam",
        actor_type="entidad_publica",
        level="nacional",
    )


@pytest.mark.django_db
@pytest.mark.parametrize("role", EXPECTED)
def test_role_permission_matrix(role, minam):
    user = make_user(role, minam)
    got = tuple(int(user.has_perm(perm)) for perm in PERMS)
    assert got == EXPECTED[role], dict(zip(PERMS, got, strict=True))


@pytest.mark.django_db
def test_reviewer_workspace_only_for_their_own_entity(minam):
    mtc = Entity.objects.create(
        name="MTC", acronym="MTC", slug="mtc", actor_type="entidad_publica", level="nacional"
    )
    reviewer = make_user("reviewer", minam)
    secretariat = make_user("secretariat", None)
    citizen = make_user("citizen", None)
    assert reviewer.has_perm("paga.view_entity_workspace", minam)
    assert not reviewer.has_perm("paga.view_entity_workspace", mtc)
    assert secretariat.has_perm("paga.view_entity_workspace", mtc)
    assert not citizen.has_perm("paga.view_entity_workspace", minam)


@pytest.mark.django_db
def test_back_office_follows_the_rules(client, minam):
    """The Django admin asks the same rules: the Secretaría edits the timeline, a citizen gets nothing."""
    secretariat = make_user("secretariat", None)
    secretariat.is_staff = True
    secretariat.save()
    client.force_login(secretariat)
    assert client.get("/administracion/paga/timelinestage/").status_code == 200
    assert client.get("/administracion/paga/user/").status_code == 403
    citizen = make_user("citizen", None)
    client.force_login(citizen)
    assert client.get("/administracion/paga/timelinestage/").status_code == 302  # to the admin login
