"""The page cache's generations (paga/pagecache.py): a write expires the pages that read what it changed,
and no other; private writes expire nothing; the triggers are the models' declarations, installed by
migrations once. Transactional tests: on PostgreSQL the generations move when the writer commits."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext

from bench import progress
from commitments.models import Status
from consultations import services
from consultations.models import Block, Contribution, Flag
from paga import pagecache
from paga.models import OutboundEmail, TimelineStage
from tests.commitments.factories import CommitmentFactory, approve_today, freeze_example_plan
from tests.consultations.factories import ConsultationFactory, comment
from tests.workshops.factories import EventFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def forum(settings, example_plan):
    """Two proposals, A and B, in one open consultation of the current plan; the page cache on."""
    settings.COCREA_PAGE_CACHE = True
    a, b = (CommitmentFactory(title=f"Propuesta {n} de prueba", status=Status.IN_CONSULTATION) for n in "AB")
    consultation = ConsultationFactory(items=[a, b])
    cache.clear()
    return consultation, a, b


def fetch(url: str) -> str:
    response = Client().get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def served_from_cache(url: str, django_assert_num_queries) -> str:
    """The page, asserting it was not rendered: one query, the generations it read."""
    with django_assert_num_queries(1):
        return fetch(url)


def test_every_content_table_carries_the_triggers_its_model_declares():
    installed = pagecache.installed_triggers()
    for model in pagecache.content_models():
        spec = pagecache.declared(model)
        assert installed.get(spec["table"]) == pagecache.expected_definition(connection.vendor, spec), (
            f"{spec['table']}: a migration must run ContentTriggers(**declared({model.__name__}))"
        )
    for private in (Flag, Block, OutboundEmail):
        assert private._meta.db_table not in installed
    assert {"consultations_contribution", "paga_timelinestage"} <= set(installed)


def test_a_comment_on_one_proposal_expires_its_pages_and_no_other(forum, citizen, django_assert_num_queries):
    consultation, a, b = forum
    pages = [b.get_absolute_url(), "/cronograma/", "/compromisos/", "/"]
    for url in [a.get_absolute_url(), *pages]:
        fetch(url)
    for url in pages:
        served_from_cache(url, django_assert_num_queries)

    comment(consultation=consultation, author=citizen, commitment=a, text="Un comentario nuevo sobre A.")

    assert "Un comentario nuevo sobre A." in fetch(a.get_absolute_url())  # rendered again at once
    for url in pages:  # B's thread, the timeline, the commitment list, the home page: still cached
        served_from_cache(url, django_assert_num_queries)
    assert "Un comentario nuevo sobre A." not in fetch(b.get_absolute_url())


def test_the_consultation_s_counts_follow_a_comment(forum, citizen):
    consultation, a, _b = forum
    url = consultation.get_absolute_url()

    def count_of_a(html: str) -> str:
        return re.sub(r"\s+", " ", html.split("Propuesta A de prueba", 1)[1][:400])

    before = count_of_a(fetch(url))
    comment(consultation=consultation, author=citizen, commitment=a, text="Otro comentario sobre A.")
    assert count_of_a(fetch(url)) != before


@pytest.mark.parametrize("signed_in", [False, True], ids=["signed out", "signed in"])
def test_the_kept_consultation_pages_count_a_new_comment_at_once(forum, citizen, fragments, signed_in):
    """The list and a consultation's page are kept whole with their counts as holes (consultations/views.py):
    with the page cache and the kept parts on, a comment changes the counts on the next request, and the
    rest of the page is not rendered again."""
    consultation, a, _b = forum
    client = Client()
    if signed_in:
        client.force_login(citizen)

    def counts() -> tuple[str, str]:
        listed = client.get("/consultas/").content.decode()
        page = client.get(consultation.get_absolute_url()).content.decode()
        ours = listed.split(f'href="{consultation.get_absolute_url()}"', 1)[1]
        contributions = re.search(r"<dt>Aportes</dt><dd>(\d+)</dd>", ours)
        on_a = re.search(r"Propuesta A de prueba</a>\s*<span class=\"meta\">([^<]+)</span>", page)
        return contributions.group(1), on_a.group(1)

    assert counts() == counts() == ("0", "0 comentarios")  # the second time from the kept parts
    comment(consultation=consultation, author=citizen, commitment=a, text="Un comentario sobre A.")
    assert counts() == ("1", "1 comentario")
    comment(consultation=consultation, author=citizen, commitment=a, text="Otro comentario sobre A.")
    assert counts() == ("2", "2 comentarios")


def test_a_report_of_a_comment_expires_nothing_public(
    forum, citizen, other_citizen, django_assert_num_queries
):
    consultation, a, b = forum
    made = comment(
        consultation=consultation, author=citizen, commitment=a, text="Un comentario que se reporta."
    )
    pages = [a.get_absolute_url(), b.get_absolute_url(), "/cronograma/", consultation.get_absolute_url()]
    for url in pages:
        fetch(url)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT name, value FROM {pagecache.TABLE}")  # noqa: S608
        before = dict(cursor.fetchall())

    services.flag(contribution=made, user=other_citizen, reason=Flag.Reason.SPAM)

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT name, value FROM {pagecache.TABLE}")  # noqa: S608
        assert dict(cursor.fetchall()) == before  # not one generation moved
    for url in pages:
        served_from_cache(url, django_assert_num_queries)


@pytest.mark.parametrize("how", ["service", "queryset update", "raw SQL"])
def test_hiding_a_comment_expires_its_thread_whatever_writes_it(forum, citizen, secretariat, how):
    consultation, a, _b = forum
    made = comment(consultation=consultation, author=citizen, commitment=a, text="Un texto que se ocultará.")
    assert "Un texto que se ocultará." in fetch(a.get_absolute_url())
    if how == "service":
        services.hide(contribution=made, actor=secretariat, reason="Datos personales")
    elif how == "queryset update":
        Contribution.objects.filter(pk=made.pk).update(
            state=Contribution.State.HIDDEN, hidden_reason="Motivo"
        )
    else:
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE consultations_contribution SET state = %s, hidden_reason = %s WHERE id = %s",
                [Contribution.State.HIDDEN, "Motivo", made.pk],
            )
    assert "Un texto que se ocultará." not in fetch(a.get_absolute_url())


def test_a_comment_in_one_plan_leaves_another_plan_s_consultations_cached(
    forum, citizen, example_plan, django_assert_num_queries
):
    consultation, a, _b = forum
    other, here = "/planes/paga-2015-2016/consultas/", "/consultas/"
    fetch(other), fetch(here)
    comment(consultation=consultation, author=citizen, commitment=a, text="Un comentario en este plan.")
    with django_assert_num_queries(2):  # the address's plan (paga/plans.py) and the generations: no render
        fetch(other)
    with CaptureQueriesContext(connection) as this_plan:
        fetch(here)
    assert len(this_plan) > 2  # this plan's list counts the comment: rendered again


def test_a_site_write_still_expires_the_pages_that_read_it(forum, django_assert_num_queries):
    _consultation, a, b = forum
    fetch("/cronograma/"), fetch(b.get_absolute_url())
    stage = TimelineStage.objects.filter(plan=a.plan).first()
    TimelineStage.objects.filter(pk=stage.pk).update(title="Etapa renombrada en la prueba")
    assert "Etapa renombrada en la prueba" in fetch("/cronograma/")


def test_migrate_again_leaves_the_triggers_untouched(db):
    def catalogue():
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(
                    "SELECT t.tgname, t.oid FROM pg_trigger t WHERE NOT t.tgisinternal ORDER BY t.tgname"
                )
            else:
                cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' ORDER BY name")
            return cursor.fetchall()

    before = catalogue()
    assert len(before) > 40
    statements = []

    def record(execute, sql, params, many, context):
        statements.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        call_command("migrate", verbosity=0)
    assert catalogue() == before  # the same triggers (on PostgreSQL the same objects: their oids)
    assert not [s for s in statements if re.search(r"\b(CREATE|DROP)\s+(CONSTRAINT\s+)?TRIGGER\b", s, re.I)]


PAGE_TABLES = re.compile(r'(?:FROM|JOIN)\s+"(\w+)"')


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/cronograma/",
        "/compromisos/",
        "A",
        "/consultas/",
        "C",
        "/compromisos/matriz/",
        "/compromisos/ranking/",
        "/plan/",
        "/planes/",
        "/privacidad/",
        "/talleres/",
        "/talleres.ics",
        "/talleres/calendario/",
        "E",
        "E.ics",
        "/repositorio/",
        "/participacion/",
        "/foro-multiactor/",
    ],
)
def test_a_page_reads_only_tables_whose_generations_it_recorded(forum, citizen, url):
    """What makes "never stale" hold for pages that name their generations: every content table a page
    reads moves one of the generations the page recorded (the whole site's, or the thread's it shows)."""
    consultation, a, _b = forum
    comment(consultation=consultation, author=citizen, commitment=a, text="Un comentario.")
    if url in ("E", "E.ics"):  # a workshop's page and its calendar
        slug = EventFactory().slug
        url = f"/talleres/{slug}/" if url == "E" else f"/talleres/{slug}.ics"
    url = {"A": a.get_absolute_url(), "C": consultation.get_absolute_url()}.get(url, url)
    cache.clear()
    tables = set()

    def record(execute, sql, params, many, context):
        tables.update(PAGE_TABLES.findall(sql))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        response = Client().get(url)
    assert response.status_code == 200
    entry = cache.get(pagecache._key(RequestFactory().get(url)))  # noqa: SLF001
    assert entry is not None, "the page was stored"
    read = set(entry[0])
    declared = {pagecache.declared(m)["table"]: m for m in pagecache.content_models()}
    for table in tables & set(declared):
        prefixes = {p for p, _e in pagecache.declared(declared[table])["keys"]}
        assert pagecache.EVERYTHING in read or any(
            name.startswith(p) if p.endswith(":") else name == p for name in read for p in prefixes
        ), f"{url} reads {table} but recorded only {sorted(read)}"


# The pages of an approved plan being implemented: one approval (and its PDF) for all of them.
APPROVED_PLAN_PAGES = (
    "/plan/",
    "/plan/versiones/1/",
    "/seguimiento/",
    "/seguimiento/avance.csv",
    "/seguimiento/avance.json",
    "/seguimiento/diccionario/",
    "/seguimiento/hitos.ics",
)


def test_the_approved_plan_s_pages_read_only_tables_whose_generations_they_recorded(
    forum, citizen, secretariat, reviewer, other_reviewer, example_plan
):
    """The same guard on the pages of an approved plan being implemented (validated progress reports
    with evidence), which a comment no longer expires (bench/busy.py reads /plan/). Every page is
    checked, and every one that fails is listed."""
    version = freeze_example_plan(example_plan, secretariat, reviewer, other_reviewer)
    approve_today(version, secretariat, "RM 1")
    progress.load_progress(reports=3, plan=example_plan)
    consultation, a, _b = forum
    failed = {}
    for url in APPROVED_PLAN_PAGES:
        try:
            test_a_page_reads_only_tables_whose_generations_it_recorded(forum, citizen, url)
            assert served_from_cache_after_a_comment(url, consultation, citizen, a), "expired by a comment"
        except AssertionError as error:
            failed[url] = str(error).splitlines()[0] if str(error) else "assertion failed"
    assert not failed, failed


def served_from_cache_after_a_comment(url, consultation, citizen, proposal) -> bool:
    """A comment leaves the page in the cache: the second request after it runs one query (the
    generations it read)."""
    fetch(url) if not url.endswith((".csv", ".json", ".ics")) else Client().get(url)
    comment(consultation=consultation, author=citizen, commitment=proposal, text="Otro comentario.")
    with CaptureQueriesContext(connection) as queries:
        assert Client().get(url).status_code == 200
    return len(queries) == 1
