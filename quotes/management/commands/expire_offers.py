from django.core.management.base import BaseCommand

from quotes import services


class Command(BaseCommand):
    help = (
        "Marks sent offers whose validity date has passed as expired; each offer once "
        "(safe to run any number of times). Celery beat runs the same every night."
    )

    def handle(self, *args, **options):
        count = services.expire_offers()
        self.stdout.write(f"{count} oferte expirate.")
