"""People posting comments at the same moment on a file-backed SQLite database, in a process of its own.

Run by tests/paga/test_sqlite_concurrency.py as `python -m tests.paga.sqlite_posts PEOPLE POSTS` with
DATABASE_URL=sqlite:///<a file>: it migrates that database, opens a consultation, then PEOPLE threads (each
with its own database connection, as under a threaded server) are released together and each posts
POSTS comments through the real page. It prints one JSON line: each post's status code, or the error it
raised, and the comments saved.
"""

from __future__ import annotations

import json
import os
import sys
import threading

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from django.urls import reverse  # noqa: E402

from commitments.models import Status  # noqa: E402
from consultations.models import Contribution  # noqa: E402
from paga import roles, vocabulary  # noqa: E402
from tests.commitments.factories import CommitmentFactory  # noqa: E402
from tests.consultations.factories import ConsultationFactory  # noqa: E402
from tests.factories import UserFactory  # noqa: E402


def main(people: int, posts: int) -> dict:
    setup_test_environment()  # the test Client, as in the suite
    call_command("migrate", verbosity=0)
    vocabulary.ensure()
    consultation = ConsultationFactory(items=[CommitmentFactory(status=Status.IN_CONSULTATION)])
    item = consultation.items.get()
    url = reverse("consultations:comment", kwargs={"slug": consultation.slug, "pk": item.pk})
    users = [UserFactory(groups=[roles.CITIZEN]) for _ in range(people)]
    connection.close()

    barrier = threading.Barrier(people)
    results: list[list] = [[] for _ in range(people)]

    def person(n: int) -> None:
        client = Client(REMOTE_ADDR=f"10.0.0.{n + 1}")  # each from an address of their own
        client.force_login(users[n])
        try:
            barrier.wait(timeout=30)
            for k in range(posts):
                try:
                    response = client.post(url, {"text": f"Aporte {k} de la persona {n}", "stance": ""})
                    results[n].append(response.status_code)
                except Exception as exc:  # reported to the test
                    results[n].append(f"{type(exc).__name__}: {exc}")
        finally:
            connection.close()

    threads = [threading.Thread(target=person, args=(n,)) for n in range(people)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return {
        "results": results,
        "saved": Contribution.objects.filter(consultation=consultation).count(),
        "journal_mode": connection.cursor().execute("PRAGMA journal_mode").fetchone()[0],
    }


if __name__ == "__main__":
    print(json.dumps(main(int(sys.argv[1]), int(sys.argv[2]))))  # noqa: T201
