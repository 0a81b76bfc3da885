"""Demo data for every section, in Romanian. Idempotent: running it again refreshes the same rows.

Each app that has demo data defines ``<app>/demo.py`` with ``seed(demo: dict)``; accounts runs
first and puts ``staff``, ``companies`` and ``users`` in ``demo`` for the others.
"""

import importlib

from django.core.management.base import BaseCommand
from django.db import transaction

from accounts.demo import DEMO_PASSWORD

APPS = ("accounts", "files", "contracts", "quotes", "projects", "billing", "support", "shipments", "portal")


class Command(BaseCommand):
    help = "Creates or refreshes the demo companies, users and section data, then prints the logins."

    @transaction.atomic
    def handle(self, *args, **options):
        demo: dict = {}
        for app in APPS:
            try:
                module = importlib.import_module(f"{app}.demo")
            except ModuleNotFoundError as error:
                if error.name != f"{app}.demo":
                    raise
                continue
            module.seed(demo)
        self.stdout.write(self.style.SUCCESS(f"Date demo gata. Conturi (parola pentru toate: {DEMO_PASSWORD}):"))
        for email, what in demo["logins"]:
            self.stdout.write(f"  {email:<32} {what}")
