"""Reference data every installation needs: Peru's departments (INEI codes), OGP's values, the roles.

`ensure()` is idempotent. The data migration calls it with the historical app registry, and
load_example calls it again, so a flushed database (transactional tests) gets it back.
"""

from django.apps import apps as global_apps
from django.utils.text import slugify

from . import roles

REGIONS = [
    ("01", "Amazonas"),
    ("02", "Áncash"),
    ("03", "Apurímac"),
    ("04", "Arequipa"),
    ("05", "Ayacucho"),
    ("06", "Cajamarca"),
    ("07", "Callao"),
    ("08", "Cusco"),
    ("09", "Huancavelica"),
    ("10", "Huánuco"),
    ("11", "Ica"),
    ("12", "Junín"),
    ("13", "La Libertad"),
    ("14", "Lambayeque"),
    ("15", "Lima"),
    ("16", "Loreto"),
    ("17", "Madre de Dios"),
    ("18", "Moquegua"),
    ("19", "Pasco"),
    ("20", "Piura"),
    ("21", "Puno"),
    ("22", "San Martín"),
    ("23", "Tacna"),
    ("24", "Tumbes"),
    ("25", "Ucayali"),
]

OGP_VALUES = [
    (
        "transparencia",
        "Transparencia",
        True,
        "Más información, o información de mejor calidad, abierta al público.",
    ),
    (
        "participacion",
        "Participación ciudadana",
        True,
        "Más oportunidades o capacidades para que el público influya en las decisiones.",
    ),
    (
        "rendicion",
        "Rendición de cuentas",
        True,
        "Reglas y mecanismos que obligan a los funcionarios a justificar sus acciones y responder por ellas.",
    ),
    (
        "tecnologia",
        "Tecnologías e innovación",
        False,
        "Tecnología e innovación al servicio de uno de los otros valores; no cuenta sola.",
    ),
]


def ensure(apps=global_apps) -> None:
    Region = apps.get_model("paga", "Region")
    OGPValue = apps.get_model("paga", "OGPValue")
    Group = apps.get_model("auth", "Group")
    for code, name in REGIONS:
        Region.objects.update_or_create(code=code, defaults={"name": name, "slug": slugify(name)})
    for order, (code, name, core, description) in enumerate(OGP_VALUES, start=1):
        OGPValue.objects.update_or_create(
            code=code, defaults={"name": name, "is_core": core, "description": description, "order": order}
        )
    for name in roles.ALL:
        Group.objects.get_or_create(name=name)
