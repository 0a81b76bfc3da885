from argparse import RawDescriptionHelpFormatter
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from shipments.importing import FORMAT_HELP, import_rows, read_rows


class Command(BaseCommand):
    help = (
        "Imports shipment tracking events from a carrier feed file (CSV or JSON). Safe to run again: "
        "events already recorded are skipped; a rejected row saves nothing.\n\n" + FORMAT_HELP
    )

    def create_parser(self, prog_name, subcommand, **kwargs):
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        parser.formatter_class = RawDescriptionHelpFormatter
        return parser

    def add_arguments(self, parser):
        parser.add_argument("file", help="the .csv or .json file")
        parser.add_argument("--dry-run", action="store_true", help="check and count, save nothing")

    def handle(self, *args, file: str, dry_run: bool = False, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"Fișierul {file} nu există.")
        try:
            rows = read_rows(path)
        except (ValueError, UnicodeDecodeError) as error:
            raise CommandError(str(error)) from error
        if dry_run:
            with transaction.atomic():
                report = import_rows(rows)
                transaction.set_rollback(True)
        else:
            report = import_rows(rows)  # each row in its own transaction
        for number, reason in report.rejected:
            self.stderr.write(f"respins rândul {number}: {reason}")
        prefix = "[simulare, nimic salvat] " if dry_run else ""
        self.stdout.write(
            f"{prefix}{len(rows)} rânduri: {report.created} evenimente adăugate, "
            f"{report.skipped} deja existente (sărite), {len(report.rejected)} respinse."
        )
