"""deploy/k8s/, checked offline: every manifest against the Kubernetes schemas that kubernetes-validate ships
(strict: an unknown field is an error), for the oldest Kubernetes we support and the newest it knows; then
what the schemas cannot say: probes on /salud/ that the production settings answer, exactly one beat,
migrations in the Job alone, and the ConfigMap and Secret holding .env.example's variables."""

import copy
import json
import subprocess
import sys
from pathlib import Path

import kubernetes_validate
import pytest
import yaml

from tests.paga.test_configuration_docs import COMPOSE_ONLY, in_env_example

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "deploy" / "k8s"
MANIFESTS = sorted(path for path in K8S.glob("*.yaml") if path.name != "kustomization.yaml")
VERSIONS = ["1.30.0", kubernetes_validate.latest_version()]


def documents(path: Path) -> list[dict]:
    return [doc for doc in yaml.safe_load_all(path.read_text()) if doc]


def resources() -> dict[tuple[str, str], dict]:
    found = {}
    for path in MANIFESTS:
        for doc in documents(path):
            found[doc["kind"], doc["metadata"]["name"]] = doc
    return found


RESOURCES = resources()
WORKLOADS = {
    name: doc["spec"]["template"]["spec"]
    for (kind, name), doc in RESOURCES.items()
    if kind in ("Deployment", "Job")
}


def containers(pod: dict) -> list[dict]:
    return pod.get("initContainers", []) + pod["containers"]


def command(container: dict) -> str:
    return " ".join(container.get("command", []) + container.get("args", []))


def test_kustomization_lists_every_manifest():
    kustomization = yaml.safe_load((K8S / "kustomization.yaml").read_text())
    assert sorted(kustomization["resources"]) == [path.name for path in MANIFESTS]


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("path", MANIFESTS, ids=lambda path: path.name)
def test_manifest_is_valid_kubernetes(path, version):
    docs = documents(path)
    assert docs, f"{path.name} holds no resource"
    for doc in docs:
        kubernetes_validate.validate(doc, version, strict=True)


def web_deployment() -> dict:
    return copy.deepcopy(RESOURCES["Deployment", "cocrea-web"])


def misspell_probe(doc):
    container = doc["spec"]["template"]["spec"]["containers"][0]
    container["readinesProbe"] = container.pop("readinessProbe")


@pytest.mark.parametrize(
    ("break_it", "expected"),
    [
        (misspell_probe, "'readinesProbe' was unexpected"),
        (lambda doc: doc["spec"].update(replicas="two"), "'two' is not of type 'integer'"),
        (lambda doc: doc["spec"].pop("selector"), "'selector' is a required property"),
    ],
    ids=["misspelt-field", "wrong-type", "missing-selector"],
)
def test_the_validator_refuses_a_broken_manifest(break_it, expected):
    broken = web_deployment()
    break_it(broken)
    with pytest.raises(kubernetes_validate.ValidationError) as refused:
        kubernetes_validate.validate(broken, VERSIONS[0], strict=True)
    assert expected in refused.value.message


def test_web_is_probed_on_salud_served_by_a_service_and_autoscaled():
    deployment = RESOURCES["Deployment", "cocrea-web"]
    (web,) = deployment["spec"]["template"]["spec"]["containers"]
    assert command(web).startswith("gunicorn paga.wsgi -b 0.0.0.0:8000")
    assert {port["name"]: port["containerPort"] for port in web["ports"]} == {"http": 8000}
    for probe in ("readinessProbe", "livenessProbe"):
        assert web[probe]["httpGet"]["path"] == "/salud/"
        assert web[probe]["httpGet"]["port"] == "http"
    assert web["resources"]["requests"]["cpu"]

    service = RESOURCES["Service", "cocrea-web"]
    assert service["spec"]["selector"] == deployment["spec"]["template"]["metadata"]["labels"]
    assert service["spec"]["selector"] == deployment["spec"]["selector"]["matchLabels"]
    assert [port["targetPort"] for port in service["spec"]["ports"]] == ["http"]

    hpa = RESOURCES["HorizontalPodAutoscaler", "cocrea-web"]
    assert hpa["apiVersion"] == "autoscaling/v2"
    assert hpa["spec"]["scaleTargetRef"] == {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "name": "cocrea-web",
    }
    assert 2 <= hpa["spec"]["minReplicas"] < hpa["spec"]["maxReplicas"]


def test_exactly_one_beat():
    beat = RESOURCES["Deployment", "cocrea-beat"]
    assert beat["spec"]["replicas"] == 1
    # Recreate: during a rollout the old pod stops before the new one starts (RollingUpdate runs both).
    assert beat["spec"]["strategy"] == {"type": "Recreate"}
    beats = [
        name
        for name, pod in WORKLOADS.items()
        for container in containers(pod)
        if " beat " in f" {command(container)} " or " -B" in command(container)
    ]
    assert beats == ["cocrea-beat"]
    # Nothing scales it.
    hpas = [doc for (kind, _), doc in RESOURCES.items() if kind == "HorizontalPodAutoscaler"]
    assert [hpa["spec"]["scaleTargetRef"]["name"] for hpa in hpas] == ["cocrea-web"]


def test_migrations_run_in_the_job_alone_and_every_pod_waits_for_them():
    job = RESOURCES["Job", "cocrea-migrate"]
    (migrate,) = job["spec"]["template"]["spec"]["containers"]
    assert (
        command(migrate)
        == "sh -c python manage.py migrate --no-input && python manage.py render_contributions"
    )
    assert job["spec"]["template"]["spec"]["restartPolicy"] == "Never"
    for name, pod in WORKLOADS.items():
        if name == "cocrea-migrate":
            continue
        for container in containers(pod):
            assert "migrate --no-input" not in command(container), name
        # Read-only: `migrate --check` fails while a migration of this image is unapplied.
        waits = [command(container) for container in pod.get("initContainers", [])]
        assert waits == ["sh -c until python manage.py migrate --check; do sleep 5; done"], name


def configuration() -> tuple[dict, dict]:
    config_map = RESOURCES["ConfigMap", "cocrea-config"]["data"]
    secret = RESOURCES["Secret", "cocrea-secrets"]
    return config_map, {**secret.get("data", {}), **secret.get("stringData", {})}


def test_configmap_and_secret_hold_the_variables_of_env_example_and_nothing_else():
    config_map, secret = configuration()
    assert not set(config_map) & set(secret), "a variable is in both the ConfigMap and the Secret"
    expected = in_env_example() - COMPOSE_ONLY
    assert set(config_map) | set(secret) == expected, (
        f"missing: {sorted(expected - set(config_map) - set(secret))}; "
        f"not in .env.example: {sorted((set(config_map) | set(secret)) - expected)}"
    )
    # What carries a password or a key is the Secret's.
    assert {"DJANGO_SECRET_KEY", "DATABASE_URL", "REDIS_URL", "EMAIL_URL", "AWS_SECRET_ACCESS_KEY"} <= set(
        secret
    )
    # Files in the object store: no pod keeps one of its own.
    assert config_map["COCREA_STORAGE"] == "s3"
    assert not [name for kind, name in RESOURCES if kind == "PersistentVolumeClaim"]
    for name, pod in WORKLOADS.items():
        for container in containers(pod):
            sources = [next(iter(source.values()))["name"] for source in container["envFrom"]]
            assert sources == ["cocrea-config", "cocrea-secrets"], f"{name}/{container['name']}"


PROBE = """
import json, sys
import django
django.setup()
from django.test import Client
client = Client(raise_request_exception=False)
headers = json.loads(sys.argv[1])
print(json.dumps([
    client.get("/salud/", headers=headers).status_code,
    client.get("/salud/", headers={"host": headers["Host"]}).status_code,
    client.get("/salud/").status_code,
]))
"""


def pod_environment(**override) -> dict:
    config_map, secret = configuration()
    return {
        "PATH": "/usr/bin:/bin",
        "PYTHONPATH": str(ROOT),
        "DJANGO_SETTINGS_MODULE": "paga.settings",
        **config_map,
        **secret,
        **override,
    }


def test_the_pods_environment_starts_the_portal_and_its_probe_gets_200():
    (web,) = RESOURCES["Deployment", "cocrea-web"]["spec"]["template"]["spec"]["containers"]
    headers = {header["name"]: header["value"] for header in web["readinessProbe"]["httpGet"]["httpHeaders"]}
    assert headers == {
        header["name"]: header["value"] for header in web["livenessProbe"]["httpGet"]["httpHeaders"]
    }
    # The settings as production reads them (a real key in place of the placeholder); a fresh interpreter.
    done = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(headers)],
        env=pod_environment(DJANGO_SECRET_KEY="k" * 50),
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    probe, without_https, bare = json.loads(done.stdout.splitlines()[-1])
    # The probe's headers are what it needs: without them, a redirect to https:// and a refused host.
    assert (probe, without_https, bare) == (200, 301, 400)


def test_the_placeholder_secret_alone_never_serves():
    done = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env=pod_environment(),
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode != 0
    assert "DJANGO_SECRET_KEY is not set" in done.stderr
