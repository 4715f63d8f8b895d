"""The page cache's generation triggers on this app's content tables (paga/pagecache.py), with a copy of
what the models declare (content_generations, content_columns, content_when): installed once, here."""

from django.db import migrations

from paga.pagecache import ContentTriggers


class Migration(migrations.Migration):
    dependencies = [
        ("paga", "0007_page_generations"),
        ("implementation", "0003_self_assessment_guards"),
    ]

    operations = [
        ContentTriggers("implementation_progressreport", columns=("state",), when="{row}.state = 'validado'"),
        ContentTriggers("implementation_selfassessment"),
        ContentTriggers("implementation_section"),
        ContentTriggers("implementation_sectionversion"),
        ContentTriggers("implementation_assessmentdocument"),
    ]
