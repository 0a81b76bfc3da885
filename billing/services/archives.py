"""A ZIP of invoices' PDFs and e-Factura files for the client's accountant: asked for in the portal, built
by a task (never in the request: a year of invoices is hundreds of files), announced by a notification.
"""

from __future__ import annotations

import io
import zipfile
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import Company, User
from billing import tasks
from billing.models import Invoice, InvoiceArchive
from billing.services.efactura import invoice_render_xml, invoice_signed_zip_name, invoice_xml_name
from billing.services.invoices import invoice_pdf_name, invoice_render_pdf
from files.responses import safe_filename
from files.services import store_generated
from portal import audit
from portal.notifications import notify
from portal.tasks_util import enqueue

MAX_INVOICES = 1000
MAX_DAYS = 366


def _chosen_invoices(company: Company, public_ids: list[str], date_from: date | None, date_to: date | None):
    invoices = Invoice.objects.for_company(company).visible()
    if public_ids:
        return invoices.filter(public_id__in=public_ids)
    if not (date_from and date_to):
        raise ValidationError(_("Bifați facturile dorite sau alegeți perioada (de la, până la)."))
    if date_from > date_to:
        raise ValidationError(_("Sfârșitul perioadei este înaintea începutului."))
    if (date_to - date_from).days >= MAX_DAYS:
        raise ValidationError(_("Alegeți o perioadă de cel mult un an."))
    return invoices.filter(issue_date__range=(date_from, date_to))


@transaction.atomic
def archive_request(
    *, company: Company, user: User, public_ids: list[str], date_from: date | None, date_to: date | None
) -> InvoiceArchive:
    """Ask for the archive of the chosen invoices (or of those issued in the period); built after commit."""
    ids = list(
        _chosen_invoices(company, public_ids, date_from, date_to)
        .order_by("issue_date", "id")[: MAX_INVOICES + 1]
        .values_list("pk", flat=True)
    )
    if not ids:
        raise ValidationError(_("Nicio factură în alegerea făcută."))
    if len(ids) > MAX_INVOICES:
        raise ValidationError(
            _("Arhiva poate avea cel mult %(count)s facturi: alegeți o perioadă mai scurtă.") % {"count": MAX_INVOICES}
        )
    archive = InvoiceArchive.objects.create(
        company=company,
        requested_by=user,
        date_from=None if public_ids else date_from,
        date_to=None if public_ids else date_to,
        invoice_ids=ids,
    )
    audit.record(action="invoice.archive_requested", company=company, user=user, obj=archive, count=len(ids))
    enqueue(tasks.build_invoice_archive, archive.pk)
    return archive


def _archive_members(invoice: Invoice) -> list[tuple[str, object]]:
    """The files of one invoice in the archive: its PDF, its e-Factura XML (the original when the ERP sent
    it) and ANAF's signed ZIP when there is one."""
    pdf = invoice.pdf or invoice_render_pdf(invoice_id=invoice.pk)
    if invoice.anaf_xml is not None:
        xml, xml_name = invoice.anaf_xml, invoice_xml_name(invoice, original=True)
    else:
        xml, xml_name = (
            invoice.xml or invoice_render_xml(invoice_id=invoice.pk),
            invoice_xml_name(invoice, original=False),
        )
    members = [(invoice_pdf_name(invoice), pdf), (xml_name, xml)]
    if invoice.anaf_zip is not None:
        members.append((invoice_signed_zip_name(invoice), invoice.anaf_zip))
    return [(name, stored) for name, stored in members if stored is not None]


def _zip_bytes(invoices) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for invoice in invoices:
            for name, stored in _archive_members(invoice):
                with stored.file.open("rb") as handle:
                    archive.writestr(name, handle.read())
    return buffer.getvalue()


def archive_name(archive: InvoiceArchive) -> str:
    stamp = timezone.localtime(archive.created_at).strftime("%Y-%m-%d %H%M")
    return safe_filename(f"Facturi {archive.company.name} {stamp}", "zip")


def archive_build(*, archive_id: int) -> InvoiceArchive | None:
    """Build the ZIP once (safe to run twice) and tell whoever asked for it."""
    archive = InvoiceArchive.objects.select_related("company", "requested_by").filter(pk=archive_id).first()
    if archive is None or archive.status == InvoiceArchive.Status.READY:
        return archive
    invoices = (
        Invoice.objects.for_company(archive.company)
        .visible()
        .filter(pk__in=archive.invoice_ids)
        .select_related("pdf", "xml", "anaf_xml", "anaf_zip")
        .order_by("issue_date", "series", "number")
    )
    try:
        with translation.override("ro"):  # the files' names, like the documents, are Romanian
            content = _zip_bytes(invoices)
            name = archive_name(archive)
    except Exception:
        # The page tells the client; the task's retry (or a new request) builds it again.
        InvoiceArchive.objects.filter(pk=archive_id).update(status=InvoiceArchive.Status.FAILED)
        raise
    with transaction.atomic():
        current = InvoiceArchive.objects.select_for_update().get(pk=archive_id)
        if current.status == InvoiceArchive.Status.READY:
            return current
        stored = store_generated(company=archive.company, name=name, content=content, content_type="application/zip")
        InvoiceArchive.objects.filter(pk=archive_id).update(
            status=InvoiceArchive.Status.READY, file=stored, finished_at=timezone.now()
        )
    archive.refresh_from_db()
    _notify_ready(archive)
    return archive


def _notify_ready(archive: InvoiceArchive) -> None:
    user = archive.requested_by
    if user is None:
        return
    notify(
        user=user,
        company=archive.company,
        kind="invoice.archive_ready",
        message="invoice.archive_ready",
        params={"count": archive.invoice_count},
        url=reverse("billing:archive_detail", args=[archive.public_id]),
        key=f"invoice-archive:{archive.pk}",
    )
