"""Demo data for every section, in Romanian. Idempotent: running it again refreshes the same rows.

Each app that has demo data defines ``<app>/demo.py`` with ``seed(demo: dict)``; they are found
through the app registry and run in INSTALLED_APPS order, so accounts runs first and puts ``staff``,
``companies`` and ``users`` in ``demo`` for the apps listed after it.
"""

import importlib
import importlib.util
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction
from django.test.utils import override_settings


def demo_modules() -> list:
    """Every project app's ``demo`` module, in INSTALLED_APPS order."""
    names = [
        f"{config.name}.demo"
        for config in apps.get_app_configs()
        if Path(config.path).is_relative_to(settings.BASE_DIR)
    ]
    return [importlib.import_module(name) for name in names if importlib.util.find_spec(name) is not None]


class Command(BaseCommand):
    help = "Creates or refreshes the demo companies, users and section data, then prints the logins."

    def handle(self, *args, **options):
        # Demo users are not real people: their notification emails go nowhere.
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"), transaction.atomic():
            demo = self.seed()
        self.stdout.write(self.style.SUCCESS(f"Date demo gata. Conturi (parola pentru toate: {demo['password']}):"))
        for email, what in demo["logins"]:
            self.stdout.write(f"  {email:<32} {what}")

    def seed(self) -> dict:
        demo: dict = {}
        for module in demo_modules():
            module.seed(demo)
        return demo
