import importlib
import importlib.util
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction

from paga import clock


def _app_modules(module: str) -> list[str]:
    """`<app>.<module>` of each of the project's apps that has one, in INSTALLED_APPS order."""
    names = []
    for config in apps.get_app_configs():
        name = f"{config.name}.{module}"
        if Path(config.path).parent == Path(settings.BASE_DIR) and importlib.util.find_spec(name) is not None:
            names.append(name)
    return names


class Command(BaseCommand):
    help = (
        "Load (or update) the PAGA 2017-2019 example, ending with its approved plan and that plan's "
        "documents. Idempotent: running it twice duplicates nothing and renders nothing twice."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--no-finish",
            action="store_true",
            help="Skip the apps' finishing steps (the plan's approval and its documents): the example as it "
            "stood during the ministries' technical review.",
        )

    def handle(self, *args, **options):
        with transaction.atomic():
            plan = None
            # Each app may ship an `example` module; paga's comes first (INSTALLED_APPS order), so
            # apps that depend on the plan find it. paga itself imports none of them.
            modules = [importlib.import_module(name) for name in _app_modules("example")]
            for module in modules:
                plan = module.load(plan=plan, stdout=self.stdout) or plan
            # Then each module's optional `finish`, once every app has loaded: what needs the whole
            # example (the plan's approval snapshots every app's contributions).
            for module in [] if options["no_finish"] else modules:
                if (finish := getattr(module, "finish", None)) is not None:
                    finish(plan=plan, stdout=self.stdout)
            # Then the demonstration plan (paga/demo.py), dated from today: each app's optional `demo`
            # module, in the same order (paga's makes the plan).
            today = clock.today()
            demo = None
            for name in _app_modules("demo"):
                demo = importlib.import_module(name).load(plan=demo, today=today, stdout=self.stdout) or demo
        self.stdout.write(self.style.SUCCESS(f"Example loaded: {plan}, and the demonstration plan {demo}"))
