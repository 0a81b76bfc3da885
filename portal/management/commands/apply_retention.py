from django.core.management.base import BaseCommand

from portal import retention


class Command(BaseCommand):
    help = (
        "Deletes or strips personal data past its retention period (RETENTION_* settings): audit-log IP "
        "addresses, sent-email records, read notifications, expired data exports. Also daily from Celery beat."
    )

    def handle(self, *args, **options):
        counts = retention.apply()
        for name, count in counts.items():
            self.stdout.write(f"{name}: {count}")
