"""Files on an S3-compatible object store (COCREA_STORAGE=s3, django-storages): the plan's PDF rendered into
the bucket and downloaded from it through the portal, a workshop document and a report's evidence
uploaded into it and downloaded back with the same bytes and SHA-256, nothing written to MEDIA_ROOT, and
no object readable without the store's credentials (private files stay private).

The store is moto's S3 server (`moto_server`, from PyPI: Debian has no S3 server, and MinIO is not
packaged) run here as a separate process on 127.0.0.1: django-storages and boto3 talk real HTTP to it,
signed requests and all; nothing of the client is mocked. Without `moto_server` the tests are skipped,
and CI (COCREA_REQUIRE_SERVICES=1) fails them.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import boto3
import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from commitments import plan_services, plan_tasks
from commitments.models import RenderJob
from implementation.models import ProgressReport
from tests.commitments.factories import current_plan
from tests.commitments.test_plan_services import RM, frozen_version, signed_off
from tests.conftest import require
from tests.implementation import conftest as implementation
from tests.implementation.test_views import report_data
from tests.paga.test_settings import assert_refused, run
from workshops import services as workshop_services
from workshops.models import DocumentType

pytestmark = [pytest.mark.django_db, pytest.mark.services]
# The example plan approved, and a milestone of its commitment 3 (MINAM), as in tests/implementation.
approved_plan, three, milestone = implementation.approved_plan, implementation.three, implementation.milestone

KEYS = {"aws_access_key_id": "cocrea-test", "aws_secret_access_key": "cocrea-test-secret"}
REGION = "us-east-1"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=1):  # noqa: S310 (our own server on 127.0.0.1)
            return True
    except urllib.error.HTTPError:
        return True  # it answered
    except OSError:
        return False


@pytest.fixture(scope="session")
def s3_endpoint(tmp_path_factory):
    """The address of an S3 API server started for the session (moto_server on a free port)."""
    program = shutil.which("moto_server", path=str(Path(sys.executable).parent)) or shutil.which(
        "moto_server"
    )
    require("s3", program is not None, "moto_server is not installed: pip install -e '.[dev]'")
    port = free_port()
    log = (tmp_path_factory.mktemp("s3") / "moto_server.log").open("w")
    server = subprocess.Popen(  # noqa: S603
        [program, "-H", "127.0.0.1", "-p", str(port)], stdout=log, stderr=subprocess.STDOUT
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while not answers(url) and server.poll() is None and time.monotonic() < deadline:
        time.sleep(0.1)
    try:
        require("s3", answers(url), f"moto_server did not answer at {url} within 20 s")
        yield url
    finally:
        server.terminate()
        server.wait(timeout=10)
        log.close()


@pytest.fixture
def bucket(s3_endpoint, settings, tmp_path):
    """A new bucket, made the default storage as COCREA_STORAGE=s3 makes it (paga/settings.py); yields the
    bucket's name and a boto3 client of our own to look at it. MEDIA_ROOT is an empty folder."""
    name = f"cocrea-{uuid.uuid4().hex[:12]}"
    client = boto3.client("s3", endpoint_url=s3_endpoint, region_name=REGION, **KEYS)
    client.create_bucket(Bucket=name)
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": name,
                "endpoint_url": s3_endpoint,
                "region_name": REGION,
                "access_key": KEYS["aws_access_key_id"],
                "secret_key": KEYS["aws_secret_access_key"],
                "default_acl": None,
                "querystring_auth": True,
                "file_overwrite": False,
                "max_memory_size": 2 * 1024 * 1024,
            },
        },
    }
    return name, client


def stored(bucket, key: str) -> bytes:
    name, client = bucket
    return client.get_object(Bucket=name, Key=key)["Body"].read()


def anonymous_status(s3_endpoint: str, bucket_name: str, key: str) -> int:
    """The status of a plain GET of the object, with no credentials (a visitor who learnt its key)."""
    try:
        with urllib.request.urlopen(f"{s3_endpoint}/{bucket_name}/{key}", timeout=5) as answer:  # noqa: S310
            return answer.status
    except urllib.error.HTTPError as refused:
        return refused.code


def nothing_on_disk(settings) -> bool:
    media = Path(settings.MEDIA_ROOT)
    return not media.exists() or not any(p.is_file() for p in media.rglob("*"))


def test_the_default_storage_is_the_bucket(bucket, settings):
    first = default_storage.save("prueba/hola.txt", SimpleUploadedFile("hola.txt", b"hola"))
    assert first == "prueba/hola.txt"
    assert stored(bucket, "prueba/hola.txt") == b"hola"
    # As on disk, a second file of the same name gets a name of its own: the first is never replaced.
    again = default_storage.save("prueba/hola.txt", SimpleUploadedFile("hola.txt", b"otra"))
    assert again != "prueba/hola.txt"
    assert (stored(bucket, "prueba/hola.txt"), stored(bucket, again)) == (b"hola", b"otra")
    # A file larger than what a download holds in memory (2 MB) comes back whole, through a temporary file.
    big = os.urandom(3 * 1024 * 1024 + 7)
    name = default_storage.save("prueba/grande.bin", SimpleUploadedFile("grande.bin", big))
    with default_storage.open(name, "rb") as handle:
        assert hashlib.sha256(handle.read()).hexdigest() == hashlib.sha256(big).hexdigest()
    assert nothing_on_disk(settings)


def test_the_plans_pdf_is_rendered_into_the_bucket_and_downloaded_from_it(
    client, secretariat, reviewer, bucket, s3_endpoint, settings
):
    version = frozen_version(secretariat, [signed_off(secretariat, reviewer)])
    plan_services.approve(version=version, actor=secretariat, **RM)
    job = version.jobs.get(kind=RenderJob.Kind.PLAN)

    assert plan_tasks.execute(job.pk) == "done"  # WeasyPrint, the real renderer
    job.refresh_from_db()
    content = stored(bucket, job.file)
    assert content.startswith(b"%PDF-")
    assert hashlib.sha256(content).hexdigest() == job.sha256
    assert job.size == len(content)
    assert nothing_on_disk(settings)
    assert plan_tasks.execute(job.pk) == "skipped"  # found in the bucket: not rendered twice

    download = client.get(reverse("commitments:plan_download", args=[version.number, "plan"]))
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert download["X-Content-SHA256"] == job.sha256
    assert download["X-Content-Type-Options"] == "nosniff"
    assert hashlib.sha256(b"".join(download.streaming_content)).hexdigest() == job.sha256

    assert anonymous_status(s3_endpoint, bucket[0], job.file) == 403

    bucket[1].delete_object(Bucket=bucket[0], Key=job.file)  # lost from the store: 404, not a 500
    assert client.get(reverse("commitments:plan_download", args=[version.number, "plan"])).status_code == 404
    assert plan_tasks.execute(job.pk) == "done"  # and the worker renders it again into the bucket
    assert hashlib.sha256(stored(bucket, job.file)).hexdigest() == job.sha256


def test_a_workshop_document_goes_into_the_bucket_and_comes_back_with_the_same_bytes(
    client, secretariat, bucket, s3_endpoint, settings
):
    with translation.override("en"):
        document = workshop_services.upload_document(
            plan=current_plan(),
            actor=secretariat,
            upload=SimpleUploadedFile("Acta Arequipa.pdf", PDF, content_type="application/pdf"),
            title="Acta del taller regional de Arequipa",
            doc_type=DocumentType.MINUTES,
            dated=datetime.date(2017, 10, 13),
        )
    assert stored(bucket, document.file.name) == PDF
    assert document.sha256 == hashlib.sha256(PDF).hexdigest()
    assert nothing_on_disk(settings)

    download = client.get(reverse("workshops:document_download", args=[document.pk]))
    assert download.status_code == 200
    assert download["X-Content-Type-Options"] == "nosniff"
    assert download["Content-Disposition"].startswith("attachment")
    assert hashlib.sha256(b"".join(download.streaming_content)).hexdigest() == document.sha256

    assert anonymous_status(s3_endpoint, bucket[0], document.file.name) == 403


def test_a_reports_evidence_goes_into_the_bucket_and_stays_private(
    client, reviewer, milestone, bucket, s3_endpoint, settings
):
    content = b"%PDF-1.4\n%acta de la reunion\n"
    client.force_login(reviewer)
    upload = SimpleUploadedFile("acta.pdf", content, content_type="application/pdf")
    response = client.post(
        reverse("implementation:review_milestone", args=[milestone.pk]),
        report_data(file1_title="Acta de la reunión", file1=upload),
    )
    assert response.status_code == 302
    evidence = ProgressReport.objects.get(milestone=milestone).evidence.get(kind="archivo")
    assert stored(bucket, evidence.file.name) == content
    assert evidence.sha256 == hashlib.sha256(content).hexdigest()
    assert nothing_on_disk(settings)

    download = client.get(reverse("implementation:review_evidence", args=[evidence.pk]))
    assert download.status_code == 200
    assert download["Cache-Control"] == "private, no-store"
    assert download["X-Content-Type-Options"] == "nosniff"
    assert b"".join(download.streaming_content) == content

    # Not validated: the public address refuses it, and so does the store to anyone without its keys.
    client.logout()
    assert client.get(reverse("implementation:evidence_download", args=[evidence.pk])).status_code == 404
    assert anonymous_status(s3_endpoint, bucket[0], evidence.file.name) == 403


def test_the_store_would_show_a_public_object_so_the_403_above_means_private(bucket, s3_endpoint):
    """The check of the tests above can fail: an object uploaded public-read is served to anyone."""
    name, client = bucket
    client.put_object(Bucket=name, Key="publico.txt", Body=b"para todos", ACL="public-read")
    client.put_object(Bucket=name, Key="privado.txt", Body=b"solo el portal")
    assert anonymous_status(s3_endpoint, name, "publico.txt") == 200
    assert anonymous_status(s3_endpoint, name, "privado.txt") == 403


def test_a_backup_takes_the_buckets_files_and_a_restore_puts_them_into_another_bucket(
    bucket, s3_endpoint, settings, tmp_path
):
    """ops/backup.py reads and writes the files through the storage: `make backup` of a portal on an
    object store holds its files, and `make restore` puts them, same names and bytes, into a new bucket."""
    from ops import backup

    files = {"plan/paga-v1-plan-0123456789abcdef.pdf": PDF, "documentos/2017/acta.pdf": b"%PDF-1.4\nacta\n"}
    for name, content in files.items():
        assert default_storage.save(name, SimpleUploadedFile("x", content)) == name
    archive = tmp_path / "media.tar"
    assert backup.archive_files(default_storage, archive) == 2
    assert backup.where(default_storage) == f"s3://{bucket[0]}"

    other = f"cocrea-{uuid.uuid4().hex[:12]}"
    bucket[1].create_bucket(Bucket=other)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            **settings.STORAGES["default"],
            "OPTIONS": {**settings.STORAGES["default"]["OPTIONS"], "bucket_name": other},
        },
    }
    assert backup.stored_names(default_storage) == []
    assert backup.restore_files(default_storage, archive) == 2
    assert backup.stored_names(default_storage) == sorted(files)
    for name, content in files.items():
        assert (
            hashlib.sha256(stored((other, bucket[1]), name)).hexdigest()
            == hashlib.sha256(content).hexdigest()
        )
        assert anonymous_status(s3_endpoint, other, name) == 403
    assert nothing_on_disk(settings)


# --- Configuration (paga/settings.py, in a fresh interpreter) ---------------------------------------
STORAGE_PROBE = """
import json
from django.conf import settings as s
print(json.dumps(s.STORAGES["default"]))
"""


def storage_setting(**env: str) -> dict:
    result = run(["-c", STORAGE_PROBE], DJANGO_DEBUG="1", **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_nothing_set_keeps_the_files_on_the_local_disk():
    assert storage_setting() == {"BACKEND": "django.core.files.storage.FileSystemStorage"}


def test_cocrea_storage_s3_sets_the_bucket_endpoint_and_keys_and_sends_no_public_acl():
    got = storage_setting(
        COCREA_STORAGE="s3",
        AWS_STORAGE_BUCKET_NAME="cocrea-archivos",
        AWS_S3_ENDPOINT_URL="https://objetos.example.gob.pe",
        AWS_S3_REGION_NAME="sa-east-1",
        AWS_ACCESS_KEY_ID="clave",
        AWS_SECRET_ACCESS_KEY="secreto",  # noqa: S106
        AWS_S3_ADDRESSING_STYLE="path",
    )
    assert got["BACKEND"] == "storages.backends.s3.S3Storage"
    options = got["OPTIONS"]
    assert (options["bucket_name"], options["endpoint_url"], options["region_name"]) == (
        "cocrea-archivos",
        "https://objetos.example.gob.pe",
        "sa-east-1",
    )
    assert (options["access_key"], options["secret_key"], options["addressing_style"]) == (
        "clave",
        "secreto",
        "path",
    )
    assert options["default_acl"] is None
    assert options["querystring_auth"] is True
    assert options["file_overwrite"] is False
    assert options["max_memory_size"] == 2 * 1024 * 1024


def test_cocrea_storage_s3_without_a_bucket_is_refused():
    assert_refused(
        run(["manage.py", "check"], DJANGO_DEBUG="1", COCREA_STORAGE="s3"), "AWS_STORAGE_BUCKET_NAME"
    )


def test_an_unknown_storage_is_refused():
    assert_refused(run(["manage.py", "check"], DJANGO_DEBUG="1", COCREA_STORAGE="ftp"), "COCREA_STORAGE")
