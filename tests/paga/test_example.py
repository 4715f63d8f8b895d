"""`manage.py load_example`: the PAGA 2017-2019 example as the seed slides give it, loaded idempotently."""

from __future__ import annotations

import datetime
import io
import json

import pytest
from allauth.account.models import EmailAddress
from django.apps import apps
from django.contrib.auth import authenticate
from django.contrib.auth.models import Group
from django.core.management import call_command

from paga import example, roles
from paga.models import ActorType, Entity, GovernmentLevel, TimelineStage, User
from tests.factories import UserFactory

D = datetime.date
MINISTRIES = ["MINAM", "MINEDU", "MTC", "MININTER", "MVCS", "MINSA", "MINEM"]


def row_counts() -> dict[str, int]:
    """Rows of every model of every installed app (paga's, allauth's EmailAddress, auth's Group...)."""
    return {model._meta.label: model._default_manager.count() for model in apps.get_models()}


@pytest.mark.django_db
def test_loading_the_example_twice_duplicates_nothing(example_accounts_file):
    call_command("load_example", stdout=io.StringIO())
    first = row_counts()
    passwords = json.loads(example_accounts_file.read_text())
    call_command("load_example", stdout=io.StringIO())

    assert row_counts() == first
    # The example, the plan before it (PAGA 2015-2016) and the demonstration plan (paga/demo.py).
    assert first["paga.ActionPlan"] == 3
    assert TimelineStage.objects.filter(plan__slug=example.PLAN["slug"]).count() == 13
    assert first["account.EmailAddress"] == 6
    assert first["auth.Group"] == len(roles.ALL)
    assert json.loads(example_accounts_file.read_text()) == passwords  # the passwords shown stay valid


def test_example_prints_each_account_with_a_password_that_signs_in(example_accounts_file, db):
    out = io.StringIO()
    call_command("load_example", stdout=out)
    passwords = json.loads(example_accounts_file.read_text())

    assert len(passwords) == 6
    for email, password in passwords.items():
        assert email in out.getvalue()
        assert password in out.getvalue()
        assert User.objects.get(email=email).check_password(password)


def test_example_plan_has_its_objectives_themes_and_priorities(example_plan):
    assert example_plan.short_name == "PAGA 2017-2019"
    assert (example_plan.start_year, example_plan.end_year) == (2017, 2019)
    assert example_plan.objectives.count() == 3
    themes = list(example_plan.themes.select_related("priority"))
    assert [t.name for t in themes] == [
        "Saneamiento",
        "Seguridad ciudadana",
        "Infraestructura",
        "Ambiente",
        "Educación",
    ]
    assert all(t.priority.source == "CEPLAN" and t.priority.plan_id == example_plan.pk for t in themes)


def test_example_timeline_keeps_the_slides_dates_and_leaves_undated_stages_undated(example_plan):
    stages = {s.title: s for s in example_plan.stages.select_related("region")}
    assert len(stages) == 13

    tables = stages["Mesas temáticas: elaboración de propuesta de compromisos por temáticas"]
    assert (tables.starts_on, tables.ends_on) == (None, None)
    forum = stages["Consulta pública: foro virtual. Publicación de propuesta de compromisos"]
    assert (forum.starts_on, forum.ends_on) == (D(2017, 9, 22), D(2017, 10, 6))
    workshop = stages["Taller regional La Libertad"]
    assert (workshop.starts_on, workshop.ends_on) == (D(2017, 9, 21), D(2017, 9, 21))
    assert workshop.region.code == "13"
    assert workshop.region.name == "La Libertad"
    assert all(s.starts_on is None or s.starts_on.year == 2017 for s in stages.values())


def test_example_has_the_seven_ministries_as_national_public_entities(example_plan):
    ministries = Entity.objects.filter(acronym__in=MINISTRIES)
    assert sorted(m.acronym for m in ministries) == sorted(MINISTRIES)
    assert {(m.actor_type, m.level) for m in ministries} == {
        (ActorType.PUBLIC_ENTITY, GovernmentLevel.NATIONAL)
    }


@pytest.mark.parametrize(
    ("email", "role", "acronym"),
    [
        ("secretaria@cocrea.example", roles.SECRETARIAT, "PCM-SGP"),
        ("revisor.minam@cocrea.example", roles.REVIEWER, "MINAM"),
        ("revisor.mtc@cocrea.example", roles.REVIEWER, "MTC"),
        ("ciudadana@cocrea.example", roles.CITIZEN, None),
        ("ciudadano@cocrea.example", roles.CITIZEN, None),
        ("admin@cocrea.example", roles.ADMINISTRATOR, None),
    ],
)
def test_example_accounts_have_their_role_entity_and_a_verified_email(example_plan, email, role, acronym):
    user = User.objects.get(email=email)
    assert set(user.groups.values_list("name", flat=True)) == {role, roles.CITIZEN}
    assert (user.entity.acronym if user.entity else None) == acronym
    assert EmailAddress.objects.filter(user=user, email=email, verified=True, primary=True).exists()
    assert user.is_active
    assert User.objects.count() == 6
    assert Group.objects.filter(name=role).exists()


def printed_passwords(output: str) -> dict[str, str]:
    """The example accounts as load_example prints them: `  <role>  <email>  <password>` lines."""
    lines = [line.split() for line in output.splitlines() if "@cocrea.example" in line]
    return {words[-2]: words[-1] for words in lines}


def test_printed_passwords_sign_in_to_the_database_just_loaded_whatever_the_file_was_written_for(
    example_accounts_file, db
):
    # A passwords file written for another database (SQLite before switching to PostgreSQL, or a
    # database since deleted), and in this one an example account whose password was changed since.
    written_before = {email: f"escrita-antes-{n}-Ñandú" for n, (email, *_) in enumerate(example.ACCOUNTS)}
    example_accounts_file.write_text(json.dumps(written_before))
    UserFactory(email="revisor.minam@cocrea.example", password="cambiada-a-mano-2017")
    out = io.StringIO()

    call_command("load_example", stdout=out)

    printed = printed_passwords(out.getvalue())
    for email, password in printed.items():
        assert authenticate(None, email=email, password=password) == User.objects.get(email=email), email
    assert printed == written_before  # the file is the source of truth: it is kept, and it is right
    assert authenticate(None, email="revisor.minam@cocrea.example", password="cambiada-a-mano-2017") is None
    assert "load_example resets the example accounts' passwords" in out.getvalue()


def test_an_example_account_whose_password_matches_keeps_its_hash_and_so_its_sessions(
    example_accounts_file, db
):
    call_command("load_example", stdout=io.StringIO())
    hashes = dict(User.objects.values_list("email", "password"))

    call_command("load_example", stdout=io.StringIO())

    assert dict(User.objects.values_list("email", "password")) == hashes
