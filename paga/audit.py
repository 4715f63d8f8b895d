"""The audit log: every act of staff, written in the transaction of the act (issue 7).

OGP asks for a traceable process, and a government portal is trusted when anyone's act can be checked
afterwards: who moved a commitment, hid a comment, published the answers, changed a person's roles,
downloaded the registrations. Services call `record(...)` once, next to the change they make, inside
their own `transaction.atomic`: an act that is rolled back leaves no entry, an entry never describes an
act that did not happen.

- Append-only: `AuditEntry` refuses updates and deletions in Python, and database triggers refuse them
  on PostgreSQL and SQLite (`install`, run once by paga's migration 0007, and by `flush` after its run).
  Row triggers do not fire on PostgreSQL's TRUNCATE, which the table's owner (the application's role)
  may run: a statement-level BEFORE TRUNCATE trigger refuses it too, also when it comes as the CASCADE
  of a TRUNCATE of the people's table. `manage.py flush` (Django's, which the transactional tests run
  between tests: TRUNCATE on PostgreSQL, DELETE on SQLite) lifts the refusal for its own run and puts it
  back afterwards (paga/management/commands/flush.py, `lift_for_flush`). None of this stops the owner:
  it may drop a trigger. In production, run the portal under a role that does not own the tables, with
  no TRUNCATE on `paga_auditentry`, to close that door as well.
- Personal data (Ley 29733): the actor is kept by id and by the name shown at the time, never by email;
  an object whose text is someone's writing or name (a contribution, an attendance row) is labelled by
  its id only. Of the request's address only the network is kept (`network_of`: an IPv4 address's
  first 24 bits, an IPv6 address's first 48), written when the entry is: an entry can't be blanked
  later, so what is not needed is never stored. The network says which provider and roughly where a
  sign-in came from, enough to notice one from an unexpected place; it does not single out a household
  or a device. /privacidad/ says so (templates/paga/privacy.html). The middleware below makes the
  address available to services, which have no request.
- Who reads it: administrators (paga/rules.py `paga.view_audit_log`), at /gestion/auditoria/ and in the
  back office. The Secretaría does not: the log is the control over its own acts.
"""

from __future__ import annotations

import contextvars
import ipaddress
from collections.abc import Callable
from functools import cache

from django.db import connections
from django.db.models import Model
from django.utils.translation import gettext_lazy as _

from . import registry
from .models import AuditEntry
from .ratelimit import client_ip

# paga's own action codes, with their label for the filter and the CSV; each app declares its own on its
# AppConfig (`audit_actions`, paga/registry.py). `record` refuses a code neither lists.
OWN_ACTIONS = {
    "user.roles": _("Roles changed"),
    "user.entity": _("Organisation changed"),
    "export.csv": _("CSV downloaded"),
    "export.json": _("JSON downloaded"),
    "login.staff": _("Staff sign-in"),
}

# Objects labelled by their id only: their text is what someone wrote, or a person's name (a person's
# name would outlive the cancellation of their account, paga/personal_data.py). The apps add theirs
# (`audit_unlabelled`).
OWN_UNLABELLED = ("paga.user",)


@cache
def actions() -> dict[str, str]:
    """Every action code, paga's and the apps', with its label."""
    return registry.merged("audit_actions", OWN_ACTIONS)


@cache
def unlabelled() -> frozenset[str]:
    return frozenset(registry.joined("audit_unlabelled", OWN_UNLABELLED))


_address: contextvars.ContextVar[str] = contextvars.ContextVar("cocrea_audit_address", default="")


# What is kept of an address: its network (the prefix a provider routes), never the address itself.
IPV4_PREFIX = 24
IPV6_PREFIX = 48


def _valid_ip(value: str | None) -> str | None:
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


def network_of(value: str | None) -> str | None:
    """The network `value` belongs to, as the address that starts it: 190.12.34.56 → 190.12.34.0,
    2001:db8:1234:5678::1 → 2001:db8:1234::. An IPv4 address written as IPv6 (::ffff:a.b.c.d) counts as
    IPv4. None for anything that is not an address."""
    if (valid := _valid_ip(value)) is None:
        return None
    ip = ipaddress.ip_address(valid)
    if ip.version == 6 and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    prefix = IPV4_PREFIX if ip.version == 4 else IPV6_PREFIX
    return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False).network_address)


def network_label(stored: str | None) -> str:
    """How a stored network reads on a page or in a CSV: with its prefix length (190.12.34.0/24), so it
    is not taken for one machine's address. Empty when the entry has none."""
    if not stored:
        return ""
    ip = ipaddress.ip_address(stored)
    return f"{ip}/{IPV4_PREFIX if ip.version == 4 else IPV6_PREFIX}"


def current_ip() -> str | None:
    """The address of the request being served (RequestAddressMiddleware), or None outside a request."""
    return _valid_ip(_address.get())


class RequestAddressMiddleware:
    """Make the client's address (paga/ratelimit.py `client_ip`: trusted proxies only) available to
    services for the time of the request, so their audit entries say where the act came from."""

    def __init__(self, get_response: Callable):
        self.get_response = get_response

    def __call__(self, request):
        token = _address.set(client_ip(request))
        try:
            return self.get_response(request)
        finally:
            _address.reset(token)


def _actor(actor):
    if actor is None or not getattr(actor, "is_authenticated", False):
        return None
    return actor


def record(
    *,
    actor,
    action: str,
    obj: Model | None = None,
    details: dict | None = None,
    label: str | None = None,
    request=None,
) -> AuditEntry:
    """Write one audit entry. Call it inside the transaction of the act it describes, after the act's
    own writes: the entry commits or rolls back with them. `details` holds what a reader needs to know
    what happened (states before and after, the reason), never an email address. Of the request's
    address only its network is stored (`network_of`)."""
    if action not in actions():
        raise ValueError(
            f"Unknown audit action {action!r}: declare it in its app's AppConfig.audit_actions "
            "(paga/registry.py)."
        )
    who = _actor(actor)
    object_type = object_id = ""
    if obj is not None:
        object_type, object_id = obj._meta.label_lower, str(obj.pk)
        if label is None:
            label = "" if object_type in unlabelled() else str(obj)
    ip = network_of(client_ip(request) if request is not None else current_ip())
    return AuditEntry.objects.create(
        actor=who,
        actor_label=(who.get_full_name() or str(who))[:120] if who else "",
        action=action,
        object_type=object_type,
        object_id=object_id,
        object_label=(label or "")[:200],
        details=details or {},
        ip=ip,
    )


def is_staff(user) -> bool:
    """Holds a staff role (Secretaría, ministry reviewer, administrator): whose sign-ins and downloads
    are recorded. Citizens' own acts are theirs, not the institution's, and are not logged here."""
    from .rules import holds_staff_role  # before two-step verification is set up too

    return bool(getattr(user, "is_authenticated", False)) and holds_staff_role(user)


def record_export(request, *, fmt: str, what: str, obj: Model | None = None, **details) -> None:
    """A download of data (CSV or JSON) by a member of staff; a citizen's or visitor's is not logged."""
    if is_staff(request.user):
        record(
            actor=request.user,
            action=f"export.{fmt}",
            obj=obj,
            details={"what": what, "path": request.path, **details},
            request=request,
        )


def account_state(pk: int) -> dict:
    """A person's roles and organisation as stored now (before the back office saves a change)."""
    from .models import User

    user = User.objects.select_related("entity").get(pk=pk)
    return {
        "roles": sorted(user.groups.values_list("name", flat=True)),
        "is_staff": user.is_staff,
        "is_superuser": user.is_superuser,
        "is_active": user.is_active,
        "entity": str(user.entity) if user.entity else "",
        "entity_id": user.entity_id,
    }


def record_account_changes(*, actor, user, request=None) -> None:
    """After the back office saved `user` (groups included): an entry for a change of roles (groups and
    the staff, superuser and active flags) and one for a change of organisation, each with before and
    after. `user._audit_before` holds `account_state` from before the save; nothing if it was created."""
    before = getattr(user, "_audit_before", None)
    if before is None:
        return
    after = account_state(user.pk)
    role_keys = ("roles", "is_staff", "is_superuser", "is_active")
    if any(before[k] != after[k] for k in role_keys):
        record(
            actor=actor,
            action="user.roles",
            obj=user,
            details={
                "from": {k: before[k] for k in role_keys},
                "to": {k: after[k] for k in role_keys},
            },
            request=request,
        )
    if before["entity_id"] != after["entity_id"]:
        record(
            actor=actor,
            action="user.entity",
            obj=user,
            details={"from": before["entity"], "to": after["entity"]},
            request=request,
        )


def staff_signed_in(sender, request, user, **kwargs) -> None:
    """`user_logged_in` receiver: a staff member's sign-in is an entry of the log (with the address)."""
    if is_staff(user):
        record(actor=user, action="login.staff", obj=user, request=request)


# --- The database's refusal ---------------------------------------------------------------------------
TABLE = AuditEntry._meta.db_table
POSTGRES_FUNCTION = """
CREATE OR REPLACE FUNCTION cocrea_audit_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'The audit log is append-only: % refused on %', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'restrict_violation';
END
$$ LANGUAGE plpgsql
"""
TRUNCATE_TRIGGER = "cocrea_audit_no_truncate"
SQLITE_TRIGGER = (
    "CREATE TRIGGER IF NOT EXISTS cocrea_audit_no_{event} BEFORE {clause} ON paga_auditentry "
    "BEGIN SELECT RAISE(ABORT, 'The audit log is append-only: {clause} refused'); END"
)


def install(using: str = "default") -> bool:
    """(Re)create the triggers that refuse UPDATE and DELETE on the audit table, and TRUNCATE on
    PostgreSQL (SQLite has none: its DELETE without WHERE fires the row trigger). False if the table is
    missing."""
    conn = connections[using]
    with conn.cursor() as cursor:
        if TABLE not in conn.introspection.table_names(cursor):
            return False
        if conn.vendor == "postgresql":
            cursor.execute(POSTGRES_FUNCTION)
            cursor.execute(f"DROP TRIGGER IF EXISTS cocrea_audit_append_only ON {TABLE}")
            cursor.execute(
                f"CREATE TRIGGER cocrea_audit_append_only BEFORE UPDATE OR DELETE ON {TABLE} "
                "FOR EACH ROW EXECUTE FUNCTION cocrea_audit_append_only()"
            )
            cursor.execute(f"DROP TRIGGER IF EXISTS {TRUNCATE_TRIGGER} ON {TABLE}")
            cursor.execute(
                f"CREATE TRIGGER {TRUNCATE_TRIGGER} BEFORE TRUNCATE ON {TABLE} "
                "FOR EACH STATEMENT EXECUTE FUNCTION cocrea_audit_append_only()"
            )
        elif conn.vendor == "sqlite":
            for event, clause in (("update", "UPDATE"), ("delete", "DELETE")):
                cursor.execute(SQLITE_TRIGGER.format(event=event, clause=clause))
        else:  # pragma: no cover - the portal runs on PostgreSQL or SQLite only
            raise NotImplementedError(conn.vendor)
    return True


def lift_for_flush(using: str = "default") -> None:
    """Drop the trigger that refuses how `flush` empties the database (SQLite's DELETE, PostgreSQL's
    TRUNCATE) for the command's run; `install` puts it back afterwards."""
    conn = connections[using]
    with conn.cursor() as cursor:
        if conn.vendor == "sqlite":
            cursor.execute("DROP TRIGGER IF EXISTS cocrea_audit_no_delete")
        elif conn.vendor == "postgresql" and TABLE in conn.introspection.table_names(cursor):
            cursor.execute(f"DROP TRIGGER IF EXISTS {TRUNCATE_TRIGGER} ON {TABLE}")


def installed(using: str = "default") -> set[str]:
    """Names of the audit table's triggers (for the tests)."""
    conn = connections[using]
    with conn.cursor() as cursor:
        if conn.vendor == "postgresql":
            cursor.execute(
                "SELECT t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                "WHERE c.relname = %s AND NOT t.tgisinternal",
                [TABLE],
            )
        else:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s", [TABLE])
        return {row[0] for row in cursor.fetchall()}
