import os
from smtplib import SMTPException

from celery import Celery, Task

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")


class PortalTask(Task):
    """Every task retries with exponential backoff when SMTP or the network fails.

    Tasks are idempotent (OutboundEmail keys, PDFs stored once), so a retry after a partial run
    sends nothing twice.
    """

    autoretry_for = (SMTPException, OSError)
    retry_backoff = True
    retry_jitter = True

    max_retries = 8  # 1, 2, 4 … 600 s apart (with jitter): about half an hour in all
    retry_backoff_max = 600  # below the broker's visibility timeout (settings)

    def __call__(self, *args, **kwargs):
        # Run eagerly from a client request (make run, tests), a task is still not a client read.
        from portal.scope import suspended

        with suspended():
            return super().__call__(*args, **kwargs)

    def on_failure(self, exc, task_id, args, kwargs, einfo):
        """SMTP still down after every retry: keep the task in the outbox, re-sent every 5 minutes."""
        if isinstance(exc, self.autoretry_for) and not kwargs:
            from portal.tasks_util import keep_for_later

            keep_for_later(self.name, args, exc)


app = Celery("portal", task_cls=PortalTask)
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
