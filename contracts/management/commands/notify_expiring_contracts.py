from django.conf import settings
from django.core.management.base import BaseCommand

from contracts import services


class Command(BaseCommand):
    help = (
        "Emails client admins and staff about contracts ending within the CONTRACT_EXPIRY_NOTICE_DAYS "
        "thresholds; each contract and threshold once (safe to run any number of times)."
    )

    def handle(self, *args, **options):
        count = services.send_expiry_notices()
        thresholds = ", ".join(str(d) for d in settings.CONTRACT_EXPIRY_NOTICE_DAYS)
        self.stdout.write(f"{count} notificări de expirare trimise (praguri: {thresholds} zile).")
