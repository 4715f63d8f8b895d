"""CommitmentQuerySet.search: plain matching on SQLite; ranked Spanish full-text search, accent-insensitive,
on PostgreSQL."""

from __future__ import annotations

import pytest
from django.db import connection

from commitments.models import Commitment
from tests.commitments.factories import CommitmentFactory
from tests.conftest import require

pytestmark = pytest.mark.django_db


@pytest.fixture
def on_postgresql() -> None:
    require("postgresql", connection.vendor == "postgresql", "needs PostgreSQL")


def row(title: str, description: str = "") -> Commitment:
    """A commitment whose only text is `title` and `description` (the factory's other texts are blank)."""
    return CommitmentFactory(title=title, description=description, problem="", how_it_helps="")


def found(text: str) -> list[str]:
    return list(Commitment.objects.search(text).values_list("title", flat=True))


def test_search_finds_a_word_in_the_title_or_in_the_description():
    row(title="Repositorio de estudios en materia de saneamiento", description="Estudios")
    row(title="Vigilancia del agua", description="Calidad del agua y saneamiento rural")
    row(title="Planes de prevención contra las extorsiones", description="Seguridad")

    assert sorted(found("saneamiento")) == ["Repositorio de estudios en materia de saneamiento",
                                            "Vigilancia del agua"]  # fmt: skip


def test_search_with_several_words_needs_them_all():
    row(title="Calidad del agua en San Martín", description="Vigilancia en articulación")
    row(title="Calidad educativa", description="Docentes rurales")

    assert found("calidad agua") == ["Calidad del agua en San Martín"]


def test_search_without_a_match_finds_nothing():
    row(title="Vigilancia del agua", description="Calidad del agua")

    assert found("extorsiones") == []


def test_search_uses_only_the_first_ten_words():
    """A thousand words made SQLite refuse the query ("Expression tree is too large")."""
    row(title="Vigilancia del agua", description="Calidad del agua")
    row(title="Calidad educativa", description="Docentes")

    assert found(" ".join(["agua"] * 10 + ["extorsiones"] * 990)) == ["Vigilancia del agua"]


def test_empty_search_returns_every_row():
    CommitmentFactory.create_batch(3)

    assert Commitment.objects.search("  ").count() == 3


def test_search_matches_case_insensitively_on_either_database():
    row(title="SANEAMIENTO básico", description="")

    assert found("saneamiento") == ["SANEAMIENTO básico"]


def test_postgresql_search_ignores_accents(on_postgresql):
    row(title="Educación comunitaria virtual para estudiantes de secundaria")
    row(title="Planes de prevención contra las extorsiones")

    assert found("educacion") == ["Educación comunitaria virtual para estudiantes de secundaria"]
    assert found("prevencion") == ["Planes de prevención contra las extorsiones"]


def test_postgresql_search_stems_spanish_words(on_postgresql):
    row(title="Creación de la Autoridad de Transporte Urbano (ATU)", description="Lima y Callao")
    row(title="Vigilancia del agua", description="Calidad del agua")

    assert found("transportes") == ["Creación de la Autoridad de Transporte Urbano (ATU)"]
    assert found("autoridades urbanas") == ["Creación de la Autoridad de Transporte Urbano (ATU)"]


def test_postgresql_search_ranks_a_title_match_above_a_body_only_match(on_postgresql):
    body = row(title="Sistemas inteligentes de tránsito", description="Datos de transporte")
    title = row(title="Transporte urbano sostenible", description="Un plan para Lima")

    ranked = list(Commitment.objects.search("transporte"))

    assert ranked == [title, body]
    assert ranked[0].rank > ranked[1].rank
