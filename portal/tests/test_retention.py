"""Retention: each period removes what is strictly older than it, and nothing younger."""

from datetime import datetime, timedelta

from django.core.files.base import ContentFile
from django.core.management import call_command
from django.utils import timezone

from accounts.models import DataExport
from portal import retention
from portal.models import AuditEntry, Notification, OutboundEmail
from portal.tasks import apply_retention

NOW = timezone.make_aware(datetime(2026, 11, 30, 10, 0))
SECOND = timedelta(seconds=1)


def audit_at(company, when, ip="198.51.100.7"):
    entry = AuditEntry.objects.create(company=company, action="offer.accepted", ip=ip)
    AuditEntry.objects.filter(pk=entry.pk).update(created_at=when)
    return entry


def test_audit_ip_is_stripped_after_12_months_the_entry_stays(company_a, settings):
    assert settings.RETENTION_AUDIT_IP_MONTHS == 12
    boundary = retention.months_before(NOW, 12)
    assert boundary == timezone.make_aware(datetime(2025, 11, 30, 10, 0))
    at_boundary = audit_at(company_a, boundary)
    older = audit_at(company_a, boundary - SECOND)
    counts = retention.apply(NOW)
    at_boundary.refresh_from_db()
    older.refresh_from_db()
    assert at_boundary.ip == "198.51.100.7"
    assert older.ip is None and older.action == "offer.accepted"
    assert counts["audit_ips"] == 1


def email_sent_at(key, when):
    return OutboundEmail.objects.create(key=key, to="ana@client-a.ro", template="digest", sent_at=when)


def test_sent_email_records_go_after_6_months(db, settings):
    assert settings.RETENTION_SENT_EMAIL_MONTHS == 6
    boundary = retention.months_before(NOW, 6)
    email_sent_at("at-boundary", boundary)
    email_sent_at("older", boundary - SECOND)
    OutboundEmail.objects.create(key="unsent", to="ana@client-a.ro", template="digest")
    OutboundEmail.objects.filter(key="unsent").update(created_at=boundary - timedelta(days=30))
    counts = retention.apply(NOW)
    assert set(OutboundEmail.objects.values_list("key", flat=True)) == {"at-boundary", "unsent"}
    assert counts["sent_emails"] == 1


def test_read_notifications_go_after_6_months_unread_stay(admin_a, company_a):
    boundary = retention.months_before(NOW, 6)
    at_boundary = Notification.objects.create(
        user=admin_a, company=company_a, kind="offer.sent", title="a", read_at=boundary
    )
    Notification.objects.create(
        user=admin_a, company=company_a, kind="offer.sent", title="b", read_at=boundary - SECOND
    )
    unread = Notification.objects.create(user=admin_a, company=company_a, kind="offer.sent", title="c")
    Notification.objects.filter(pk=unread.pk).update(created_at=boundary - timedelta(days=400))
    retention.apply(NOW)
    assert set(Notification.objects.values_list("pk", flat=True)) == {at_boundary.pk, unread.pk}


def test_exports_go_after_7_days_with_their_file(admin_a, settings):
    assert settings.RETENTION_EXPORT_DAYS == 7
    kept = DataExport.objects.create(user=admin_a, expires_at=NOW)
    gone = DataExport.objects.create(user=admin_a, expires_at=NOW - SECOND, status=DataExport.Status.READY)
    gone.file.save("x.zip", ContentFile(b"PK"))
    name = gone.file.name
    counts = retention.apply(NOW)
    assert list(DataExport.objects.values_list("pk", flat=True)) == [kept.pk]
    assert not gone.file.storage.exists(name)
    assert counts["data_exports"] == 1


def test_periods_are_settings(company_a, settings):
    settings.RETENTION_AUDIT_IP_MONTHS = 3
    entry = audit_at(company_a, retention.months_before(NOW, 3) - SECOND)
    retention.apply(NOW)
    entry.refresh_from_db()
    assert entry.ip is None


def test_twice_changes_nothing_more(company_a):
    audit_at(company_a, NOW - timedelta(days=800))
    assert retention.apply(NOW)["audit_ips"] == 1
    assert retention.apply(NOW)["audit_ips"] == 0


def test_command_and_beat_task(company_a, capsys, settings):
    audit_at(company_a, timezone.now() - timedelta(days=800))
    call_command("apply_retention")
    assert "audit_ips: 1" in capsys.readouterr().out
    assert apply_retention()["audit_ips"] == 0
    assert settings.CELERY_BEAT_SCHEDULE["portal-apply-retention"]["task"] == "portal.tasks.apply_retention"


def test_months_before_clamps_to_the_end_of_a_short_month():
    august_31 = timezone.make_aware(datetime(2026, 8, 31, 10))
    assert retention.months_before(august_31, 6) == timezone.make_aware(datetime(2026, 2, 28, 10))
