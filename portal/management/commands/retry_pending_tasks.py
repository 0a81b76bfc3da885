from django.core.management.base import BaseCommand

from portal.tasks_util import retry_pending


class Command(BaseCommand):
    help = "Send again the Celery tasks kept in the outbox while the broker (Redis) was unavailable."

    def handle(self, *args, **options):
        sent, pending = retry_pending()
        self.stdout.write(f"sent={sent} pending={pending}")
