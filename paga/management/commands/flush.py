"""Django's `flush`, which also empties the append-only audit log.

Flush empties each table with DELETE on SQLite and with TRUNCATE on PostgreSQL, which the audit log's
triggers refuse (paga/audit.py). Emptying the whole database is an operator's act, not the
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
