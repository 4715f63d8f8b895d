"""The tables' own guards: versions unique per milestone, decisions recorded, evidence a link or a file,
and which writes expire the public pages' cache (paga/pagecache.py)."""

import pytest
from django.db import IntegrityError, transaction

from implementation.models import Evidence, ProgressReport, ReportState
from paga import clock, pagecache
from tests.commitments.factories import complete_commitment
from tests.factories import UserFactory

from .factories import EvidenceLinkFactory, ProgressReportFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def milestone():
    return complete_commitment().milestones.get()


def test_a_milestone_has_one_report_of_each_number(milestone):
    first = ProgressReportFactory(milestone=milestone)
    assert ProgressReportFactory(milestone=milestone).number == first.number + 1
    with pytest.raises(IntegrityError), transaction.atomic():
        ProgressReportFactory(milestone=milestone, number=first.number)


def test_a_decided_report_says_who_decided_and_a_returned_one_why(milestone):
    with pytest.raises(IntegrityError), transaction.atomic():
        ProgressReportFactory(milestone=milestone, state=ReportState.VALIDATED, decided_by=None)
    with pytest.raises(IntegrityError), transaction.atomic():
        ProgressReportFactory(milestone=milestone, state=ReportState.RETURNED, return_reason="")
    returned = ProgressReportFactory(milestone=milestone, state=ReportState.RETURNED)
    assert returned.return_reason


def test_a_returned_report_is_corrected_once(milestone):
    returned = ProgressReportFactory(milestone=milestone, state=ReportState.RETURNED)
    ProgressReportFactory(milestone=milestone, corrects=returned)
    with pytest.raises(IntegrityError), transaction.atomic():
        ProgressReportFactory(milestone=milestone, corrects=returned)


def test_evidence_is_a_link_or_a_file_never_both_or_neither(milestone):
    report = ProgressReportFactory(milestone=milestone)
    EvidenceLinkFactory(report=report)
    with pytest.raises(IntegrityError), transaction.atomic():
        Evidence.objects.create(report=report, kind=Evidence.Kind.LINK, title="Sin dirección")
    with pytest.raises(IntegrityError), transaction.atomic():
        Evidence.objects.create(
            report=report, kind=Evidence.Kind.FILE, title="Sin archivo", url="https://x.pe"
        )


@pytest.mark.django_db(transaction=True)
def test_validating_a_report_expires_public_pages_and_its_evidence_does_not(milestone):
    """A report's state is what makes it public: its change moves the content generation; evidence is
    written with the submitted report and never changes, so it does not. Transactional: on PostgreSQL
    the generation moves when the writer commits (a deferred trigger), as in production."""
    report = ProgressReportFactory(milestone=milestone)
    secretariat = UserFactory()
    before = pagecache.generation()
    EvidenceLinkFactory(report=report)
    assert pagecache.generation() == before
    ProgressReport.objects.filter(pk=report.pk).update(
        state=ReportState.VALIDATED, decided_by=secretariat, decided_at=clock.now()
    )
    assert pagecache.generation() != before
