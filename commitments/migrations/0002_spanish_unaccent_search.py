"""Accent-insensitive Spanish full-text search (PostgreSQL only; SQLite uses a plain fallback)."""

from django.db import migrations


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    from commitments.search import CREATE_SQL

    for statement in CREATE_SQL:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("commitments", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
