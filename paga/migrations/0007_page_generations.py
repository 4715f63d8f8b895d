"""The page cache's generations (paga/pagecache.py) and the audit log's refusal, installed once here
instead of after every `migrate`.

The one global counter (paga_contentgeneration, and its triggers made by a post_migrate handler) gives
way to named generations: a table of them, PostgreSQL's `cocrea_bump`, and each content table's triggers
(ContentTriggers, here for paga's tables, in each app's own migration for its tables)."""

from django.db import migrations

from paga import audit, pagecache
from paga.pagecache import ContentTriggers


def forwards(apps, schema_editor):
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":  # the old function, and every trigger that calls it
            cursor.execute("DROP FUNCTION IF EXISTS cocrea_bump_generation() CASCADE")
        else:
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'cocrea_gen_%'"
            )
            for (name,) in cursor.fetchall():
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
        cursor.execute("DROP TABLE IF EXISTS paga_contentgeneration")
        for sql in pagecache.create_table_sql(connection.vendor):
            cursor.execute(sql)
    audit.install(connection.alias)


def backwards(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        if schema_editor.connection.vendor == "postgresql":
            cursor.execute("DROP FUNCTION IF EXISTS cocrea_bump(text)")
        cursor.execute(f"DROP TABLE IF EXISTS {pagecache.TABLE}")


class Migration(migrations.Migration):
    dependencies = [
        ("paga", "0006_created_on_the_portal_clock"),
    ]

    operations = [
        migrations.RunPython(forwards, backwards),
        ContentTriggers("paga_region"),
        ContentTriggers("paga_entity"),
        ContentTriggers("paga_user_groups"),
        ContentTriggers("paga_user_user_permissions"),
        ContentTriggers("paga_user", columns=("display_name", "entity_id")),
        ContentTriggers("paga_ogpvalue"),
        ContentTriggers("paga_actionplan"),
        ContentTriggers("paga_objective"),
        ContentTriggers("paga_governmentpriority"),
        ContentTriggers("paga_theme"),
        ContentTriggers("paga_pillar"),
        ContentTriggers("paga_timelinestage"),
    ]
