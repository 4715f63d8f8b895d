"""The page cache's generation triggers on this app's content tables (paga/pagecache.py), with a copy of
what the models declare (content_generations, content_columns, content_when): installed once, here."""

from django.db import migrations

from paga.pagecache import ContentTriggers


class Migration(migrations.Migration):
    dependencies = [
        ("paga", "0007_page_generations"),
        ("workshops", "0003_created_on_the_portal_clock"),
    ]

    operations = [
        ContentTriggers("workshops_event_themes"),
        ContentTriggers("workshops_event_proposals"),
        ContentTriggers("workshops_event"),
        ContentTriggers("workshops_eventtransition"),
        ContentTriggers("workshops_registration", columns=("state", "event_id")),
        ContentTriggers("workshops_attendance"),
        ContentTriggers("workshops_document"),
        ContentTriggers("workshops_eventinput"),
        ContentTriggers("workshops_tabledecision"),
        ContentTriggers("workshops_forum"),
        ContentTriggers("workshops_forummember"),
    ]
