import importlib
import importlib.util
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction


class Command(BaseCommand):
    help = "Load (or update) the PAGA 2017-2019 example. Idempotent: running it twice duplicates nothing."

    def handle(self, *args, **options):
        with transaction.atomic():
            plan = None
            # Each app may ship an `example` module; paga's comes first (INSTALLED_APPS order), so
            # apps that depend on the plan find it. paga itself imports none of them.
            for config in apps.get_app_configs():
                name = f"{config.name}.example"
                if (
                    Path(config.path).parent != Path(settings.BASE_DIR)
                    or importlib.util.find_spec(name) is None
                ):
                    continue
                module = importlib.import_module(name)
                plan = module.load(plan=plan, stdout=self.stdout) or plan
        self.stdout.write(self.style.SUCCESS(f"Example loaded: {plan}"))
