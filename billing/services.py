"""Writes for billing: issuing invoices and credit notes, payments and allocations, client
payment notices, invoice PDFs and overdue reminders.

Amounts are ``Decimal``. Each line is rounded to 0,01 (half up) on its own (value without VAT, then
its VAT), and the invoice's totals are the sums of its lines, so the page, the PDF and the
statement add up to the same ban. ``invoice_refresh`` keeps an invoice's stored totals, amount
paid, balance and status; every service that changes lines, allocations or credit notes calls it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import Max, Sum
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import Company, User
from billing import tasks
from billing.conf import reminder_grace_days, reminder_stages
from billing.models import (
    ZERO,
    Invoice,
    InvoiceLine,
    InvoiceReminder,
    Payment,
    PaymentAllocation,
    PaymentNotice,
    PaymentNoticeInvoice,
)
from files.models import StoredFile
from files.responses import safe_filename
from files.services import store_generated, store_upload
from portal import audit
from portal.db import retry_on_conflict
from portal.money import cents, format_amount
from portal.tasks_util import enqueue

# --- totals and status ----------------------------------------------------------------------------


def line_amounts(quantity: Decimal, unit_price: Decimal, vat_rate: int) -> tuple[Decimal, Decimal]:
    """(value without VAT, VAT) of one line, each rounded to 0,01 half up (away from zero for storno)."""
    net = cents(Decimal(quantity) * Decimal(unit_price))
    return net, cents(net * Decimal(vat_rate) / 100)


def derive_status(*, kind: str, issued: bool, gross: Decimal, credited: Decimal, paid: Decimal) -> str:
    """The stored status; "restantă" is added on top of an open status by the due date."""
    if not issued:
        return Invoice.Status.DRAFT
    if kind == Invoice.Kind.CREDIT_NOTE:
        return Invoice.Status.CREDIT_NOTE
    if gross > 0 and credited >= gross:
        return Invoice.Status.CANCELLED
    if gross - credited - paid <= 0:
        return Invoice.Status.PAID
    if paid > 0:
        return Invoice.Status.PARTIALLY_PAID
    return Invoice.Status.ISSUED


def invoice_refresh(*, invoice: Invoice) -> Invoice:
    """Recompute the lines' amounts, the totals, what was credited and paid, the balance and status."""
    lines = list(InvoiceLine.objects.filter(invoice_id=invoice.pk))
    changed = []
    for line in lines:
        net, vat = line_amounts(line.quantity, line.unit_price, line.vat_rate)
        if (net, vat) != (line.net_amount, line.vat_amount):
            line.net_amount, line.vat_amount = net, vat
            changed.append(line)
    if changed:
        InvoiceLine.objects.bulk_update(changed, ["net_amount", "vat_amount"])
    invoice.total_net = sum((line.net_amount for line in lines), ZERO)
    invoice.total_vat = sum((line.vat_amount for line in lines), ZERO)
    invoice.total_gross = invoice.total_net + invoice.total_vat
    if invoice.kind == Invoice.Kind.CREDIT_NOTE:
        invoice.credited = invoice.amount_paid = invoice.balance = ZERO
    else:
        credit_notes = Invoice.objects.filter(reverses_id=invoice.pk).exclude(status=Invoice.Status.DRAFT)
        invoice.credited = -cents(credit_notes.aggregate(total=Sum("total_gross"))["total"])
        invoice.amount_paid = cents(PaymentAllocation.objects.filter(invoice_id=invoice.pk)
                                    .aggregate(total=Sum("amount"))["total"])
        invoice.balance = invoice.total_gross - invoice.credited - invoice.amount_paid
    invoice.status = derive_status(kind=invoice.kind, issued=invoice.issued_at is not None,
                                   gross=invoice.total_gross, credited=invoice.credited, paid=invoice.amount_paid)
    Invoice.objects.filter(pk=invoice.pk).update(
        total_net=invoice.total_net, total_vat=invoice.total_vat, total_gross=invoice.total_gross,
        credited=invoice.credited, amount_paid=invoice.amount_paid, balance=invoice.balance, status=invoice.status,
        updated_at=timezone.now())
    return invoice


def payment_refresh(*, payment: Payment) -> Payment:
    payment.allocated = cents(payment.allocations.aggregate(total=Sum("amount"))["total"])
    Payment.objects.filter(pk=payment.pk).update(allocated=payment.allocated)
    return payment


def _release_excess(invoice: Invoice) -> None:
    """A credit note on a paid invoice frees what was paid over the new total: the latest payments
    give it back and it becomes the client's credit (unallocated)."""
    excess = -invoice.balance
    allocations = invoice.allocations.select_related("payment").order_by("-payment__date", "-id")
    for allocation in allocations:
        if excess <= 0:
            break
        give_back = min(excess, allocation.amount)
        if give_back == allocation.amount:
            allocation.delete()
        else:
            allocation.amount -= give_back
            allocation.save(update_fields=["amount"])
        payment_refresh(payment=allocation.payment)
        excess -= give_back
    invoice_refresh(invoice=invoice)


# --- invoices -------------------------------------------------------------------------------------


def clean_invoice_fields(invoice: Invoice) -> None:
    """Checks that need more than one field; raised as form errors by the admin."""
    errors: dict[str, str] = {}
    if invoice.issue_date and invoice.due_date and invoice.due_date < invoice.issue_date:
        errors["due_date"] = _("Scadența nu poate fi înaintea datei emiterii.")
    if invoice.kind == Invoice.Kind.CREDIT_NOTE:
        original = invoice.reverses
        if original is None:
            errors["reverses"] = _("Alegeți factura pe care o stornează.")
        elif original.company_id != invoice.company_id:
            errors["reverses"] = _("Factura stornată aparține altei companii.")
        elif original.kind != Invoice.Kind.INVOICE or original.status == Invoice.Status.DRAFT:
            errors["reverses"] = _("Se poate storna doar o factură emisă.")
        elif original.currency != invoice.currency:
            errors["reverses"] = _("Factura storno trebuie să fie în aceeași monedă ca factura stornată.")
        elif invoice.issue_date and invoice.issue_date < original.issue_date:
            errors["issue_date"] = _("Factura storno nu poate fi emisă înaintea facturii stornate.")
    elif invoice.reverses_id:
        errors["reverses"] = _("Doar o factură storno stornează altă factură.")
    for field in ("contract", "project", "offer"):
        related = getattr(invoice, field)
        if related is not None and related.company_id != invoice.company_id:
            errors[field] = _("Alegeți unul al aceleiași companii.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def invoice_save(*, invoice: Invoice, by: User | None = None) -> Invoice:
    """Create or change an invoice's header (staff, admin); an issued invoice changes only by storno."""
    if invoice.pk:
        current = Invoice.objects.select_for_update().get(pk=invoice.pk)
        if current.status != Invoice.Status.DRAFT:
            raise ValidationError(_("Factura %(invoice)s a fost emisă: se corectează doar printr-o factură storno.")
                                  % {"invoice": current})
    clean_invoice_fields(invoice)
    created = invoice.pk is None
    invoice.save()
    audit.record(action="invoice.created" if created else "invoice.changed", company=invoice.company, user=by,
                 obj=invoice)
    return invoice


def _next_number(series: str) -> int:
    last = Invoice.objects.filter(series=series).aggregate(last=Max("number"))["last"]
    return (last or 0) + 1


@transaction.atomic
def invoice_issue(*, invoice: Invoice, by: User | None = None, ip: str | None = None) -> Invoice:
    """Draft → issued: numbered, totals fixed, the client sees it; its PDF is rendered after commit."""
    # The invoice and, for a credit note, the invoice it reverses: locked together in primary-key order.
    reverses_id = Invoice.objects.filter(pk=invoice.pk).values_list("reverses_id", flat=True).get()
    list(Invoice.objects.select_for_update().filter(pk__in={invoice.pk, reverses_id} - {None}).order_by("pk")
         .values_list("pk", flat=True))
    invoice = Invoice.objects.select_related("reverses").get(pk=invoice.pk)
    if invoice.status != Invoice.Status.DRAFT:
        raise ValidationError(_("Factura %(invoice)s a fost deja emisă.") % {"invoice": invoice})
    if not invoice.lines.exists():
        raise ValidationError(_("Factura nu are nicio linie."))
    clean_invoice_fields(invoice)
    invoice_refresh(invoice=invoice)
    if invoice.kind == Invoice.Kind.CREDIT_NOTE:
        original = Invoice.objects.select_for_update().get(pk=invoice.reverses_id)
        if invoice.total_gross >= 0:
            raise ValidationError(_("O factură storno are valori negative (cantități cu minus)."))
        if -invoice.total_gross > original.total_gross - original.credited:
            raise ValidationError(_("Factura storno depășește ce a rămas nestornat din %(invoice)s (%(left)s).") % {
                "invoice": original, "left": format_amount(original.total_gross - original.credited,
                                                           original.currency)})
    elif invoice.total_gross <= 0:
        raise ValidationError(_("Totalul unei facturi trebuie să fie pozitiv; pentru corecturi emiteți o storno."))
    if invoice.number is None:
        invoice.number = _next_number(invoice.series)
    invoice.issued_at = timezone.now()
    try:
        with transaction.atomic():
            invoice.save(update_fields=["number", "issued_at", "updated_at"])
    except IntegrityError as error:
        raise ValidationError(_("Numărul %(number)s există deja în seria %(series)s.") % {
            "number": invoice.number, "series": invoice.series}) from error
    invoice_refresh(invoice=invoice)
    if invoice.kind == Invoice.Kind.CREDIT_NOTE:
        original = invoice_refresh(invoice=original)
        if original.balance < 0:
            _release_excess(original)
    audit.record(action="invoice.issued", company=invoice.company, user=by, ip=ip, obj=invoice,
                 total=str(invoice.total_gross), currency=invoice.currency)
    enqueue(tasks.render_invoice_pdf, invoice.pk)
    enqueue(tasks.notify_invoice_issued, invoice.pk)
    return invoice


def invoice_pdf_name(invoice: Invoice) -> str:
    kind = _("Factura storno") if invoice.is_credit_note else _("Factura")
    return safe_filename(f"{kind} {invoice.series} {invoice.number}", "pdf")


def invoice_render_pdf(*, invoice_id: int, force: bool = False) -> StoredFile | None:
    """Render and keep the invoice's PDF (once; ``force`` replaces it). Safe to run twice.

    Rendering happens outside any lock; only storing it is serialised on the invoice row.
    """
    from billing.selectors import invoice_pdf_context
    from portal.pdf import render_pdf

    invoice = (Invoice.objects.select_related("company", "pdf", "reverses", "contract", "project")
               .filter(pk=invoice_id).first())
    if invoice is None or invoice.status == Invoice.Status.DRAFT:
        return None
    if invoice.pdf is not None and not force:
        return invoice.pdf
    with translation.override("ro"):  # a fiscal document: Romanian text and number formats
        content = render_pdf("pdf/billing_invoice.html", invoice_pdf_context(invoice))
    with transaction.atomic():
        current = Invoice.objects.select_for_update().filter(pk=invoice_id).values_list("pdf_id", flat=True).first()
        if current is not None and not force:
            return StoredFile.objects.get(pk=current)  # another run stored it meanwhile
        stored = store_generated(company=invoice.company, name=invoice_pdf_name(invoice), content=content,
                                 content_type="application/pdf")
        Invoice.objects.filter(pk=invoice_id).update(pdf=stored)
        if current is not None:
            transaction.on_commit(lambda: _delete_stored_file(current))
    return stored


def _delete_stored_file(stored_id: int) -> None:
    stored = StoredFile.objects.filter(pk=stored_id).first()
    if stored is not None:
        stored.file.delete(save=False)
        stored.delete()


# --- payments and allocations ---------------------------------------------------------------------


def _allocatable(invoice: Invoice, payment: Payment) -> str | None:
    """Why this invoice cannot take money from this payment, or None."""
    if invoice.company_id != payment.company_id:
        return _("Factura %(invoice)s aparține altei companii.") % {"invoice": invoice}
    if invoice.kind != Invoice.Kind.INVOICE or invoice.status in (Invoice.Status.DRAFT, Invoice.Status.CANCELLED):
        return _("Pe factura %(invoice)s nu se pot aloca plăți (ciornă, storno sau stornată).") % {"invoice": invoice}
    if invoice.currency != payment.currency:
        return _("Factura %(invoice)s este în %(currency)s, plata în %(payment)s.") % {
            "invoice": invoice, "currency": invoice.currency, "payment": payment.currency}
    return None


def validate_allocations(*, payment: Payment, rows: Iterable[tuple[Invoice, Decimal]]) -> None:
    """The allocations a payment would have after a change: each invoice payable, none paid over its
    total, the payment not spent over its amount."""
    rows = list(rows)
    errors = []
    seen = set()
    for invoice, amount in rows:
        problem = _allocatable(invoice, payment)
        if problem:
            errors.append(problem)
            continue
        if invoice.pk in seen:
            errors.append(_("Factura %(invoice)s apare de două ori.") % {"invoice": invoice})
        seen.add(invoice.pk)
        if amount <= 0:
            errors.append(_("Suma alocată pe %(invoice)s trebuie să fie pozitivă.") % {"invoice": invoice})
            continue
        others = cents(PaymentAllocation.objects.filter(invoice=invoice).exclude(payment_id=payment.pk)
                       .aggregate(total=Sum("amount"))["total"])
        payable = invoice.total_gross - invoice.credited - others
        if amount > payable:
            errors.append(_("Pe %(invoice)s se mai pot aloca cel mult %(left)s.") % {
                "invoice": invoice, "left": format_amount(max(payable, ZERO), invoice.currency)})
    total = sum((amount for _invoice, amount in rows), ZERO)
    if total > payment.amount:
        errors.append(_("Alocările (%(total)s) depășesc suma plății (%(amount)s).") % {
            "total": format_amount(total, payment.currency), "amount": format_amount(payment.amount, payment.currency)})
    if errors:
        raise ValidationError(errors)


def clean_payment_fields(payment: Payment) -> None:
    errors: dict[str, str] = {}
    if payment.amount is not None and payment.amount <= 0:
        errors["amount"] = _("Suma trebuie să fie pozitivă.")
    elif payment.pk and payment.amount is not None and payment.amount < payment.allocated:
        errors["amount"] = _("Plata are deja %(allocated)s alocați pe facturi: suma nu poate fi mai mică.") % {
            "allocated": format_amount(payment.allocated, payment.currency)}
    if payment.pk and payment.allocations.exclude(invoice__currency=payment.currency).exists():
        errors["currency"] = _("Plata are alocări pe facturi în altă monedă.")
    if payment.reference and Payment.objects.filter(company_id=payment.company_id, reference=payment.reference) \
            .exclude(pk=payment.pk).exists():
        errors["reference"] = _("Există deja o plată cu referința „%(reference)s” pentru această companie.") % {
            "reference": payment.reference}
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def payment_save(*, payment: Payment, by: User | None = None) -> Payment:
    """Create or change a payment's own fields (staff, admin); allocations go through the services below."""
    created = payment.pk is None
    if created:
        payment.created_by = by
    clean_payment_fields(payment)
    payment.save()
    audit.record(action="payment.created" if created else "payment.changed", company=payment.company, user=by,
                 obj=payment, amount=str(payment.amount), currency=payment.currency)
    return payment


@transaction.atomic
def payment_record(*, company: Company, paid_on: date, amount: Decimal, currency: str, method: str,
                   reference: str = "", notes: str = "", by: User | None = None,
                   invoices: Iterable[Invoice] = (), ip: str | None = None) -> Payment:
    """A payment received; allocated to ``invoices`` oldest first, the rest stays as the client's credit."""
    payment = Payment(company=company, date=paid_on, amount=cents(amount), currency=currency, method=method,
                      reference=reference.strip(), notes=notes)
    payment_save(payment=payment, by=by)
    invoices = list(invoices)
    if invoices:
        allocate_oldest_first(payment=payment, invoices=invoices, by=by)
    return payment


@transaction.atomic
def allocate_oldest_first(*, payment: Payment, invoices: Iterable[Invoice], by: User | None = None) -> Decimal:
    """Spread what is left of a payment over open invoices, the oldest due first; returns what was allocated."""
    payment = Payment.objects.select_for_update().get(pk=payment.pk)
    payment_refresh(payment=payment)
    remaining = payment.unallocated
    ids = [invoice.pk for invoice in invoices]
    # Locked in primary-key order (as every service locks several invoices), then read oldest due first.
    locked = list(Invoice.objects.select_for_update().filter(pk__in=ids, company=payment.company)
                  .order_by("pk").values_list("pk", flat=True))
    candidates = Invoice.objects.filter(pk__in=locked).order_by("due_date", "issue_date", "number", "pk")
    allocated = ZERO
    for invoice in candidates:
        if remaining <= 0:
            break
        if _allocatable(invoice, payment) or not invoice.is_open:
            continue
        amount = min(remaining, invoice.balance)
        allocation, created = PaymentAllocation.objects.get_or_create(
            payment=payment, invoice=invoice, defaults={"company": payment.company, "amount": amount})
        if not created:
            allocation.amount += amount
            allocation.save(update_fields=["amount"])
        invoice_refresh(invoice=invoice)
        remaining -= amount
        allocated += amount
    payment_refresh(payment=payment)
    if allocated:
        audit.record(action="payment.allocated", company=payment.company, user=by, obj=payment,
                     amount=str(allocated))
    return allocated


@transaction.atomic
def payment_set_allocations(*, payment: Payment, rows: Iterable[tuple[Invoice, Decimal]],
                            by: User | None = None) -> Payment:
    """Replace a payment's allocations (the admin's inline); invoices and payment are recomputed."""
    payment = Payment.objects.select_for_update().get(pk=payment.pk)
    rows = [(invoice, cents(amount)) for invoice, amount in rows]
    locked = {invoice.pk: invoice for invoice in
              Invoice.objects.select_for_update().filter(pk__in=[invoice.pk for invoice, _amount in rows])
              .order_by("pk")}
    rows = [(locked[invoice.pk], amount) for invoice, amount in rows]
    validate_allocations(payment=payment, rows=rows)
    before = set(payment.allocations.values_list("invoice_id", flat=True))
    wanted = {invoice.pk: amount for invoice, amount in rows}
    payment.allocations.exclude(invoice_id__in=wanted).delete()
    for invoice, amount in rows:
        PaymentAllocation.objects.update_or_create(payment=payment, invoice=invoice,
                                                   defaults={"company": payment.company, "amount": amount})
    for invoice in Invoice.objects.filter(pk__in=before | set(wanted)):
        invoice_refresh(invoice=invoice)
    payment_refresh(payment=payment)
    audit.record(action="payment.allocations_changed", company=payment.company, user=by, obj=payment,
                 allocations={str(locked[pk]): str(amount) for pk, amount in wanted.items()})
    return payment


@transaction.atomic
def payment_delete(*, payment: Payment, by: User | None = None) -> None:
    payment = Payment.objects.select_for_update().get(pk=payment.pk)
    invoice_ids = list(payment.allocations.values_list("invoice_id", flat=True))
    PaymentNotice.objects.filter(payment=payment).update(payment=None)
    audit.record(action="payment.deleted", company=payment.company, user=by, obj=payment,
                 amount=str(payment.amount), reference=payment.reference)
    payment.delete()
    for invoice in Invoice.objects.filter(pk__in=invoice_ids):
        invoice_refresh(invoice=invoice)


# --- payments announced by the client -------------------------------------------------------------


@retry_on_conflict
@transaction.atomic
def notice_create(*, company: Company, user: User, paid_on: date, amount: Decimal, currency: str, reference: str,
                  proof, invoices: Iterable[Invoice] = (), message: str = "", ip: str | None = None) -> PaymentNotice:
    """The client says they paid; the proof goes through files' upload checks. Staff are told."""
    invoices = list(invoices)
    errors: dict[str, str] = {}
    if amount is None or amount <= 0:
        errors["amount"] = _("Suma trebuie să fie pozitivă.")
    if paid_on > timezone.localdate():
        errors["paid_on"] = _("Data plății nu poate fi în viitor.")
    if any(invoice.company_id != company.pk or not invoice.is_open for invoice in invoices):
        errors["invoices"] = _("Alegeți doar facturi neachitate ale companiei dvs.")
    elif any(invoice.currency != currency for invoice in invoices):
        errors["invoices"] = _("Facturile alese trebuie să fie în moneda plății (%(currency)s).") % {
            "currency": currency}
    if PaymentNotice.objects.filter(company=company, reference=reference.strip(),
                                    status=PaymentNotice.Status.PENDING).exists():
        errors["reference"] = _("Ați anunțat deja o plată cu această referință; este în verificare.")
    if errors:
        raise ValidationError(errors)
    try:
        stored = store_upload(company=company, uploaded=proof, user=user)
    except ValidationError as error:
        raise ValidationError({"proof": error.messages}) from error
    notice = PaymentNotice.objects.create(company=company, announced_by=user, paid_on=paid_on, amount=cents(amount),
                                          currency=currency, reference=reference.strip(), message=message,
                                          proof=stored)
    PaymentNoticeInvoice.objects.bulk_create(
        [PaymentNoticeInvoice(company=company, notice=notice, invoice=invoice) for invoice in invoices])
    audit.record(action="payment_notice.created", company=company, user=user, ip=ip, obj=notice,
                 amount=str(notice.amount), currency=currency, invoices=[str(invoice) for invoice in invoices])
    enqueue(tasks.notify_payment_notice_staff, notice.pk)
    return notice


@transaction.atomic
def notice_confirm(*, notice: PaymentNotice, by: User, ip: str | None = None) -> Payment:
    """Staff found the money: record the payment, allocated to the invoices the client named (oldest
    first); what is left is the client's credit. A payment already imported with the same reference
    is linked instead of recorded twice."""
    notice = PaymentNotice.objects.select_for_update(of=("self",)).select_related("company").get(pk=notice.pk)
    if notice.status != PaymentNotice.Status.PENDING:
        raise ValidationError(_("Plata anunțată a fost deja verificată (%(status)s).") % {
            "status": notice.get_status_display()})
    invoices = list(Invoice.objects.filter(pk__in=notice.invoice_links.values("invoice_id")))
    payment = Payment.objects.filter(company=notice.company, reference=notice.reference).first()
    if payment is None:
        payment = payment_record(company=notice.company, paid_on=notice.paid_on, amount=notice.amount,
                                 currency=notice.currency, method=Payment.Method.TRANSFER,
                                 reference=notice.reference, notes=_("Anunțată de client în portal."), by=by,
                                 invoices=invoices, ip=ip)
    elif PaymentNotice.objects.filter(payment=payment).exists():
        raise ValidationError(_("Plata %(payment)s este deja legată de altă plată anunțată.") % {"payment": payment})
    notice.status, notice.decided_by, notice.decided_at = PaymentNotice.Status.CONFIRMED, by, timezone.now()
    notice.payment = payment
    notice.save(update_fields=["status", "decided_by", "decided_at", "payment"])
    audit.record(action="payment_notice.confirmed", company=notice.company, user=by, ip=ip, obj=notice,
                 payment=str(payment.public_id))
    enqueue(tasks.notify_payment_notice_decided, notice.pk)
    return payment


@transaction.atomic
def notice_reject(*, notice: PaymentNotice, by: User, reason: str, ip: str | None = None) -> PaymentNotice:
    notice = PaymentNotice.objects.select_for_update(of=("self",)).select_related("company").get(pk=notice.pk)
    if notice.status != PaymentNotice.Status.PENDING:
        raise ValidationError(_("Plata anunțată a fost deja verificată (%(status)s).") % {
            "status": notice.get_status_display()})
    reason = reason.strip()
    if not reason:
        raise ValidationError(_("Scrieți motivul respingerii: clientul îl primește pe email."))
    notice.status, notice.decided_by, notice.decided_at = PaymentNotice.Status.REJECTED, by, timezone.now()
    notice.rejection_reason = reason[:300]
    notice.save(update_fields=["status", "decided_by", "decided_at", "rejection_reason"])
    audit.record(action="payment_notice.rejected", company=notice.company, user=by, ip=ip, obj=notice,
                 reason=notice.rejection_reason)
    enqueue(tasks.notify_payment_notice_decided, notice.pk)
    return notice


# --- overdue reminders ----------------------------------------------------------------------------


@dataclass(frozen=True)
class DueReminder:
    invoice: Invoice
    stage: int
    passed: tuple[int, ...]  # earlier stages reached at the same time: recorded, not sent


def due_reminders(*, today: date | None = None) -> list[DueReminder]:
    """Open invoices that reached a reminder stage not yet sent (within the grace days)."""
    today = today or timezone.localdate()
    stages, grace = reminder_stages(), reminder_grace_days()
    if not stages:
        return []
    earliest_due = today - timedelta(days=max(stages) + grace)
    latest_due = today - timedelta(days=min(stages))
    invoices = (Invoice.objects.open().filter(due_date__gte=earliest_due, due_date__lte=latest_due)
                .select_related("company").prefetch_related(models.Prefetch("reminders", to_attr="sent_reminders"))
                .order_by("due_date", "id"))
    due = []
    for invoice in invoices:
        days = (today - invoice.due_date).days
        sent = {reminder.stage for reminder in invoice.sent_reminders}
        reached = [stage for stage in stages if stage <= days and stage not in sent]
        current = [stage for stage in reached if days - stage <= grace]
        if current:
            stage = max(current)
            due.append(DueReminder(invoice, stage, tuple(s for s in reached if s < stage)))
    return due


def send_invoice_reminders(*, today: date | None = None) -> int:
    """Record each due reminder stage once and enqueue its emails; returns how many were due."""
    count = 0
    for due in due_reminders(today=today):
        invoice = due.invoice
        try:
            with transaction.atomic():
                for stage in due.passed:
                    InvoiceReminder.objects.get_or_create(invoice=invoice, stage=stage,
                                                          defaults={"due_date": invoice.due_date})
                reminder = InvoiceReminder.objects.create(invoice=invoice, stage=due.stage, due_date=invoice.due_date)
                audit.record(action="invoice.reminder", company=invoice.company, obj=invoice, stage=due.stage)
                enqueue(tasks.send_invoice_reminder_emails, reminder.pk)
            count += 1
        except IntegrityError:
            continue  # another run recorded it first
    return count


# --- import from the ERP (billing/importer.py parses and checks the file, these write) ------------

LINE_FIELDS = ("product_code", "description", "unit", "quantity", "unit_price", "vat_rate")


def _line_key(line: dict) -> tuple:
    return (line["product_code"], line["description"], line["unit"], Decimal(line["quantity"]),
            cents(line["unit_price"]), int(line["vat_rate"]))


@transaction.atomic
def invoice_import(*, company: Company, fields: dict, lines: list[dict]) -> str:
    """Create or update an issued invoice keyed by series + number. Returns "created", "updated" or
    "unchanged" (nothing written). ``fields``: series, number, kind, reverses, issue_date, due_date,
    currency, contract, project, notes; ``lines``: dicts of LINE_FIELDS."""
    invoice = (Invoice.objects.select_for_update().filter(series=fields["series"], number=fields["number"])
               .first())
    if invoice is not None and invoice.company_id != company.pk:
        raise ValidationError(_("Factura %(invoice)s există deja pentru altă companie.") % {"invoice": invoice})
    if invoice is not None and invoice.status == Invoice.Status.DRAFT:
        raise ValidationError(_("Factura %(invoice)s este o ciornă în portal; emiteți-o sau ștergeți-o întâi.")
                              % {"invoice": invoice})
    new_lines = sorted(_line_key(line) for line in lines)
    if invoice is not None:
        current = {name: getattr(invoice, name) for name in fields}
        current_lines = sorted(_line_key({name: getattr(line, name) for name in LINE_FIELDS})
                               for line in invoice.lines.all())
        if current == fields and current_lines == new_lines:
            return "unchanged"
    created = invoice is None
    previous_original = None if created else invoice.reverses
    invoice = invoice or Invoice(company=company, issued_at=timezone.now())
    for name, value in fields.items():
        setattr(invoice, name, value)
    clean_invoice_fields(invoice)
    invoice.save()
    invoice.lines.all().delete()
    InvoiceLine.objects.bulk_create([
        InvoiceLine(company=company, invoice=invoice, position=position,
                    **{name: line[name] for name in LINE_FIELDS})
        for position, line in enumerate(lines, start=1)])
    invoice_refresh(invoice=invoice)
    if invoice.kind == Invoice.Kind.CREDIT_NOTE:
        if invoice.total_gross >= 0:
            raise ValidationError(_("O factură storno are valori negative (cantități cu minus)."))
        for original in {invoice.reverses, previous_original} - {None}:
            original = invoice_refresh(invoice=original)
            if original.credited > original.total_gross:
                raise ValidationError(_("Stornările depășesc valoarea facturii %(invoice)s.") % {"invoice": original})
            if original.balance < 0:
                _release_excess(original)
    elif invoice.total_gross <= 0:
        raise ValidationError(_("Totalul unei facturi trebuie să fie pozitiv; corecturile vin ca storno."))
    elif invoice.balance < 0:
        raise ValidationError(_("Factura are deja plăți de %(paid)s, mai mult decât noul total.") % {
            "paid": format_amount(invoice.amount_paid, invoice.currency)})
    audit.record(action="invoice.imported", company=company, obj=invoice, created=created,
                 total=str(invoice.total_gross))
    enqueue(tasks.render_invoice_pdf, invoice.pk, not created)
    if created:
        enqueue(tasks.notify_invoice_issued, invoice.pk)
    return "created" if created else "updated"


@transaction.atomic
def payment_import(*, company: Company, fields: dict, allocations: list[tuple[Invoice, Decimal]]) -> str:
    """Create or update a payment keyed by its reference; its allocations are replaced by the file's.
    ``fields``: reference, date, amount, currency, method, notes."""
    payment = Payment.objects.select_for_update().filter(company=company, reference=fields["reference"]).first()
    wanted = sorted((invoice.pk, cents(amount)) for invoice, amount in allocations)
    if payment is not None:
        current = {name: getattr(payment, name) for name in fields}
        current_allocations = sorted(payment.allocations.values_list("invoice_id", "amount"))
        if current == fields and current_allocations == wanted:
            return "unchanged"
    created = payment is None
    payment = payment or Payment(company=company)
    for name, value in fields.items():
        setattr(payment, name, value)
    if not created and payment.amount < sum((amount for _pk, amount in wanted), ZERO):
        raise ValidationError(_("Alocările depășesc suma plății."))
    payment.allocated = min(payment.allocated, payment.amount)
    clean_payment_fields(payment)
    payment.save()
    payment_set_allocations(payment=payment, rows=allocations)
    audit.record(action="payment.imported", company=company, obj=payment, created=created,
                 amount=str(payment.amount))
    return "created" if created else "updated"
