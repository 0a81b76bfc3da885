"""Writes of the notification centre."""

from django.db import transaction
from django.utils import timezone

from portal.models import Notification, NotificationPreference
from portal.topics import Delivery


def notification_mark_read(*, notification: Notification) -> None:
    if notification.read_at is None:
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=timezone.now())


def notifications_mark_all_read(*, notifications) -> int:
    return notifications.filter(read_at__isnull=True).update(read_at=timezone.now())


@transaction.atomic
def notification_preferences_save(*, user, choices: dict[str, str]) -> None:
    for topic, delivery in choices.items():
        if delivery == Delivery.IMMEDIATE:
            NotificationPreference.objects.filter(user=user, topic=topic).delete()
        else:
            NotificationPreference.objects.update_or_create(user=user, topic=topic, defaults={"delivery": delivery})
