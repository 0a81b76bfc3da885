"""Demo data for every section, in Romanian. Idempotent: running it again refreshes the same rows.

Each app that has demo data defines ``<app>/demo.py`` with ``seed(demo: dict)``; accounts runs
first and puts ``staff``, ``companies`` and ``users`` in ``demo`` for the others.
"""

import importlib

from django.core.management.base import BaseCommand
from django.db import transaction
from django.test.utils import override_settings

from accounts.demo import DEMO_PASSWORD

APPS = ("accounts", "files", "contracts", "quotes", "projects", "billing", "support", "shipments", "portal")


class Command(BaseCommand):
    help = "Creates or refreshes the demo companies, users and section data, then prints the logins."

    def handle(self, *args, **options):
        # Demo users are not real people: their notification emails go nowhere.
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"), transaction.atomic():
            demo = self.seed()
        self.stdout.write(self.style.SUCCESS(f"Date demo gata. Conturi (parola pentru toate: {DEMO_PASSWORD}):"))
        for email, what in demo["logins"]:
            self.stdout.write(f"  {email:<32} {what}")

    def seed(self) -> dict:
        demo: dict = {}
        for app in APPS:
            try:
                module = importlib.import_module(f"{app}.demo")
            except ModuleNotFoundError as error:
                if error.name != f"{app}.demo":
                    raise
                continue
            module.seed(demo)
        return demo
