"""Store anew the HTML of the contributions an older Markdown renderer made (issue 15).

Each contribution keeps its text rendered (`Contribution.text_html`) beside the renderer's version
(`consultations.markdown.VERSION`). After a deploy that changes the renderer or upgrades markdown-it-py or
nh3, run this once: until then the portal renders those texts when it reads them (correct, only slower).
"""

from django.core.management.base import BaseCommand

from consultations import markdown, services


class Command(BaseCommand):
    help = "Render and store the text of every contribution stored by another version of the renderer."

    def add_arguments(self, parser):
        parser.add_argument("--batch", type=int, default=500, help="rows per transaction (default 500)")

    def handle(self, *args, batch: int, **options):
        done = services.render_stale_texts(batch=batch)
        self.stdout.write(f"{done} contribution(s) rendered with {markdown.VERSION}.")
