"""The audit log itself: append-only in Python and in the database (SQLite and PostgreSQL), written in
the act's transaction, the administrators' page and CSV, staff sign-ins, and role changes in the back
office. The families of acts recorded by the apps' services are in test_audit_services.py."""

from __future__ import annotations

import csv
import datetime
import io

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.urls import reverse
from django.utils import timezone, translation

from paga import audit, roles
from paga.models import AppendOnlyError, AuditEntry
from tests.factories import PASSWORD, TOTP_SECRET, EntityFactory, totp_code

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(client):
    client.cookies["django_language"] = "en"
    with translation.override("en"):
        yield


def entry(**kw) -> AuditEntry:
    kw.setdefault("actor", None)
    kw.setdefault("action", "plan.draft")
    return audit.record(**kw)


# --- Append-only -------------------------------------------------------------------------------------
def test_the_database_default_gives_each_entry_its_time(secretariat):
    before = timezone.now()
    made = entry(actor=secretariat, details={"day": datetime.date(2017, 9, 21)})
    stored = AuditEntry.objects.get(pk=made.pk)
    assert made.at is not None
    assert (
        before - datetime.timedelta(seconds=5) <= stored.at <= timezone.now() + datetime.timedelta(seconds=5)
    )
    assert stored.details == {"day": "2017-09-21"}
    assert stored.actor_label == secretariat.display_name
    assert "@" not in stored.actor_label


def test_the_model_refuses_to_change_or_delete_an_entry(secretariat):
    made = entry(actor=secretariat)
    made.action = "plan.freeze"
    with pytest.raises(AppendOnlyError):
        made.save()
    with pytest.raises(AppendOnlyError):
        made.delete()
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.filter(pk=made.pk).update(action="plan.freeze")
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.filter(pk=made.pk).delete()
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.bulk_update([made], ["action"])
    assert AuditEntry.objects.get(pk=made.pk).action == "plan.draft"


def test_the_database_refuses_a_raw_update_and_delete(secretariat):
    """On whichever database the suite runs (CI runs it on SQLite and on PostgreSQL)."""
    made = entry(actor=secretariat)
    table = AuditEntry._meta.db_table
    for sql in (
        f"UPDATE {table} SET action = 'plan.freeze' WHERE id = %s",  # noqa: S608
        f"UPDATE {table} SET actor_id = NULL, actor_label = '' WHERE id = %s",  # noqa: S608
        f"DELETE FROM {table} WHERE id = %s",  # noqa: S608
    ):
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as c,
        ):
            c.execute(sql, [made.pk])
    with connection.cursor() as c:
        c.execute(f"SELECT action, actor_id FROM {table} WHERE id = %s", [made.pk])  # noqa: S608
        assert c.fetchone() == ("plan.draft", secretariat.pk)


def test_the_triggers_exist_after_migrate():
    names = audit.installed()
    if connection.vendor == "postgresql":
        assert names == {"cocrea_audit_append_only", "cocrea_audit_no_truncate"}
    else:
        assert names == {"cocrea_audit_no_update", "cocrea_audit_no_delete"}


def test_postgresql_refuses_update_and_delete(postgres_required, secretariat):
    """The PostgreSQL run of the test above, named so a CI without PostgreSQL fails loudly."""
    made = entry(actor=secretariat)
    for sql in (
        "UPDATE paga_auditentry SET action = 'x' WHERE id = %s",
        "DELETE FROM paga_auditentry WHERE id = %s",
    ):
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as c,
        ):
            c.execute(sql, [made.pk])
    assert AuditEntry.objects.filter(pk=made.pk, action="plan.draft").exists()


@pytest.mark.parametrize(
    "sql",
    ["TRUNCATE paga_auditentry RESTART IDENTITY", "TRUNCATE paga_user CASCADE"],
)
def test_postgresql_refuses_truncate_even_as_a_cascade(postgres_required, secretariat, sql):
    """Row triggers do not fire on TRUNCATE, which the tables' owner may run: a statement trigger does."""
    made = entry(actor=secretariat)
    with connection.cursor() as c:  # TRUNCATE waits for no deferred trigger (the page cache's counter)
        c.execute("SET CONSTRAINTS ALL IMMEDIATE")
    with (
        pytest.raises(DatabaseError, match="append-only: TRUNCATE refused"),
        transaction.atomic(),
        connection.cursor() as c,
    ):
        c.execute(sql)
    assert AuditEntry.objects.filter(pk=made.pk).exists()


@pytest.mark.django_db(transaction=True)
def test_flush_empties_the_log_and_puts_the_refusal_back():
    """On SQLite flush DELETEs, on PostgreSQL it TRUNCATEs: each is refused outside flush's own run."""
    entry()
    call_command("flush", interactive=False, verbosity=0)
    assert not AuditEntry.objects.exists()
    made = entry()
    with pytest.raises(DatabaseError, match="append-only"), connection.cursor() as c:
        c.execute("DELETE FROM paga_auditentry WHERE id = %s", [made.pk])
    if connection.vendor == "postgresql":
        with pytest.raises(DatabaseError, match="append-only"), connection.cursor() as c:
            c.execute("TRUNCATE paga_auditentry")
    assert AuditEntry.objects.filter(pk=made.pk).exists()
    assert (
        audit.installed()
        == {
            "postgresql": {"cocrea_audit_append_only", "cocrea_audit_no_truncate"},
            "sqlite": {"cocrea_audit_no_update", "cocrea_audit_no_delete"},
        }[connection.vendor]
    )


def test_an_unknown_action_is_refused():
    with pytest.raises(ValueError, match="Unknown audit action"):
        audit.record(actor=None, action="commitment.explode")


def test_an_entry_is_written_in_the_act_s_transaction(secretariat):
    """A rolled-back act leaves no entry: the entry is only ever written inside it."""

    def act_then_fail():
        with transaction.atomic():
            entry(actor=secretariat)
            raise RuntimeError("the act failed")

    with pytest.raises(RuntimeError):
        act_then_fail()
    assert not AuditEntry.objects.exists()


def test_a_person_object_is_labelled_by_id_only(secretariat, citizen):
    made = entry(actor=secretariat, action="person.block", obj=citizen)
    assert (made.object_type, made.object_id, made.object_label) == ("paga.user", str(citizen.pk), "")


# --- Staff sign-ins ------------------------------------------------------------------------------------
def unused_code(user) -> str:
    """The code the person's authenticator app shows now, not yet spent: allauth refuses a code twice in
    its window, and the cache that remembers spent codes outlives a test."""
    from allauth.mfa.models import Authenticator
    from django.core.cache import cache

    code = totp_code(TOTP_SECRET)
    app = Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP).wrap()
    cache.delete(app._get_used_cache_key(code))
    return code


def test_a_staff_sign_in_through_the_login_form_is_recorded_with_the_address(client, secretariat):
    response = client.post(
        reverse("account_login"), {"login": secretariat.email, "password": PASSWORD}, REMOTE_ADDR="190.12.0.7"
    )
    assert response.status_code == 302
    if not AuditEntry.objects.exists():  # the second step: the code of the authenticator app
        response = client.post(response.url, {"code": unused_code(secretariat)}, REMOTE_ADDR="190.12.0.7")
        assert response.status_code == 302
    [made] = AuditEntry.objects.all()
    assert (made.action, made.actor, made.ip) == ("login.staff", secretariat, "190.12.0.0")
    assert audit.network_label(made.ip) == made.network == "190.12.0.0/24"


def test_the_log_page_and_its_csv_show_the_network_with_its_prefix(client, administrator, secretariat, rf):
    entry(actor=secretariat, request=rf.get("/", REMOTE_ADDR="190.12.34.56"))
    client.force_login(administrator)
    page = client.get(reverse("paga:audit")).content.decode()
    assert "190.12.34.0/24" in page
    assert "190.12.34.56" not in page
    body = b"".join(client.get(reverse("paga:audit_csv")).streaming_content).decode("utf-8")
    assert "190.12.34.0/24" in body
    assert "190.12.34.56" not in body


@pytest.mark.parametrize(
    ("address", "kept"),
    [
        ("190.12.34.56", "190.12.34.0"),
        ("10.0.0.255", "10.0.0.0"),
        ("2001:db8:1234:5678:9abc::1", "2001:db8:1234::"),
        ("2800:200:e840:ffff:ffff:ffff:ffff:ffff", "2800:200:e840::"),
        ("::ffff:190.12.34.56", "190.12.34.0"),
        ("not an address", None),
        ("", None),
    ],
)
def test_an_entry_keeps_only_the_network_of_the_address(rf, secretariat, address, kept):
    """Ley 29733: the log cannot be blanked later, so the address is cut to its network when written."""
    made = entry(actor=secretariat, request=rf.get("/", REMOTE_ADDR=address))
    assert AuditEntry.objects.get(pk=made.pk).ip == kept
    if kept is not None:
        suffix = "/24" if "." in kept else "/48"
        assert audit.network_label(kept) == kept + suffix
        assert AuditEntry.objects.filter(ip=address).count() == (address == kept)


def test_a_service_s_entry_keeps_only_the_network_of_the_request_s_address(rf, secretariat):
    """Services have no request: the middleware hands them the address, and `record` cuts it."""
    seen = []

    def view(request):
        seen.append(entry(actor=secretariat))
        return None

    audit.RequestAddressMiddleware(view)(rf.get("/", REMOTE_ADDR="2001:db8:aa:bb::7"))
    assert [e.ip for e in seen] == ["2001:db8:aa::"]
    assert entry(actor=secretariat).ip is None  # outside a request


def test_the_privacy_page_says_what_the_audit_log_keeps_and_for_how_long(client):
    page = client.get(reverse("paga:privacy")).content.decode()
    assert "audit log" in page
    assert "never holds your full IP address, only its network" in page
    assert "first three numbers of an IPv4 address" in page
    assert "cannot be changed or deleted" in page
    assert "as long as the records of the action plan" in page


def test_a_citizen_s_sign_in_is_not_recorded(client, citizen):
    response = client.post(reverse("account_login"), {"login": citizen.email, "password": PASSWORD})
    assert response.status_code == 302
    assert not AuditEntry.objects.exists()


@pytest.mark.parametrize("role", ["reviewer", "administrator"])
def test_every_staff_role_s_sign_in_is_recorded(client, request, role):
    user = request.getfixturevalue(role)
    client.force_login(user)
    assert list(AuditEntry.objects.values_list("action", "actor")) == [("login.staff", user.pk)]


# --- Roles and organisations, in the back office --------------------------------------------------
def user_form(user, **changes) -> dict:
    data = {
        "email": user.email,
        "display_name": user.display_name,
        "entity": user.entity_id or "",
        "is_active": "on",
        "groups": [str(g.pk) for g in user.groups.all()],
        "date_joined_0": timezone.localtime(user.date_joined).strftime("%Y-%m-%d"),
        "date_joined_1": timezone.localtime(user.date_joined).strftime("%H:%M:%S"),
        "last_login_0": "",
        "last_login_1": "",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_a_change_of_roles_and_of_organisation_in_the_back_office_is_recorded(client, administrator, citizen):
    minam = EntityFactory(acronym="MINAM", name="Ministerio del Ambiente")
    reviewers = Group.objects.get_or_create(name=roles.REVIEWER)[0]
    client.force_login(administrator)
    before = AuditEntry.objects.count()
    data = user_form(citizen, entity=str(minam.pk), groups=[*user_form(citizen)["groups"], str(reviewers.pk)])
    response = client.post(reverse("admin:paga_user_change", args=[citizen.pk]), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    made = {e.action: e for e in AuditEntry.objects.order_by("pk")[before:]}
    assert set(made) == {"user.roles", "user.entity"}
    roles_entry = made["user.roles"]
    assert roles_entry.actor == administrator
    assert (roles_entry.object_type, roles_entry.object_id) == ("paga.user", str(citizen.pk))
    assert roles_entry.details["from"]["roles"] == [roles.CITIZEN]
    assert roles_entry.details["to"]["roles"] == sorted([roles.CITIZEN, roles.REVIEWER])
    assert made["user.entity"].details == {"from": "", "to": str(minam)}


def test_saving_a_person_unchanged_records_nothing(client, administrator, citizen):
    client.force_login(administrator)
    before = AuditEntry.objects.count()
    response = client.post(reverse("admin:paga_user_change", args=[citizen.pk]), user_form(citizen))
    assert response.status_code == 302
    assert AuditEntry.objects.count() == before


def test_the_back_office_shows_the_log_read_only_to_administrators(client, administrator, secretariat):
    made = entry(actor=secretariat)
    client.force_login(administrator)
    assert client.get(reverse("admin:paga_auditentry_changelist")).status_code == 200
    assert client.get(reverse("admin:paga_auditentry_change", args=[made.pk])).status_code == 200
    assert client.get(reverse("admin:paga_auditentry_delete", args=[made.pk])).status_code == 403
    assert client.get(reverse("admin:paga_auditentry_add")).status_code == 403
    client.force_login(secretariat)
    assert client.get(reverse("admin:paga_auditentry_changelist")).status_code == 403


# --- The administrators' page ------------------------------------------------------------------------
def test_who_may_read_the_log(client, citizen, reviewer, secretariat, administrator):
    url = reverse("paga:audit")
    response = client.get(url)
    assert response.status_code == 302
    assert reverse("account_login") in response.url
    for user in (citizen, reviewer, secretariat):
        client.force_login(user)
        assert client.get(url).status_code == 403, user
        assert client.get(reverse("paga:audit_csv")).status_code == 403, user
    client.force_login(administrator)
    assert client.get(url).status_code == 200
    assert client.post(url).status_code == 405


def test_administrators_filter_by_person_action_object_and_dates(
    client, administrator, secretariat, reviewer
):
    other = entry(actor=reviewer, action="review.decide", obj=reviewer, label="")
    mine = entry(
        actor=secretariat, action="contribution.hide", obj=secretariat, details={"reason": "Insultos"}
    )
    client.force_login(administrator)
    url = reverse("paga:audit")
    today = timezone.localdate().isoformat()

    def shown(**params) -> set[int]:
        response = client.get(url, params)
        assert response.status_code == 200
        return {row["entry"].pk for row in response.context["rows"]}

    assert {mine.pk, other.pk} <= shown()
    assert shown(persona=str(secretariat.pk)) == {mine.pk}
    assert shown(accion="review.decide") == {other.pk}
    assert shown(objeto="paga.user", id=str(reviewer.pk)) == {other.pk}
    assert {mine.pk, other.pk} <= shown(desde=today, hasta=today)
    assert shown(hasta="2017-09-08") == set()
    assert shown(persona="sistema") == {e.pk for e in AuditEntry.objects.filter(actor=None)}
    page = client.get(url, {"persona": str(secretariat.pk)}).content.decode()
    assert "Insultos" in page
    assert "<script>" not in page  # display names plant a script: escaped
    assert secretariat.email not in page


def test_dates_in_the_wrong_order_are_explained(client, administrator):
    client.force_login(administrator)
    response = client.get(reverse("paga:audit"), {"desde": "2017-10-13", "hasta": "2017-09-29"})
    assert response.status_code == 400
    assert "The end date cannot be before the start date." in response.content.decode()
    assert 'value="2017-10-13"' in response.content.decode()  # nothing typed is lost


@pytest.mark.parametrize(
    "dates",
    [{"hasta": "9999-12-31"}, {"desde": "0001-01-01"}, {"desde": "9999-12-31", "hasta": "9999-12-30"}],
)
@pytest.mark.parametrize("page", ["paga:audit", "paga:audit_csv"])
def test_a_date_out_of_range_is_explained_not_a_500(client, administrator, dates, page):
    """Found by a scanner: `?hasta=9999-12-31` overflowed (OverflowError) when the day after was taken."""
    client.force_login(administrator)
    response = client.get(reverse(page), dates)
    assert response.status_code == 400
    html = response.content.decode()
    assert "Give a date with a year from 1990 to 2100." in html  # the administrator reads English
    field = next(iter(dates))
    assert f'href="#id_{field}"' in html  # the summary links to the field
    assert f'value="{dates[field]}"' in html  # nothing typed is lost


def test_the_csv_holds_the_filtered_entries_and_its_download_is_recorded(client, administrator, secretariat):
    entry(actor=secretariat, action="contribution.hide", details={"reason": "=HYPERLINK(1)"})
    entry(actor=secretariat, action="plan.freeze")
    client.force_login(administrator)
    response = client.get(reverse("paga:audit_csv"), {"accion": "contribution.hide"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    body = b"".join(response.streaming_content).decode("utf-8").lstrip("\ufeff")
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[0][:5] == ["When (Lima)", "Person id", "Person", "Action", "Action (code)"]
    assert [r[4] for r in rows[1:]] == ["contribution.hide"]
    assert rows[1][8] == "reason: =HYPERLINK(1)"  # not at the start of the cell: not a formula
    download = AuditEntry.objects.filter(action="export.csv").get()
    assert download.actor == administrator
    assert download.details["what"] == "audit_log"
    assert download.details["filters"] == {"accion": "contribution.hide"}


def test_a_formula_at_the_start_of_a_cell_is_defused(client, administrator):
    entry(actor=administrator, action="plan.freeze", label="=cmd|' /C calc'!A0")
    client.force_login(administrator)
    body = b"".join(client.get(reverse("paga:audit_csv")).streaming_content).decode("utf-8")
    assert "'=cmd|" in body


def test_the_log_page_runs_the_same_queries_at_two_volumes(
    client, administrator, secretariat, reviewer, django_assert_num_queries
):
    client.force_login(administrator)
    url = reverse("paga:audit")
    client.get(url)  # warm up (content types, the session's first write)
    counts = []
    for batch in (3, 60):
        for n in range(batch):
            entry(
                actor=secretariat if n % 2 else reviewer,
                action="commitment.transition",
                obj=secretariat,
                details={"from": "proposed", "to": "in_consultation", "reason": f"«Ñ» {n}"},
            )
        # The session, the person, the staff for the person filter, the count, the page, the plan.
        with django_assert_num_queries(6) as captured:
            response = client.get(url, {"accion": "commitment.transition"})
        assert response.status_code == 200
        counts.append(len(captured))
    assert counts == [6, 6]
