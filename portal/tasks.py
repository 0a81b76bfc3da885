from datetime import date

from celery import shared_task
from django.contrib.auth import get_user_model
from django.utils import timezone

from portal import retention
from portal.models import NotificationPreference
from portal.notifications import send_digest, send_rendered
from portal.tasks_util import enqueue, retry_pending
from portal.topics import Delivery


@shared_task
def send_daily_digests() -> int:
    """Daily (Celery beat): one digest email per user who chose the digest for some topic."""
    user_ids = (
        NotificationPreference.objects.filter(delivery=Delivery.DIGEST, user__is_active=True)
        .values_list("user_id", flat=True)
        .distinct()
    )
    for user_id in user_ids:
        enqueue(send_user_digest, user_id, timezone.localdate().isoformat())
    return len(user_ids)


@shared_task
def send_user_digest(user_id: int, day: str) -> bool:
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        return False
    return send_digest(user=user, day=date.fromisoformat(day))


@shared_task
def retry_pending_tasks() -> int:
    """Every few minutes (Celery beat): send again the tasks the broker refused while it was down."""
    sent, _pending = retry_pending()
    return sent


@shared_task
def send_rendered_email(outbound_id: int) -> bool:
    """Send an email rendered in the request (allauth's, accounts/adapter.py); at most once.

    Retried with backoff while SMTP is down (portal.celery.PortalTask), then kept in the outbox."""
    return send_rendered(outbound_id)


@shared_task
def apply_retention() -> dict:
    """Daily (Celery beat): personal data past its retention period is deleted (portal/retention.py)."""
    return retention.apply()
