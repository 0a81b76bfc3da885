"""Celery entry points of the ERP integration: ids in, safe to run twice (one 2xx answer per delivery)."""

from celery import shared_task

from integrations import webhooks


@shared_task
def deliver_webhook(delivery_id: int) -> bool:
    """One try of a webhook delivery if it is pending and due; a failed try is scheduled, not raised."""
    return webhooks.deliver(delivery_id) is not None


@shared_task
def retry_webhooks() -> int:
    """Every minute (Celery beat): a try of each delivery whose next attempt is due."""
    return webhooks.retry_due()
