"""Django's `flush`, which also empties the append-only audit log on SQLite.

SQLite's flush empties each table with DELETE, which the audit log's trigger refuses (paga/audit.py);
PostgreSQL's TRUNCATE does not fire it. Emptying the whole database is an operator's act, not the
application's: the trigger is lifted for the run and put back afterwards.
"""

from django.core.management.commands.flush import Command as FlushCommand

from paga import audit


class Command(FlushCommand):
    def handle(self, **options):
        database = options["database"]
        audit.lift_for_flush(database)
        try:
            return super().handle(**options)
        finally:
            audit.install(database)
