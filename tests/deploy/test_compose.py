"""docker-compose.yml, checked without a Docker engine (none runs here, and `docker compose` is not
installed): against the Compose specification's JSON schema (the copy check-jsonschema ships, pinned in
the dev extras), then for what the schema cannot say: migrations once per deploy, any number of web
containers behind one published port, exactly one Celery beat."""

import copy
import json
import re
from importlib import resources
from pathlib import Path

import jsonschema
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = ROOT / "docker-compose.yml"
APP_SERVICES = ("web", "worker", "beat")


def compose_schema() -> dict:
    vendor = resources.files("check_jsonschema") / "builtin_schemas" / "vendor" / "compose-spec.json"
    return json.loads(vendor.read_text())


def schema_errors(document: dict) -> list[str]:
    schema = compose_schema()
    validator = jsonschema.validators.validator_for(schema)(schema)
    return [
        f"{'.'.join(map(str, error.absolute_path))}: {error.message}"
        for error in validator.iter_errors(document)
    ]


@pytest.fixture(scope="module")
def compose() -> dict:
    # PyYAML resolves the anchors and `<<` merges as Docker Compose does.
    return yaml.safe_load(COMPOSE.read_text())


def command_of(service: dict) -> str:
    command = service.get("command", "")
    return " ".join(command) if isinstance(command, list) else command


def test_compose_file_follows_the_compose_specification(compose):
    assert schema_errors(compose) == []


@pytest.mark.parametrize(
    ("break_it", "expected"),
    [
        (
            lambda c: c["services"]["web"]["depends_on"]["migrate"].update(condition="service_done"),
            "service_done",
        ),
        (lambda c: c["services"]["web"].update(depend_on=["migrate"]), "depend_on"),
        (
            lambda c: c["services"]["proxy"].update(volumes="./deploy/compose/nginx.conf"),
            "not of type 'array'",
        ),
    ],
    ids=["unknown-condition", "misspelt-key", "volumes-not-a-list"],
)
def test_the_schema_check_refuses_a_broken_compose_file(compose, break_it, expected):
    broken = copy.deepcopy(compose)
    break_it(broken)
    errors = schema_errors(broken)
    assert errors
    assert expected in " ".join(errors)


def test_migrations_run_once_in_their_own_service(compose):
    services = compose["services"]
    migrate = services["migrate"]
    assert command_of(migrate) == (
        "sh -c python manage.py migrate --no-input && python manage.py render_contributions"
    )
    # A one-off: restarted, it would migrate again and never count as completed.
    assert migrate["restart"] == "no"
    assert [name for name, service in services.items() if "migrate" in command_of(service)] == ["migrate"]
    # Nor does the image migrate on its own.
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert not re.search(r"^(CMD|ENTRYPOINT).*migrate", dockerfile, re.M)


@pytest.mark.parametrize("name", APP_SERVICES)
def test_the_app_services_start_after_migrate_succeeded(compose, name):
    depends_on = compose["services"][name]["depends_on"]
    assert depends_on["migrate"] == {"condition": "service_completed_successfully"}
    assert depends_on["db"] == {"condition": "service_healthy"}
    assert depends_on["redis"] == {"condition": "service_healthy"}


def test_web_can_be_scaled_behind_one_published_port(compose):
    services = compose["services"]
    web = services["web"]
    # A fixed host port (or a container name) makes a second web container fail to start.
    assert "ports" not in web
    assert "container_name" not in web
    assert command_of(web).startswith("gunicorn paga.wsgi -b 0.0.0.0:8000")
    published = {name for name, service in services.items() if service.get("ports")}
    assert published == {"proxy"}
    proxy = services["proxy"]
    assert proxy["ports"] == ["127.0.0.1:${COCREA_PORT:-8000}:8000"]
    assert proxy["image"].startswith("nginx:")
    (mount,) = proxy["volumes"]
    source, target, mode = mount.split(":")
    assert (target, mode) == ("/etc/nginx/conf.d/default.conf", "ro")
    conf = (ROOT / source).read_text()
    assert re.search(r"^\s*listen 8000;", conf, re.M)
    # The web service's name, looked up again through Docker's DNS, so scaled containers are found.
    assert "resolver 127.0.0.11" in conf
    assert re.search(r"set \$(\w+) http://web:8000;\s*proxy_pass \$\1;", conf)


def test_exactly_one_celery_beat(compose):
    services = compose["services"]
    beats = [name for name, service in services.items() if re.search(r"\bbeat\b|\s-B\b", command_of(service))]
    assert beats == ["beat"]
    assert services["beat"]["deploy"]["replicas"] == 1
    assert command_of(services["worker"]).startswith("celery -A paga worker")
