from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from billing.efactura.validation import validate


class Command(BaseCommand):
    help = (
        "Validează fișiere e-Factura (UBL 2.1 CIUS-RO) ca validatorul ANAF, fără rețea: schema XSD și regulile "
        "EN 16931 + CIUS-RO 1.0.9. Afișează regulile încălcate; se termină cu cod 1 dacă un fișier are erori "
        "de schemă sau reguli fatale (avertismentele se afișează, nu contează)."
    )

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", help="fișierele .xml de verificat")

    def handle(self, *args, **options):
        failed = 0
        for name in options["files"]:
            try:
                report = validate(Path(name).read_bytes())
            except OSError as error:
                raise CommandError(f"Nu pot citi {name}: {error}") from error
            failed += not report.is_valid
            verdict = "valid" if report.is_valid else "RESPINS"
            self.stdout.write(
                f"{verdict} {name}: {len(report.schema_errors)} erori de schemă, {len(report.fatal)} reguli fatale, "
                f"{len(report.warnings)} avertismente"
            )
            for line in report.problems() + [f"{w.rule} (avertisment): {w.text}" for w in report.warnings[:5]]:
                self.stdout.write(f"    {line}")
        if failed:
            raise CommandError(f"{failed} din {len(options['files'])} fișiere nu trec validarea.")
