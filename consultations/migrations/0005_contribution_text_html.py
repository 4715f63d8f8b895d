"""Each contribution's text stored as safe HTML beside the renderer's version (issue 15, "Render less"),
and the existing rows rendered (with the renderer of the code that migrates: consultations/markdown.py
is a pure function of the text)."""

from django.db import migrations, models

BATCH = 500


def render_existing(apps, schema_editor):
    from consultations import markdown

    Contribution = apps.get_model("consultations", "Contribution")
    rows = Contribution.objects.using(schema_editor.connection.alias).only("pk", "text").order_by("pk")
    batch = []
    for row in rows.iterator(chunk_size=BATCH):
        for name, value in markdown.stored_fields(row.text).items():
            setattr(row, name, value)
        batch.append(row)
        if len(batch) == BATCH:
            Contribution.objects.using(schema_editor.connection.alias).bulk_update(
                batch, ["text_html", "text_html_version"]
            )
            batch = []
    Contribution.objects.using(schema_editor.connection.alias).bulk_update(
        batch, ["text_html", "text_html_version"]
    )


class Migration(migrations.Migration):
    dependencies = [
        ("consultations", "0004_page_generation_triggers"),
    ]

    operations = [
        migrations.AddField(
            model_name="contribution",
            name="text_html",
            field=models.TextField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name="contribution",
            name="text_html_version",
            field=models.CharField(blank=True, editable=False, max_length=64, null=True),
        ),
        migrations.RunPython(render_existing, migrations.RunPython.noop, elidable=True),
    ]
