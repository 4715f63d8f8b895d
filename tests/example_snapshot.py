"""The PAGA example, loaded once per test process and copied back into each test that asks for it.

`load_example` runs the portal's services (audit rows, versions, password hashing) and takes about 3 s;
the `example_plan` fixture needs it in several hundred tests. The first time, in a given database state,
the fixture runs the real command and records the rows it added to every table; later, in the same
state, it inserts those rows again (PostgreSQL: COPY; SQLite: executemany), in a savepoint, and resets
the sequences. Each test still gets its own copy inside its own transaction, so tests that change the
example see no other test's changes.

The copy is used only when it is exactly equivalent to running the command:
- the portal's day is the one it was recorded on (the demonstration plan's dates follow it), and the
  database looks the same as when it was recorded (a fingerprint of every table's rows: a test that
  created an entity or a user first runs the real command, as do tests after a flush recreated the
  content types under new ids), but for the counters that database triggers keep (the page cache's
  generations: the command reads none of them, and `flush` leaves them as the test before left them,
  so with them no transactional test would ever find its state again);
- the command only added rows (a row it changed or removed, other than the counters that database
  triggers keep, makes that state never use a copy);
- inserting the copy succeeds (any database error rolls the savepoint back and runs the real command).
Outside the database the command writes the example's accounts file; the copy writes the same text.
"""

from __future__ import annotations

import hashlib
import io
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from django.core.management import call_command
from django.core.management.color import no_style
from django.db import DatabaseError, connection, transaction

from paga import clock, pagecache

# Tables whose rows database triggers update on every write (paga/pagecache.py's generations): after a
# copy, the triggers have updated them just as the command's own inserts did.
TRIGGER_MAINTAINED = (pagecache.TABLE,)


def _tables() -> list[str]:
    return sorted(connection.introspection.table_names(include_views=False))


def _rows(table: str) -> list:
    """Every row of `table` in a form that goes back in unchanged: COPY text lines on PostgreSQL, tuples
    of SQLite's stored values."""
    quoted = connection.ops.quote_name(table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {quoted} TO STDOUT") as copy:  # noqa: S608 - a table name
                data = b"".join(bytes(block) for block in copy)
            return data.splitlines(keepends=True)
        cursor.execute(f"SELECT * FROM {quoted}")  # noqa: S608 - a table name from introspection
        return [tuple(row) for row in cursor.fetchall()]


def _state() -> dict[str, list]:
    return {table: _rows(table) for table in _tables()}


def _fingerprinted(state: dict[str, list]) -> dict[str, list]:
    """What the fingerprint covers: every table but those the triggers keep."""
    return {table: rows for table, rows in state.items() if table not in TRIGGER_MAINTAINED}


def _fingerprint(state: dict[str, list]) -> str:
    digest = hashlib.sha256()
    for table, rows in state.items():
        digest.update(table.encode())
        for row in sorted(map(repr, rows)):
            digest.update(row.encode())
    return digest.hexdigest()


@dataclass
class Copy:
    added: dict[str, list]  # table -> rows the command added
    accounts: str | None  # the accounts file the command wrote

    def insert(self) -> None:
        with connection.cursor() as cursor:
            for table, rows in self.added.items():
                quoted = connection.ops.quote_name(table)
                if connection.vendor == "postgresql":
                    with cursor.cursor.copy(f"COPY {quoted} FROM STDIN") as copy:
                        copy.write(b"".join(rows))
                else:
                    marks = ", ".join(["%s"] * len(rows[0]))
                    cursor.executemany(f"INSERT INTO {quoted} VALUES ({marks})", rows)  # noqa: S608
            if connection.vendor == "postgresql":
                models = [m for m in _models() if m._meta.db_table in self.added]
                for statement in connection.ops.sequence_reset_sql(no_style(), models):
                    cursor.execute(statement)


def _models():
    from django.apps import apps

    return apps.get_models(include_auto_created=True)


def _added(before: dict[str, list], after: dict[str, list]) -> dict[str, list] | None:
    """The rows the command added to each table, or None when it also changed or removed a row."""
    added = {}
    for table, rows in after.items():
        old, new = Counter(before.get(table, [])), Counter(rows)
        if old - new and table not in TRIGGER_MAINTAINED:
            return None
        if table in TRIGGER_MAINTAINED:
            continue
        extra = list((new - old).elements())
        if extra:
            # In the order they are stored, so that a table's own references (parents first) hold.
            order = {row: i for i, row in enumerate(rows)}
            added[table] = sorted(extra, key=lambda row: order[row])
    return added


class ExampleLoader:
    """One per test process and set of options: `load(accounts_path)` gives the database the example, as
    `load_example *args` does."""

    def __init__(self, *args: str) -> None:
        self.args = args  # load_example's options
        self.copies: dict[str, Copy | None] = {}
        self.copied = self.ran = 0

    def load(self, accounts_path: Path) -> None:
        before = _state()
        # The demonstration plan (paga/demo.py) is dated from the portal's today (COCREA_AS_OF moves it).
        key = f"{clock.today()}:{_fingerprint(_fingerprinted(before))}"
        copy = self.copies.get(key)
        if copy is not None:
            try:
                with transaction.atomic():
                    copy.insert()
            except DatabaseError:
                self.copies[key] = None  # never again in this state: the real command from now on
            else:
                if copy.accounts is not None:
                    accounts_path.write_text(copy.accounts)
                self.copied += 1
                return
        call_command("load_example", *self.args, stdout=io.StringIO())
        self.ran += 1
        if key not in self.copies:
            added = _added(before, _state())
            accounts = accounts_path.read_text() if accounts_path.exists() else None
            self.copies[key] = Copy(added, accounts) if added is not None else None
