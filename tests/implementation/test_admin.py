"""The back office of implementation tracking (implementation/admin.py): who sees every report (the
Secretaría, administrators) reads the progress reports there, with their evidence and changes of state;
nobody, not even a superuser, adds, edits or deletes a report, its evidence or its decision there
(they change only through the services). Other roles get nothing."""

from __future__ import annotations

import pytest
from allauth.mfa.totp.internal.auth import TOTP

from implementation.models import Evidence, ProgressReport, ReportState, ReportTransition
from tests.commitments.factories import complete_commitment
from tests.factories import TOTP_SECRET

from .factories import EvidenceLinkFactory, ProgressReportFactory

pytestmark = pytest.mark.django_db

BASE = "/administracion/implementation/progressreport"


@pytest.fixture
def report() -> ProgressReport:
    milestone = complete_commitment().milestones.get()
    report = ProgressReportFactory(milestone=milestone, state=ReportState.RETURNED)
    EvidenceLinkFactory(report=report, title="Acta «firmada» de la comisión")
    ReportTransition.objects.create(
        report=report, from_state="enviado", to_state="devuelto", actor=report.decided_by, reason="Falta"
    )
    return report


@pytest.mark.parametrize("role", ["secretariat", "administrator"])
def test_staff_who_see_every_report_read_it_here_and_change_nothing(client, request, role, report):
    client.force_login(request.getfixturevalue(role))
    before = (report.done, report.state, report.return_reason)

    listing = client.get(f"{BASE}/", {"state__exact": "devuelto"})
    assert listing.status_code == 200
    assert f"{BASE}/{report.pk}/change/" in listing.content.decode()
    page = client.get(f"{BASE}/{report.pk}/change/")
    assert page.status_code == 200  # the read-only view
    html = page.content.decode()
    assert "Acta «firmada» de la comisión" in html
    assert "Falta la evidencia &lt;script&gt;" in html  # the return reason, escaped
    assert 'name="done"' not in html
    assert client.get(f"{BASE}/add/").status_code == 403
    assert (
        client.post(f"{BASE}/{report.pk}/change/", {"done": "Cambiado", "state": "validado"}).status_code
        == 403
    )
    assert client.get(f"{BASE}/{report.pk}/delete/").status_code == 403
    assert client.post(f"{BASE}/{report.pk}/delete/", {"post": "yes"}).status_code == 403

    report.refresh_from_db()
    assert (report.done, report.state, report.return_reason) == before
    assert Evidence.objects.filter(report=report).count() == 1
    assert ReportTransition.objects.filter(report=report).count() == 1


def test_a_superuser_deletes_nothing_either(client, django_user_model, report):
    root = django_user_model.objects.create_superuser(email="raiz@cocrea.test", password="x" * 12)
    TOTP.activate(root, TOTP_SECRET)  # staff pages need an authenticator app (paga/staff_security.py)
    client.force_login(root)

    assert client.get(f"{BASE}/{report.pk}/change/").status_code == 200
    assert client.post(f"{BASE}/{report.pk}/delete/", {"post": "yes"}).status_code == 403
    bulk = {"action": "delete_selected", "_selected_action": [report.pk], "post": "yes"}
    client.post(f"{BASE}/", bulk)  # the action is not offered: nothing is deleted
    assert ProgressReport.objects.filter(pk=report.pk).exists()


@pytest.mark.parametrize("role", ["citizen", "reviewer"])
def test_other_roles_get_nothing(client, request, role, report):
    user = request.getfixturevalue(role)
    client.force_login(user)

    assert client.get(f"{BASE}/").status_code == 302  # to the admin's sign-in
    assert client.get(f"{BASE}/{report.pk}/change/").status_code == 302
    assert not user.has_perm("implementation.view_progressreport")
    assert not user.has_module_perms("implementation")
