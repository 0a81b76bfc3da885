"""What every file a client asks for and a task builds has in common (``BuiltExport``: the statement of
account, the invoice and payment lists): one export per identical request while it lasts, built once by a
task that a second run leaves alone, a notification with the link, deleted with its file after
``RETENTION_EXPORT_DAYS`` (7) days.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import Company, User
from billing.models import BuiltExport, ListExport, StatementExport
from files.services import store_generated
from portal import audit
from portal.tasks_util import enqueue

logger = logging.getLogger("billing.exports")

# A CSV of up to this many rows is written in the request (a few tens of milliseconds); a longer one (a large
# client's year: thousands), like every PDF and XLSX, by the task.
CSV_DIRECT_ROWS = 500

# Each kind of export and the audit action its deletion records.
EXPORT_MODELS: dict[type[BuiltExport], str] = {
    StatementExport: "billing.statement_export_deleted",
    ListExport: "billing.list_export_deleted",
}


@transaction.atomic
def export_request(model: type[BuiltExport], *, company: Company, user: User, same: dict, task, action: str):
    """The export ``same`` describes that this user asked for and that has not expired: being built, or built
    from the company's data as it still is (its stamp has not moved); else a new one, built by ``task`` after
    commit. A double click gets one file; a new invoice since the last one gets a new file."""
    now = timezone.now()
    stamp = Company.objects.filter(pk=company.pk).values_list("data_stamp", flat=True).get()
    existing = (
        model.objects.for_company(company)
        .filter(requested_by=user, expires_at__gt=now, **same)
        .filter(
            Q(status=BuiltExport.Status.PENDING) | Q(status=BuiltExport.Status.READY, data_stamp=stamp),
        )
        .order_by("-created_at", "-id")
        .first()
    )
    if existing is not None:
        return existing
    export = model.objects.create(
        company=company,
        requested_by=user,
        expires_at=now + timedelta(days=settings.RETENTION_EXPORT_DAYS),
        data_stamp=stamp,
        **same,
    )
    audit.record(action=action, company=company, user=user, obj=export, format=export.format)
    enqueue(task, export.pk)
    return export


def export_build(
    model: type[BuiltExport],
    export_id: int,
    *,
    build: Callable[[BuiltExport], bytes],
    name: Callable[[BuiltExport], str],
    content_type: Callable[[BuiltExport], str],
    notify: Callable[[BuiltExport], None],
):
    """Build the file once (a second run finds it built and does nothing) and tell whoever asked for it.
    A failure is kept on the export: its page says so and offers to ask again."""
    export = model.objects.select_related("company", "requested_by").filter(pk=export_id).first()
    if export is None or export.status != BuiltExport.Status.PENDING or export.is_expired:
        return export
    try:
        content = build(export)
    except Exception as error:
        logger.exception("event=export_failed model=%s export=%s", model._meta.label_lower, export_id)
        model.objects.filter(pk=export_id, status=BuiltExport.Status.PENDING).update(
            status=BuiltExport.Status.FAILED, error=repr(error)[:500], finished_at=timezone.now()
        )
        return export
    with transaction.atomic():
        current = model.objects.select_for_update().get(pk=export_id)
        if current.status != BuiltExport.Status.PENDING:
            return current  # another run kept its file meanwhile
        stored = store_generated(
            company=export.company, name=name(export), content=content, content_type=content_type(export)
        )
        model.objects.filter(pk=export_id).update(
            status=BuiltExport.Status.READY, file=stored, finished_at=timezone.now()
        )
    export.refresh_from_db()
    notify(export)
    return export


def exports_delete_expired(*, now=None) -> int:
    """Daily (Celery beat): every export past its week, and its file (the row, then the stored object).
    Each deletion is in the company's audit log; a second run finds nothing to delete."""
    deleted = 0
    for model, action in EXPORT_MODELS.items():
        expired = list(model.objects.filter(expires_at__lt=now or timezone.now()).select_related("company", "file"))
        for export in expired:
            with transaction.atomic():
                audit.record(action=action, company=export.company, obj=export)
                model.objects.filter(pk=export.pk).delete()
                if export.file is not None:
                    export.file.delete()
                    # The object only once the rows are gone for good.
                    transaction.on_commit(lambda file=export.file.file: file.delete(save=False))
        deleted += len(expired)
    if deleted:
        logger.info("event=exports_deleted count=%s", deleted)
    return deleted
