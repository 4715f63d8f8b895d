"""Reference data every installation needs (paga/vocabulary.py): regions, OGP values, role groups."""

from django.db import migrations


def forwards(apps, schema_editor):
    from paga import vocabulary

    vocabulary.ensure(apps)


class Migration(migrations.Migration):
    dependencies = [("paga", "0001_initial"), ("auth", "0012_alter_user_first_name_max_length")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
