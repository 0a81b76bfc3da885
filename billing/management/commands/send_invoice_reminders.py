from django.core.management.base import BaseCommand

from billing import services
from billing.conf import reminder_stages


class Command(BaseCommand):
    help = (
        "Emails the billing users of each client company (admins and members who see invoices) about "
        "unpaid invoices at the BILLING_REMINDER_STAGES (days relative to the due date, default -3, 1, 15); "
        "each invoice and stage once, never for a paid or cancelled invoice (safe to run any number of times)."
    )

    def handle(self, *args, **options):
        count = services.send_invoice_reminders()
        stages = ", ".join(f"{stage:+d}" for stage in reminder_stages())
        self.stdout.write(f"{count} reamintiri de plată trimise (etape: {stages} zile față de scadență).")
