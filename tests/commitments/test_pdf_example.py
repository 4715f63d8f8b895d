"""The example plan's documents (PAGA 2017-2019, approved): what a fixture document is too small to show.

Real process summaries and annexes: tables that run over pages, sections whose heading fell at the foot
of a page while their table started the next one, shares computed by the apps (75.0 in Python).
"""

from __future__ import annotations

import re

import pytest
from django.utils import translation

from commitments import plan_services, plan_tasks
from tests.commitments.factories import approve_today, freeze_example_plan
from tests.commitments.test_pdf import empty_headings, pages_of, pdfua_findings

pytestmark = pytest.mark.django_db


def test_the_example_plans_documents_keep_headings_with_their_tables_and_write_spanish_numbers(
    example_plan, secretariat, reviewer, other_reviewer, tmp_path
):
    version = freeze_example_plan(example_plan, secretariat, reviewer, other_reviewer)
    approve_today(version, secretariat, "176-2017-PCM")
    version.refresh_from_db()
    with translation.override("es"):
        document = plan_services.document(version)
    for kind, blocks in (
        ("plan", document.process_summary),
        ("informe", document.process_summary + document.annex),
    ):
        data = plan_tasks.render_version(kind, version)
        pages = pages_of(data, tmp_path)
        text = " ".join(pages)
        for block in blocks:
            for table in block.tables[:1]:
                # the block's heading, its paragraphs and its first table start on one page
                starts = [n for n, page in enumerate(pages[2:], start=3) if block.title in page]
                assert starts, (kind, block.title)
                page = pages[starts[0] - 1]
                assert all(str(h) in page for h in table.headers), (kind, block.title, starts[0])
        assert re.findall(r"\d\.\d", text) == [], kind  # 75,0 and (50,0 %), never 75.0
        assert re.search(r"\(\d+,\d %\)", text), kind
        assert not re.findall(r"\d{4}-\d{2}-\d{2}|\b\d{1,2}/\d{1,2}/\d{4}\b", text), kind
        assert pdfua_findings(data, tmp_path) == [], kind
        assert empty_headings(data) == [], kind
