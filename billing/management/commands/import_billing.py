from argparse import RawDescriptionHelpFormatter

from django.core.management.base import BaseCommand, CommandError

from billing import importer


class Command(BaseCommand):
    # The format is documented once, at the top of billing/importer.py.
    help = (
        "Imports invoices (with lines and credit notes) and payments (with allocations) exported by the ERP, "
        "from a .json or .csv file.\n\n" + importer.__doc__.split("\n\n", 1)[1]
    )

    def create_parser(self, prog_name, subcommand, **kwargs):
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        parser.formatter_class = RawDescriptionHelpFormatter
        return parser

    def add_arguments(self, parser):
        parser.add_argument("file", help="calea fișierului .csv sau .json exportat din ERP")

    def handle(self, *args, **options):
        try:
            report = importer.import_file(options["file"])
        except (OSError, ValueError) as error:
            raise CommandError(f"Nu pot citi {options['file']}: {error}") from error
        labels = {"created": "creată", "updated": "actualizată", "unchanged": "neschimbată", "rejected": "RESPINSĂ"}
        for outcome in report.outcomes:
            line = f"{outcome.what}: {labels[outcome.result]}" + (f" — {outcome.reason}" if outcome.reason else "")
            (self.stderr if outcome.result == "rejected" else self.stdout).write(line)
        for kind, title in (("factura", "Facturi"), ("plata", "Plăți")):
            counts = {result: report.count(kind, result) for result in labels}
            self.stdout.write(
                f"{title}: {counts['created']} create, {counts['updated']} actualizate, "
                f"{counts['unchanged']} neschimbate, {counts['rejected']} respinse."
            )
        other = [o for o in report.rejected if not o.what.startswith(("factura", "plata"))]
        if other:
            self.stdout.write(f"Alte rânduri respinse: {len(other)}.")
