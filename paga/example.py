"""PAGA 2017-2019, the example the portal ships with: facts of the seed slides, nothing invented.

Every year is 2017. Undated activities stay undated. `load()` is idempotent: it updates rows by
their natural keys, so running it twice duplicates nothing.
"""

from __future__ import annotations

import datetime
import json
import secrets
from pathlib import Path

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.models import Group
from django.db import transaction

from . import roles, staff_security, vocabulary
from .models import (
    ActionPlan,
    ActorType,
    Channel,
    Entity,
    GovernmentLevel,
    GovernmentPriority,
    Objective,
    Pillar,
    Region,
    Theme,
    TimelineStage,
    User,
)

D = datetime.date

PLAN = {
    "short_name": "PAGA 2017-2019",
    "slug": "paga-2017-2019",
    "name": "Tercer Plan de Acción de Gobierno Abierto 2017-2019",
    "country": "Perú",
    "framework": "Alianza para el Gobierno Abierto (Open Government Partnership, OGP)",
    "start_year": 2017,
    "end_year": 2019,
    "secretariat": "Secretaría de Gestión Pública (Presidencia del Consejo de Ministros, PCM)",
    "previous_plan": "PAGA 2015-2016",
    "general_objective": (
        "Elaborar el tercer Plan de Acción de Gobierno Abierto para el periodo 2017-2019, en el marco de "
        "los compromisos asumidos por el Estado peruano con la Alianza para el Gobierno Abierto, a través "
        "de un proceso colaborativo y descentralizado entre entidades públicas, organizaciones de la "
        "sociedad civil, gremios empresariales y la ciudadanía en general."
    ),
}

# The previous plan, which the seed names only ("PAGA 2015-2016", "previous_plan" above) and whose
# self-assessment report it consults (consultations/example.py): its own plan, readable at
# /planes/paga-2015-2016/…; what the seed does not say is labelled illustrative.
PREVIOUS_PLAN = {
    "short_name": "PAGA 2015-2016",
    "slug": "paga-2015-2016",
    "name": "PAGA 2015-2016",
    "country": "Perú",
    "framework": PLAN["framework"],
    "start_year": 2015,
    "end_year": 2016,
    "secretariat": "Ilustrativo: la secretaría de este plan no figura en las fuentes del ejemplo.",
    "previous_plan": "",
    "general_objective": (
        "Ilustrativo: el objetivo general de este plan no figura en las fuentes del ejemplo. El ejemplo "
        "solo recoge la consulta virtual de su Informe Final de Autoevaluación (29.09–13.10.2017), "
        "publicada durante la cocreación del PAGA 2017-2019."
    ),
    "is_current": False,
    "is_demonstration": False,
}

OBJECTIVES = [
    "Aplicar los estándares establecidos por la AGA para el proceso de co-creación de los Planes de Acción "
    "de Gobierno Abierto y las buenas prácticas internacionales.",
    "Identificar y priorizar los compromisos de acuerdo a su relevancia con respecto a los valores de "
    "gobierno abierto, prioridades de gobierno, alineamiento con los Objetivos de Desarrollo Sostenible y "
    "estándares OCDE.",
    "Formulación y aprobación del Plan de Acción de Gobierno Abierto.",
]

PILLARS = [
    (
        "difusion",
        "Difusión de información",
        "El público, la sociedad civil y otros actores clave deberán recibir información oportuna sobre "
        "todos los aspectos del proceso nacional de OGP, incluyendo en qué medida se toman en cuenta sus "
        "aportaciones.",
    ),
    (
        "dialogo",
        "Espacios y plataformas de diálogo y co-creación",
        "Se deberá facilitar un diálogo permanente e incluyente utilizando diversos foros y plataformas "
        "adecuadas al contexto nacional.",
    ),
    (
        "apropiacion",
        "Apropiación y toma de decisiones conjunta",
        "El gobierno, la sociedad civil y otros actores deberán adueñarse del proceso y llevarlo a cabo de "
        "forma conjunta.",
    ),
]

# CEPLAN's government priorities, in the order of the seed's matrix.
PRIORITIES = ["Salud", "Educación", "Saneamiento / Ambiente", "Seguridad ciudadana", "Infraestructura"]

# The five thematic tables, in the seed's order, with the CEPLAN priority each falls under.
THEMES = [
    ("Saneamiento", "Saneamiento / Ambiente"),
    ("Seguridad ciudadana", "Seguridad ciudadana"),
    ("Infraestructura", "Infraestructura"),
    ("Ambiente", "Saneamiento / Ambiente"),
    ("Educación", "Educación"),
]

DIALOGUE_CHANNELS = [Channel.SOCIAL, Channel.FORUM, Channel.EMAIL]

# (pillar, phase, title, start, end, region code, place, channels), in the order the slides show.
STAGES = [
    (
        "difusion",
        "Difusión de información",
        "Página web de Gobierno Abierto",
        None,
        None,
        None,
        "",
        [Channel.WEBSITE],
    ),
    (
        "difusion",
        "Difusión de información",
        "Publicación del cronograma de actividades",
        D(2017, 9, 8),
        None,
        None,
        "",
        [Channel.WEBSITE],
    ),
    (
        "difusion",
        "Difusión de información",
        "Publicación y consulta virtual del Informe Final de Autoevaluación de PAGA 2015-2016",
        D(2017, 9, 29),
        D(2017, 10, 13),
        None,
        "",
        [Channel.WEBSITE],
    ),
    (
        "dialogo",
        "Espacios y plataformas de diálogo y co-creación",
        "Mesas temáticas: elaboración de propuesta de compromisos por temáticas",
        None,
        None,
        None,
        "",
        [],
    ),
    (
        "dialogo",
        "Espacios y plataformas de diálogo y co-creación",
        "Consulta pública: foro virtual. Publicación de propuesta de compromisos",
        D(2017, 9, 22),
        D(2017, 10, 6),
        None,
        "",
        DIALOGUE_CHANNELS,
    ),
    (
        "dialogo",
        "Espacios y plataformas de diálogo y co-creación",
        "Taller regional La Libertad",
        D(2017, 9, 21),
        D(2017, 9, 21),
        "13",
        "",
        [Channel.IN_PERSON],
    ),
    (
        "dialogo",
        "Espacios y plataformas de diálogo y co-creación",
        "Taller regional San Martín",
        D(2017, 9, 28),
        D(2017, 9, 28),
        "22",
        "",
        [Channel.IN_PERSON],
    ),
    (
        "dialogo",
        "Espacios y plataformas de diálogo y co-creación",
        "Taller regional Arequipa",
        D(2017, 10, 2),
        D(2017, 10, 2),
        "04",
        "",
        [Channel.IN_PERSON],
    ),
    (
        "dialogo",
        "Espacios y plataformas de diálogo y co-creación",
        "Mesas nacionales por temáticas",
        D(2017, 10, 12),
        D(2017, 10, 13),
        "15",
        "Lima",
        [Channel.IN_PERSON],
    ),
    ("apropiacion", "Mesas nacionales", "Consensuar compromisos propuestos", None, None, None, "", []),
    (
        "apropiacion",
        "Mesas nacionales",
        "Propuesta de plan a ser revisado por las entidades responsables",
        None,
        None,
        None,
        "",
        [],
    ),
    (
        "apropiacion",
        "Proceso de aprobación PAGA",
        "Reuniones técnicas sectoriales: coordinación con entidades responsables",
        None,
        None,
        None,
        "",
        [],
    ),
    (
        "apropiacion",
        "Proceso de aprobación PAGA",
        "Procedimiento de aprobación de Resolución Ministerial PCM",
        None,
        None,
        None,
        "",
        [],
    ),
]

SELF_ASSESSMENT_STAGE = 3  # its order: the stage links to the consultation (consultations/example.py)

# PAGA 2015-2016's timeline: the one stage of its own the seed gives, its self-assessment report's virtual
# consultation (the seed's stage above, during PAGA 2017-2019's co-creation). Its other stages are not in
# the sources: the stage's description says so. Linked to the consultation by consultations/example.py.
PREVIOUS_SELF_ASSESSMENT_STAGE = 1
PREVIOUS_STAGE = {
    "pillar": "difusion",
    "phase": STAGES[SELF_ASSESSMENT_STAGE - 1][1],
    "title": "Publicación y consulta virtual del Informe Final de Autoevaluación de PAGA 2015-2016",
    "description": (
        "Es la única etapa del PAGA 2015-2016 que recoge el portal: las fuentes del ejemplo no dan las "
        "demás (su cocreación y su implementación). La consulta se publicó durante la cocreación del PAGA "
        "2017-2019."
    ),
    "starts_on": STAGES[SELF_ASSESSMENT_STAGE - 1][3],
    "ends_on": STAGES[SELF_ASSESSMENT_STAGE - 1][4],
    "channels": [str(Channel.WEBSITE)],
}

SECRETARIAT_ENTITY = ("Presidencia del Consejo de Ministros - Secretaría de Gestión Pública", "PCM-SGP")

# The seven ministries that lead the plan's commitments.
MINISTRIES = [
    ("Ministerio del Ambiente", "MINAM"),
    ("Ministerio de Educación", "MINEDU"),
    ("Ministerio de Transportes y Comunicaciones", "MTC"),
    ("Ministerio del Interior", "MININTER"),
    ("Ministerio de Vivienda, Construcción y Saneamiento", "MVCS"),
    ("Ministerio de Salud", "MINSA"),
    ("Ministerio de Energía y Minas", "MINEM"),
]

# (email, display name, role, entity acronym). Illustrative people: labelled as examples.
ACCOUNTS = [
    ("secretaria@cocrea.example", "Secretaría de Gestión Pública (ejemplo)", roles.SECRETARIAT, "PCM-SGP"),
    ("revisor.minam@cocrea.example", "Revisor MINAM (ejemplo)", roles.REVIEWER, "MINAM"),
    ("revisor.mtc@cocrea.example", "Revisora MTC (ejemplo)", roles.REVIEWER, "MTC"),
    ("ciudadana@cocrea.example", "Rosa, ciudadana (ejemplo)", roles.CITIZEN, None),
    ("ciudadano@cocrea.example", "Julio, ciudadano (ejemplo)", roles.CITIZEN, None),
    ("admin@cocrea.example", "Administración (ejemplo)", roles.ADMINISTRATOR, None),
]


def accounts_file() -> Path:
    return Path(settings.BASE_DIR) / ".example-accounts.json"


@transaction.atomic
def load(*, plan: ActionPlan | None = None, stdout=None) -> ActionPlan:
    """Create or update the PAGA 2017-2019 plan, its vocabulary, timeline, entities and accounts, and the
    previous plan (PAGA 2015-2016) that its timeline's self-assessment consultation belongs to.

    `plan` is what the apps' loaders receive; paga's own loader makes it, so it ignores the argument.
    """
    vocabulary.ensure()
    pcm, _ = Entity.objects.update_or_create(
        acronym=SECRETARIAT_ENTITY[1],
        defaults={
            "name": SECRETARIAT_ENTITY[0],
            "slug": "pcm-sgp",
            "actor_type": ActorType.PUBLIC_ENTITY,
            "level": GovernmentLevel.NATIONAL,
        },
    )
    for name, acronym in MINISTRIES:
        Entity.objects.update_or_create(
            acronym=acronym,
            defaults={
                "name": name,
                "slug": acronym.lower(),
                "actor_type": ActorType.PUBLIC_ENTITY,
                "level": GovernmentLevel.NATIONAL,
            },
        )

    ActionPlan.objects.exclude(slug=PLAN["slug"]).filter(is_current=True).update(is_current=False)
    plan, _ = ActionPlan.objects.update_or_create(
        slug=PLAN["slug"], defaults={**PLAN, "secretariat_entity": pcm, "is_current": True}
    )
    for order, text in enumerate(OBJECTIVES, start=1):
        Objective.objects.update_or_create(plan=plan, order=order, defaults={"text": text})
    previous, _ = ActionPlan.objects.update_or_create(slug=PREVIOUS_PLAN["slug"], defaults=PREVIOUS_PLAN)

    for order, (key, name, text) in enumerate(PILLARS, start=1):
        Pillar.objects.update_or_create(key=key, defaults={"name": name, "text": text, "order": order})
    pillars = {p.key: p for p in Pillar.objects.all()}

    priorities = {}
    for order, name in enumerate(PRIORITIES, start=1):
        priorities[name], _ = GovernmentPriority.objects.update_or_create(
            plan=plan, slug=_slug(name), defaults={"name": name, "source": "CEPLAN", "order": order}
        )
    for order, (name, priority) in enumerate(THEMES, start=1):
        Theme.objects.update_or_create(
            plan=plan,
            slug=_slug(name),
            defaults={"name": name, "priority": priorities[priority], "order": order},
        )

    regions = {r.code: r for r in Region.objects.all()}
    for order, (pillar, phase, title, start, end, region, place, channels) in enumerate(STAGES, start=1):
        TimelineStage.objects.update_or_create(
            plan=plan,
            order=order,
            defaults={
                "pillar": pillars[pillar],
                "phase": phase,
                "title": title,
                "starts_on": start,
                "ends_on": end,
                "region": regions.get(region),
                "place": place,
                "channels": [str(c) for c in channels],
            },
        )

    TimelineStage.objects.update_or_create(
        plan=previous,
        order=PREVIOUS_SELF_ASSESSMENT_STAGE,
        defaults={**PREVIOUS_STAGE, "pillar": pillars[PREVIOUS_STAGE["pillar"]]},
    )

    _load_accounts(stdout)
    return plan


def previous_plan() -> ActionPlan:
    """PAGA 2015-2016, made by load()."""
    return ActionPlan.objects.get(slug=PREVIOUS_PLAN["slug"])


def _slug(name: str) -> str:
    from django.utils.text import slugify

    return slugify(name)


def _load_accounts(stdout) -> None:
    """Example accounts, one per role, with random passwords kept in a local, git-ignored file.

    The file is the source of truth: a password is made once per account (when the file has none) and
    every load sets it on the account whose password differs, so the passwords printed always sign in to
    the database just loaded, whichever it is (SQLite, PostgreSQL, one recreated) and whatever was
    changed by hand. An account that already matches keeps its hash, and so its sessions."""
    path = accounts_file()
    known = json.loads(path.read_text()) if path.exists() else {}
    entities = {e.acronym: e for e in Entity.objects.filter(acronym__in=[a[3] for a in ACCOUNTS if a[3]])}
    for email, name, role, acronym in ACCOUNTS:
        user, _ = User.objects.update_or_create(
            email=email,
            defaults={
                "display_name": name,
                "entity": entities.get(acronym),
                "is_staff": role in (roles.SECRETARIAT, roles.ADMINISTRATOR),
                "is_superuser": role == roles.ADMINISTRATOR,
            },
        )
        user.groups.add(Group.objects.get(name=role))
        if role != roles.CITIZEN:
            user.groups.add(Group.objects.get(name=roles.CITIZEN))
        if email not in known:
            known[email] = secrets.token_urlsafe(12)
        if not user.check_password(known[email]):
            user.set_password(known[email])
            user.save(update_fields=["password"])
        EmailAddress.objects.update_or_create(
            user=user, email=email, defaults={"verified": True, "primary": True}
        )
    path.write_text(json.dumps(known, indent=2))
    path.chmod(0o600)
    if stdout is not None:
        stdout.write(
            f"Example accounts (random passwords kept in {path.name}; load_example resets the example "
            "accounts' passwords to these):"
        )
        for email, _name, role, acronym in ACCOUNTS:
            label = str(roles.LABELS[role]) + (f" ({acronym})" if acronym and role == roles.REVIEWER else "")
            stdout.write(f"  {label:<28} {email:<32} {known[email]}")
        if staff_security.example_staff_demo():
            stdout.write(
                "Staff accounts above work without an authenticator app: development demo "
                "(COCREA_EXAMPLE_STAFF_WITHOUT_2FA); any other staff account needs one."
            )
        else:
            stdout.write("Staff accounts need an authenticator app: the first staff page asks to set it up.")
