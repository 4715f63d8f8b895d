# The snapshot of an approved plan version: what its documents show besides its frozen items (the plan's
# texts, the process summary, the annex of responses), written by plan_services.approve in the approval's
# transaction. Migration 0005 makes it required at approval and immutable afterwards.
#
# On SQLite, adding a JSON column rebuilds the table (JSON_VALID check), which drops its triggers and fails
# on those of the items that name it: migration 0003's guards are dropped first and installed again after.

import importlib

from django.db import migrations, models

guards = importlib.import_module("commitments.migrations.0003_plan_versions")


def _sqlite(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "sqlite":
            for sql in statements:
                schema_editor.execute(sql, params=None)

    return run


drop_sqlite_guards = _sqlite(guards.SQLITE_DROP)
install_sqlite_guards = _sqlite(guards.SQLITE)


def snapshot_approved_versions(apps, schema_editor):
    """Versions approved before this migration get their snapshot now, from the figures as they stand:
    the closest one can come to what they showed at approval (from now on, approval writes it).

    The figures come from every app's report hooks (paga.reports), which read the current models: this
    migration runs after the other apps' migrations it depends on. A database without approved versions
    (a new one, the tests') runs none of it."""
    alias = schema_editor.connection.alias
    historical = apps.get_model("commitments", "PlanVersion")
    if not historical.objects.using(alias).filter(state="aprobada").exists():
        return
    from commitments import plan_services
    from commitments.plan_models import PlanVersion

    for version in PlanVersion.objects.using(alias).filter(state="aprobada").select_related("plan"):
        snapshot, annex = plan_services.approval_snapshot(version.plan)
        PlanVersion.objects.using(alias).filter(pk=version.pk).update(snapshot=snapshot, annex=annex)


class Migration(migrations.Migration):

    dependencies = [
        ('commitments', '0003_plan_versions'),
        # The report hooks read these apps' tables (snapshot_approved_versions).
        ('consultations', '0002_follow'),
        ('paga', '0004_audit_entry'),
        ('workshops', '0002_registration_language'),
    ]

    operations = [
        migrations.RunPython(drop_sqlite_guards, install_sqlite_guards),
        migrations.AddField(
            model_name='planversion',
            name='annex',
            field=models.JSONField(blank=True, editable=False, help_text='At approval: the annex of the co-creation report (every contribution and its response).', null=True),
        ),
        migrations.AddField(
            model_name='planversion',
            name='snapshot',
            field=models.JSONField(blank=True, editable=False, help_text="At approval: the plan's texts and the process summary in each language (plan_services).", null=True),
        ),
        migrations.RunPython(install_sqlite_guards, drop_sqlite_guards),
        migrations.RunPython(snapshot_approved_versions, migrations.RunPython.noop),
    ]
