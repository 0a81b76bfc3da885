"""Benchmark data (issue 10): one client with years of history and 50 ordinary ones, in bulk.

Run it on a database of its own (DATABASE_URL=postgres://…/portal_bench). Idempotent: a second run
does nothing; --reset empties the database first (only one whose name contains "bench").
"""

import time

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from bench import seed


class Command(BaseCommand):
    help = "Seed the benchmark data set (one large client, many ordinary ones)."

    def add_arguments(self, parser):
        parser.add_argument("--reset", action="store_true", help="Empty the (bench) database first.")
        parser.add_argument("--clients", type=int, default=50, help="Ordinary clients (default 50).")
        parser.add_argument("--scale", type=float, default=1.0, help="Scale of the large client (default 1).")

    def handle(self, *args, reset=False, clients=50, scale=1.0, **options):
        if reset:
            if "bench" not in connection.settings_dict["NAME"]:
                raise CommandError("--reset empties the database: use it only on a database named *bench*.")
            call_command("flush", interactive=False, verbosity=0)
        elif seed.seeded():
            self.stdout.write("Bench data already present (use --reset to start over).")
            return
        started = time.monotonic()
        seed.seed(ordinary=clients, scale=scale, log=self.stdout.write)
        if connection.vendor == "postgresql":
            # Freshly bulk-inserted tables have no visibility map yet, so counts read the heap instead of
            # the index until autovacuum passes, which on a database with years of data it long has.
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE")
        self.stdout.write(self.style.SUCCESS(f"Bench data seeded in {time.monotonic() - started:.0f} s."))
