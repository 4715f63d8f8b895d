"""The page cache's generation triggers on this app's content tables (paga/pagecache.py), with a copy of
what the models declare (content_generations, content_columns, content_when): installed once, here."""

from django.db import migrations

from paga.pagecache import ContentTriggers


class Migration(migrations.Migration):
    dependencies = [
        ("paga", "0007_page_generations"),
        ("commitments", "0007_milestone_reminders"),
    ]

    operations = [
        ContentTriggers("commitments_commitment"),
        ContentTriggers("commitments_valuerelevance"),
        ContentTriggers("commitments_milestone"),
        ContentTriggers("commitments_milestonereminder"),
        ContentTriggers("commitments_otheractor"),
        ContentTriggers("commitments_version"),
        ContentTriggers("commitments_transition"),
        ContentTriggers("commitments_lineagelink"),
        ContentTriggers("commitments_score"),
        ContentTriggers("commitments_review"),
        ContentTriggers("commitments_reviewnote"),
        ContentTriggers("commitments_planversion"),
        ContentTriggers("commitments_planitem"),
        ContentTriggers("commitments_renderjob"),
    ]
