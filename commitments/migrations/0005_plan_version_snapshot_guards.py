# An approved plan version has its snapshot, written with the approval and only then (a check
# constraint), and nothing of it changes afterwards: its approval record, its snapshot, any column
# (triggers, like those of migration 0003 for frozen versions). A separate migration from 0004: on
# PostgreSQL, 0004's updates leave deferred trigger events (the page cache's content generation) that
# forbid altering the table in the same transaction. On SQLite the constraint rebuilds the table: 0003's
# guards are dropped first and installed again after (see 0004).

import importlib

from django.db import migrations, models

snapshot = importlib.import_module("commitments.migrations.0004_plan_version_snapshot")

COLUMNS = [
    "id", "plan_id", "number", "state", "created", "created_by_id", "frozen_at", "frozen_by_id",
    "instrument", "instrument_number", "instrument_date", "instrument_url", "approved_at", "approved_by_id",
    "snapshot", "annex",
]
MESSAGE = "commitments: an approved plan version cannot change"
SQLITE = [
    f"""CREATE TRIGGER commitments_planversion_approved_update BEFORE UPDATE ON commitments_planversion
    WHEN OLD.state = 'aprobada' AND ({" OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in COLUMNS)})
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""",
]
SQLITE_DROP = ["DROP TRIGGER IF EXISTS commitments_planversion_approved_update"]
POSTGRESQL = [
    f"""CREATE OR REPLACE FUNCTION commitments_planversion_approved() RETURNS trigger AS $$
    BEGIN
      IF OLD.state = 'aprobada' AND ({" OR ".join(f"NEW.{c} IS DISTINCT FROM OLD.{c}" for c in COLUMNS)}) THEN
        RAISE EXCEPTION '{MESSAGE}';
      END IF;
      RETURN NEW;
    END $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER commitments_planversion_approved BEFORE UPDATE ON commitments_planversion
    FOR EACH ROW EXECUTE FUNCTION commitments_planversion_approved()""",
]
POSTGRESQL_DROP = [
    "DROP TRIGGER IF EXISTS commitments_planversion_approved ON commitments_planversion",
    "DROP FUNCTION IF EXISTS commitments_planversion_approved()",
]


def _run(statements):
    def run(apps, schema_editor):
        for sql in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql, params=None)

    return run


class Migration(migrations.Migration):

    dependencies = [
        ('commitments', '0004_plan_version_snapshot'),
    ]

    operations = [
        migrations.RunPython(snapshot.drop_sqlite_guards, snapshot.install_sqlite_guards),
        migrations.AddConstraint(
            model_name='planversion',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('annex__isnull', False), ('snapshot__isnull', False), ('state', 'aprobada')), models.Q(models.Q(('state', 'aprobada'), _negated=True), ('annex__isnull', True), ('snapshot__isnull', True)), _connector='OR'), name='plan_version_snapshot_at_approval'),
        ),
        migrations.RunPython(snapshot.install_sqlite_guards, snapshot.drop_sqlite_guards),
        migrations.RunPython(
            _run({"sqlite": SQLITE, "postgresql": POSTGRESQL}),
            _run({"sqlite": SQLITE_DROP, "postgresql": POSTGRESQL_DROP}),
        ),
    ]
