"""Enqueue Celery tasks after commit, without ever losing one when the broker is down.

``enqueue(task, *ids)`` sends the task once the transaction commits. If the broker refuses it
(Redis stopped, network cut), or a task still fails on SMTP after all its retries, it is written to
``PendingTask`` and
``retry_pending_tasks`` (Celery beat every few minutes, or the management command) sends it
again later. The user's action has committed either way; tasks are idempotent.
"""

import logging

from celery import current_app
from django.db import transaction
from kombu.exceptions import OperationalError

from portal.models import PendingTask

logger = logging.getLogger("portal.tasks")


def broker_errors() -> tuple[type[BaseException], ...]:
    errors: list[type[BaseException]] = [OperationalError, ConnectionError]
    try:
        from redis.exceptions import ConnectionError as RedisConnectionError
        from redis.exceptions import TimeoutError as RedisTimeoutError

        errors += [RedisConnectionError, RedisTimeoutError]
    except ImportError:  # pragma: no cover - redis is installed with celery[redis]
        pass
    return tuple(errors)


def keep_for_later(name: str, args, error: BaseException) -> None:
    PendingTask.objects.create(task=name, args=list(args), last_error=repr(error)[:500])
    logger.warning("task=%s args=%s event=kept_in_outbox error=%r", name, list(args), error)


def send(task, args) -> bool:
    """Hand the task to the broker now; on a broker error keep it in the outbox. True if sent."""
    try:
        task.apply_async(args=list(args))
    except broker_errors() as error:
        keep_for_later(task.name, args, error)
        return False
    return True


def enqueue(task, *args, robust: bool = False) -> None:
    """Send ``task(*args)`` once the current transaction commits (now if there is none).

    ``robust``: an error while handing it over is logged, never raised into the request (a task
    run eagerly — ``make run``, tests — fails there when SMTP is down; it is in the outbox by then).
    """
    transaction.on_commit(lambda: send(task, args), robust=robust)


def retry_pending(limit: int = 500) -> tuple[int, int]:
    """Send the outbox again, oldest first; returns (sent, still pending)."""
    sent = 0
    with transaction.atomic():
        rows = list(PendingTask.objects.select_for_update(skip_locked=True).order_by("created_at", "id")[:limit])
        for row in rows:
            task = current_app.tasks.get(row.task)
            if task is None:
                row.attempts += 1
                row.last_error = "unknown task"
                row.save(update_fields=["attempts", "last_error"])
                logger.error("task=%s event=unknown_pending_task id=%s", row.task, row.pk)
                continue
            try:
                task.apply_async(args=row.args)
            except broker_errors() as error:
                row.attempts += 1
                row.last_error = repr(error)[:500]
                row.save(update_fields=["attempts", "last_error"])
                break  # the broker is still down: try again on the next run
            row.delete()
            sent += 1
    pending = PendingTask.objects.count()
    if sent or pending:
        logger.info("event=pending_tasks_retried sent=%s pending=%s", sent, pending)
    return sent, pending
