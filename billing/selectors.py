"""Reads for billing pages, PDFs and the statement of account; each a fixed number of queries."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.core.cache import cache
from django.db import connection
from django.db.models import (
    BigIntegerField,
    CharField,
    Count,
    DecimalField,
    F,
    IntegerField,
    Prefetch,
    Q,
    QuerySet,
    Sum,
    Value,
)
from django.db.models.functions import Cast, Coalesce, Round, TruncMonth
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.formats import number_format
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from accounts.models import Membership
from billing.conf import due_soon_days, supplier
from billing.models import (
    ZERO,
    Currency,
    Invoice,
    InvoiceLine,
    Payment,
    PaymentAllocation,
    PaymentNotice,
    PaymentNoticeInvoice,
)
from portal import search
from portal.badges import badge_class
from portal.money import cents, format_amount, format_money, vat_groups
from portal.rows import detail_url, short_date
from portal.summaries import Card, Summary, Urgent, first_of
from portal.vat import VatCategory

MONEY = DecimalField(max_digits=14, decimal_places=2)
SORTS = {
    "-issued": ("-issue_date", "-number", "-id"),
    "issued": ("issue_date", "number", "id"),
    "due": ("due_date", "issue_date", "id"),
    "-balance": ("-balance", "due_date", "id"),
}


# --- invoices -------------------------------------------------------------------------------------


def invoice_list(
    *,
    company,
    status: str = "",
    date_from: date | None = None,
    date_to: date | None = None,
    project: str = "",
    currency: str = "",
    sort: str = "-issued",
):
    # The credit notes' originals are prefetched for the page: joining them made PostgreSQL hash the whole
    # invoice table before sorting (10 ms on 20,000 invoices).
    invoices = (
        Invoice.objects.for_company(company)
        .visible()
        .select_related("project")
        .prefetch_related(Prefetch("reverses", queryset=Invoice.objects.for_company(company)))
    )
    if status:
        invoices = invoices.with_display_status(status)
    if date_from:
        invoices = invoices.filter(issue_date__gte=date_from)
    if date_to:
        invoices = invoices.filter(issue_date__lte=date_to)
    if project:
        invoices = invoices.filter(project__public_id=project)
    if currency:
        invoices = invoices.filter(currency=currency)
    return invoices.order_by(*SORTS.get(sort, SORTS["-issued"]))


def with_row_values(invoices, *, today: date | None = None) -> list[Invoice]:
    """The invoice list's rows with what each shows computed once, against one "today" (portal/rows.py)."""
    today = today or timezone.localdate()
    url = detail_url("billing:invoice_detail")
    soon = due_soon_days()
    invoices = list(invoices)
    for invoice in invoices:
        status = invoice.display_status(today)
        days_left = (invoice.due_date - today).days
        invoice.url = url(invoice.public_id)
        invoice.status_text = Invoice.DisplayStatus(status).label
        invoice.badge = badge_class("invoice", status)
        invoice.overdue_days = max(-days_left, 0) if status == Invoice.DisplayStatus.OVERDUE else 0
        invoice.is_due_soon = invoice.is_open and 0 <= days_left <= soon
        invoice.issue_date_text = short_date(invoice.issue_date)
        invoice.due_date_text = short_date(invoice.due_date)
        invoice.total_text = format_money(invoice.total_gross, invoice.currency)
        invoice.balance_text = format_money(invoice.balance, invoice.currency)
        invoice.original_label = invoice.reverses.label if invoice.reverses else ""
    return invoices


@dataclass
class CurrencyTotals:
    currency: str
    outstanding: Decimal = ZERO
    overdue: Decimal = ZERO
    open_count: int = 0
    overdue_count: int = 0
    credit: Decimal = ZERO


def account_totals(*, company, today: date | None = None) -> list[CurrencyTotals]:
    """Per currency: what is left to pay, how much of it is overdue, and the client's unallocated credit.

    One query whatever the number of invoices and payments: the invoices' sums and the payments' credit
    per currency, as one UNION ALL (the open invoices are read from their partial index alone).
    """
    today = today or timezone.localdate()
    zero, none = Value(ZERO, output_field=MONEY), Value(0)
    open_invoices = (
        Invoice.objects.for_company(company)
        .open()
        .values("currency")
        .annotate(
            outstanding=Sum("balance"),
            overdue=Sum("balance", filter=Q(due_date__lt=today)),
            open_count=Sum(Value(1)),
            overdue_count=Sum(Value(1), filter=Q(due_date__lt=today)),
            credit=zero,
        )
        .order_by()
    )
    credits = (
        _with_credit(company)
        .annotate(outstanding=zero, overdue=zero, open_count=none, overdue_count=none, credit=_CREDIT)
        .order_by()
    )
    totals: dict[str, CurrencyTotals] = {}
    for row in open_invoices.union(credits, all=True):
        total = totals.setdefault(row["currency"], CurrencyTotals(row["currency"]))
        total.outstanding += cents(row["outstanding"])
        total.overdue += cents(row["overdue"])
        total.open_count += row["open_count"] or 0
        total.overdue_count += row["overdue_count"] or 0
        total.credit += cents(row["credit"])
    order = list(Currency.values)
    return sorted(totals.values(), key=lambda t: order.index(t.currency) if t.currency in order else 99)


def credit_totals(*, company) -> list[CurrencyTotals]:
    """Per currency, the client's payments not yet allocated to invoices (the payments page): one query over
    the payments alone, where ``account_totals`` also adds up every open invoice."""
    credits = _with_credit(company).annotate(credit=_CREDIT).order_by("currency")
    return [CurrencyTotals(row["currency"], credit=cents(row["credit"])) for row in credits]


_CREDIT = Sum(F("amount") - F("allocated"), output_field=MONEY)


def _with_credit(company):
    """Per currency, the payments with a part not yet allocated to invoices."""
    return Payment.objects.for_company(company).filter(amount__gt=F("allocated")).values("currency")


def project_choices(*, company) -> list[tuple[str, str]]:
    """The company's projects that have invoices (for the list filter)."""
    rows = (
        Invoice.objects.for_company(company)
        .visible()
        .filter(project__isnull=False)
        .values_list("project__public_id", "project__code", "project__name")
        .order_by("project__code")
        .distinct()
    )
    return [(str(public_id), f"{code} — {name}") for public_id, code, name in rows]


def vat_breakdown(lines) -> list[dict]:
    """Base and VAT per VAT category and rate, the VAT rounded once per group (the invoice's total VAT is
    their sum)."""
    groups = vat_groups((line.vat_rate, line.net_amount, line.vat_category) for line in lines)
    labels = dict(VatCategory.choices)
    return [
        {
            "rate": group.rate,
            "category": group.category,
            "category_label": labels.get(group.category, group.category),
            "base": group.net,
            "vat": group.vat,
            "gross": group.gross,
        }
        for group in groups
    ]


def invoices_for_detail(*, company) -> QuerySet[Invoice]:
    """The company's invoices with what the detail page reads (the view picks one, or 404)."""
    return (
        Invoice.objects.for_company(company)
        .visible()
        .select_related("contract", "project", "offer", "reverses", "pdf")
        .prefetch_related(
            Prefetch("lines", queryset=InvoiceLine.objects.order_by("position", "id")),
            Prefetch(
                "allocations",
                queryset=PaymentAllocation.objects.select_related("payment").order_by("payment__date", "id"),
            ),
            Prefetch("credit_notes", queryset=Invoice.objects.visible().order_by("issue_date", "id")),
        )
    )


def pending_notices_for(*, company, invoice: Invoice) -> list[PaymentNotice]:
    """The payments announced for the invoice that staff have not checked yet, with who announced them (one
    query, however many)."""
    links = PaymentNoticeInvoice.objects.filter(invoice=invoice, notice__status=PaymentNotice.Status.PENDING)
    return list(
        PaymentNotice.objects.for_company(company)
        .filter(pk__in=links.values("notice_id"))
        .select_related("announced_by")
        .order_by("-created_at", "-id")
    )


def party(company) -> dict:
    """The client's fiscal data as its invoices print it and e-Factura codes it (frozen on an invoice at issue)."""
    address = ", ".join(part for part in (company.address, company.city, company.county) if part)
    return {
        "name": company.name,
        "cui": company.cui,
        "reg_com": company.reg_com,
        "street": company.address,
        "city": company.city,
        "county": company.county,
        "address": address,
        "iban": company.iban,
    }


def legal_mentions(invoice: Invoice, lines) -> list[str]:
    """What Codul fiscal art. 319 asks the invoice to say, where it applies (the page and the PDF)."""
    mentions = []
    if (invoice.supplier_data or supplier()).get("vat_on_receipt"):
        mentions.append(_("TVA la încasare"))
    if any(line.vat_category == VatCategory.REVERSE_CHARGE for line in lines):
        mentions.append(_("Taxare inversă"))
    if invoice.currency != Currency.RON and invoice.exchange_rate:
        mentions.append(
            _("Curs de schimb: 1 %(currency)s = %(rate)s lei; TVA în lei: %(vat)s")
            % {
                "currency": invoice.currency,
                "rate": number_format(invoice.exchange_rate, 4),
                "vat": format_money(invoice.vat_in_lei, Currency.RON),
            }
        )
    return mentions


def invoice_pdf_context(invoice: Invoice) -> dict:
    """Everything the invoice PDF prints; its totals are the invoice's stored totals, its parties as they
    were on the day of issue."""
    lines = list(invoice.lines.order_by("position", "id"))
    return {
        "invoice": invoice,
        "lines": lines,
        "vat_rows": vat_breakdown(lines),
        "mentions": legal_mentions(invoice, lines),
        "supplier": invoice.supplier_data or supplier(),
        "client": invoice.buyer_data or party(invoice.company),
        "total_net": invoice.total_net,
        "total_vat": invoice.total_vat,
        "total_gross": invoice.total_gross,
        "LANGUAGE_CODE": "ro",
    }


# --- payments -------------------------------------------------------------------------------------


def payment_list(*, company):
    allocations = PaymentAllocation.objects.select_related("invoice").order_by("invoice__due_date", "id")
    return (
        Payment.objects.for_company(company)
        .prefetch_related(Prefetch("allocations", queryset=allocations))
        .order_by("-date", "-id")
    )


def payment_rows(payments) -> list[Payment]:
    """The payment list's rows with what each shows computed once: the invoices it paid (links and
    amounts), the amounts and the date (portal/rows.py)."""
    url = detail_url("billing:invoice_detail")
    methods = dict(Payment.Method.choices)
    payments = list(payments)
    for payment in payments:
        payment.date_text = short_date(payment.date)
        payment.method_label = capfirst(str(methods.get(payment.method, payment.method)))
        payment.amount_text = format_money(payment.amount, payment.currency)
        payment.unallocated_text = format_money(payment.unallocated, payment.currency) if payment.unallocated else ""
        payment.paid_invoices = [
            (url(allocation.invoice.public_id), allocation.invoice.label, format_amount(allocation.amount))
            for allocation in payment.allocations.all()
        ]
    return payments


def recent_notices(*, company, limit: int = 10) -> list[PaymentNotice]:
    """The client's last payment notices with what the payments page shows of each computed once: status,
    amount, date, the invoices it names and why it was rejected (portal/rows.py)."""
    links = PaymentNoticeInvoice.objects.select_related("invoice").order_by("invoice__due_date")
    notices = list(
        PaymentNotice.objects.for_company(company)
        .select_related("payment", "announced_by")
        .prefetch_related(Prefetch("invoice_links", queryset=links))
        .order_by("-created_at", "-id")[:limit]
    )
    url = detail_url("billing:notice_detail")
    for notice in notices:
        _with_status(notice)
        notice.url = url(notice.public_id)
        notice.amount_text = format_money(notice.amount, notice.currency)
        notice.paid_text = short_date(notice.paid_on)
        notice.invoices_text = ", ".join(link.invoice.label for link in notice.invoice_links.all())
        notice.rejected_because = notice.rejection_reason if notice.status == PaymentNotice.Status.REJECTED else ""
    return notices


# Closed because another notice's payment settled its invoices: not refused, so not shown in red.
SETTLED_BADGE = "text-bg-secondary"


def _with_status(notice: PaymentNotice) -> PaymentNotice:
    if notice.is_settled_elsewhere:
        notice.status_text, notice.badge = _("închisă"), SETTLED_BADGE
    else:
        notice.status_text = notice.get_status_display()
        notice.badge = badge_class("payment_notice", notice.status)
    return notice


def notices_for_detail(*, company) -> QuerySet[PaymentNotice]:
    """The company's payment notices with what their page shows (the view picks one, or 404)."""
    links = PaymentNoticeInvoice.objects.select_related("invoice").order_by("invoice__due_date", "invoice_id")
    return (
        PaymentNotice.objects.for_company(company)
        .select_related("announced_by", "proof", "payment", "settled_by")
        .prefetch_related(Prefetch("invoice_links", queryset=links))
    )


def notice_page(notice: PaymentNotice) -> PaymentNotice:
    """One notice with its status shown as on the payments page."""
    return _with_status(notice)


# --- exports (billing/exports.py writes them) ------------------------------------------------------


def invoice_export_rows(invoices, *, limit: int) -> list[tuple]:
    """The filtered invoice list (``invoice_list``) as plain rows, at most ``limit`` + 1 (one query)."""
    return list(
        invoices.select_related(None)
        .prefetch_related(None)
        .values_list(
            "series",
            "number",
            "kind",
            "issue_date",
            "due_date",
            "reverses__series",
            "reverses__number",
            "project__code",
            "currency",
            "total_net",
            "total_vat",
            "total_gross",
            "amount_paid",
            "balance",
            "status",
        )[: limit + 1]
    )


def payment_export_rows(*, company, payments, limit: int) -> tuple[list[tuple], dict[int, list[tuple[str, Decimal]]]]:
    """The payment list as plain rows (at most ``limit`` + 1) and, per payment, the invoices it paid with the
    amounts: two queries, however many payments."""
    rows = list(
        payments.prefetch_related(None).values_list(
            "pk", "date", "reference", "method", "amount", "currency", "allocated", "notes"
        )[: limit + 1]
    )
    allocations: dict[int, list[tuple[str, Decimal]]] = {}
    if rows and len(rows) <= limit:
        paid = (
            PaymentAllocation.objects.for_company(company)
            .filter(payment_id__in=[row[0] for row in rows])
            .order_by("invoice__due_date", "id")
            .values_list("payment_id", "invoice__series", "invoice__number", "amount")
        )
        for payment_id, series, number, amount in paid:
            allocations.setdefault(payment_id, []).append((Invoice.format_label(series, number), amount))
    return rows, allocations


def open_invoices(*, company):
    """Invoices a payment can be announced for, oldest due first."""
    return Invoice.objects.for_company(company).open().order_by("due_date", "issue_date", "number")


# --- statement of account ("fișă client") --------------------------------------------------------

AGEING_BUCKETS = (
    ("current", gettext_lazy("curent (nescadent)"), None, 0),
    ("d1_30", gettext_lazy("1–30 de zile"), 1, 30),
    ("d31_60", gettext_lazy("31–60 de zile"), 31, 60),
    ("d61_90", gettext_lazy("61–90 de zile"), 61, 90),
    ("d90", gettext_lazy("peste 90 de zile"), 91, None),
)


@dataclass
class Movement:
    date: date
    kind: str  # "invoice", "credit_note" or "payment"
    document: str
    detail: str
    due_date: date | None
    debit: Decimal
    credit: Decimal
    balance: Decimal = ZERO
    url: str = ""
    pk: int | None = None


@dataclass
class Statement:
    company: object
    currency: str
    date_from: date
    date_to: date
    opening: Decimal
    movements: list[Movement] = field(default_factory=list)
    total_debit: Decimal = ZERO
    total_credit: Decimal = ZERO
    closing: Decimal = ZERO
    ageing: list[tuple[str, str, Decimal]] = field(default_factory=list)
    ageing_total: Decimal = ZERO
    unallocated: Decimal = ZERO
    movement_count: int = 0

    @property
    def reconciles(self) -> bool:
        return self.opening + self.total_debit - self.total_credit == self.closing


def _bucket(due_date: date, as_of: date) -> str:
    days = (as_of - due_date).days
    return next(
        key
        for key, _label, low, high in AGEING_BUCKETS
        if (low is None or days >= low) and (high is None or days <= high)
    )


def _ageing(invoices, as_of: date) -> tuple[list[tuple[str, str, Decimal]], Decimal]:
    """What each invoice issued by ``as_of`` still owed on that day, by days past its due date.

    An invoice stores what it owes today (``balance``); on ``as_of`` it owed that plus what the credit
    notes and payments dated after ``as_of`` took off it. Those are few (none for a statement up to
    today), so: the buckets' sums over the open invoices nobody touched since (read from the open-invoice
    index), plus the few touched ones computed one by one. Four short queries, where one query with two
    correlated subqueries per invoice took 55 ms over a large client's 20,000 invoices.
    """
    issued = invoices.filter(kind=Invoice.Kind.INVOICE, issue_date__lte=as_of)
    since: dict[int, Decimal] = {}
    credited_after = (
        invoices.filter(kind=Invoice.Kind.CREDIT_NOTE, issue_date__gt=as_of, reverses__issue_date__lte=as_of)
        .values("reverses")
        .annotate(total=Sum("total_gross"))
        .order_by()
    )
    for row in credited_after:  # a credit note's total is negative: the invoice owed that much more
        since[row["reverses"]] = since.get(row["reverses"], ZERO) - row["total"]
    paid_after = (
        PaymentAllocation.objects.filter(invoice__in=issued, payment__date__gt=as_of)
        .values("invoice")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    for row in paid_after:
        since[row["invoice"]] = since.get(row["invoice"], ZERO) + row["total"]
    filters = {}
    for key, _label, low, high in AGEING_BUCKETS:
        condition = Q()
        if low is not None:
            condition &= Q(due_date__lte=as_of - timedelta(days=low))
        if high is not None:
            condition &= Q(due_date__gte=as_of - timedelta(days=high))
        filters[key] = Sum("balance", filter=condition)
    sums = issued.open().filter(balance__gt=0).exclude(pk__in=list(since)).aggregate(**filters)
    totals = {key: cents(sums[key]) for key, _label, _low, _high in AGEING_BUCKETS}
    for pk, due_date, balance in issued.filter(pk__in=list(since)).values_list("pk", "due_date", "balance"):
        owed = balance + since[pk]
        if owed > 0:
            totals[_bucket(due_date, as_of)] += owed
    rows = [(key, str(label), totals[key]) for key, label, _low, _high in AGEING_BUCKETS]
    return rows, sum((amount for _key, _label, amount in rows), ZERO)


def statement(*, company, date_from: date, date_to: date, currency: str = Currency.RON) -> Statement:
    """Opening balance, movements and closing balance for a period, and the ageing at its end.

    Invoices are debits on their issue date (a credit note is a negative debit), payments credits on
    their date: opening + debits − credits = closing. The ageing buckets add up to what the invoices
    still owed at the end of the period; less the payments not yet allocated, that is the closing balance.
    Nine queries whatever the number of documents.
    """
    invoices = Invoice.objects.for_company(company).visible().filter(currency=currency)
    payments = Payment.objects.for_company(company).filter(currency=currency)
    opening = _opening_balance(invoices, payments, date_from)
    result = Statement(company=company, currency=currency, date_from=date_from, date_to=date_to, opening=opening)
    movements = _document_movements(invoices, date_from, date_to) + _payment_movements(payments, date_from, date_to)
    # Same day: documents before payments, so the running balance reads like the ERP's.
    movements.sort(key=lambda m: (m.date, m.kind == "payment"))
    running = result.opening
    for movement in movements:
        running += movement.debit - movement.credit
        movement.balance = running
    result.movements = movements
    result.total_debit = sum((m.debit for m in movements), ZERO)
    result.total_credit = sum((m.credit for m in movements), ZERO)
    result.closing = result.opening + result.total_debit - result.total_credit
    result.ageing, result.ageing_total = _ageing(invoices, date_to)
    result.unallocated = result.ageing_total - result.closing
    return result


def _opening_balance(invoices, payments, date_from: date) -> Decimal:
    """What was invoiced before the period less what was paid before it."""
    invoiced_before = cents(invoices.filter(issue_date__lt=date_from).aggregate(total=Sum("total_gross"))["total"])
    paid_before = cents(payments.filter(date__lt=date_from).aggregate(total=Sum("amount"))["total"])
    return invoiced_before - paid_before


def _document_movements(invoices, date_from: date, date_to: date) -> list[Movement]:
    """The invoices and credit notes issued in the period, as debits linking to their pages."""
    return _documents_as_movements(
        invoices.filter(issue_date__gte=date_from, issue_date__lte=date_to).order_by("issue_date", "series", "number")
    )


def _documents_as_movements(documents) -> list[Movement]:
    # Tuples rather than model instances: a year of a large client is thousands of movements.
    url = detail_url("billing:invoice_detail")
    movements = []
    rows = documents.values_list(
        "pk",
        "issue_date",
        "kind",
        "series",
        "number",
        "due_date",
        "total_gross",
        "public_id",
        "reverses__series",
        "reverses__number",
    )
    for pk, issued, kind, series, number, due_date, gross, public_id, original_series, original_number in rows:
        label = Invoice.format_label(series, number)
        if kind == Invoice.Kind.CREDIT_NOTE:
            detail = (
                _("Storno la %(invoice)s") % {"invoice": Invoice.format_label(original_series, original_number)}
                if original_series is not None
                else ""
            )
            movement = Movement(
                issued, "credit_note", _("Factură storno %(invoice)s") % {"invoice": label}, detail, None, gross, ZERO
            )
        else:
            movement = Movement(
                issued, "invoice", _("Factură %(invoice)s") % {"invoice": label}, "", due_date, gross, ZERO
            )
        movement.url, movement.pk = url(public_id), pk
        movements.append(movement)
    return movements


def _payment_movements(payments, date_from: date, date_to: date) -> list[Movement]:
    """The payments received in the period, as credits with their method and reference."""
    return _payments_as_movements(payments.filter(date__gte=date_from, date__lte=date_to).order_by("date", "id"))


def _payments_as_movements(payments) -> list[Movement]:
    methods = dict(Payment.Method.choices)
    return [
        Movement(
            paid_on,
            "payment",
            _("Plată %(method)s") % {"method": methods.get(method, method)},
            reference,
            None,
            ZERO,
            paid,
            pk=pk,
        )
        for pk, paid_on, method, reference, paid in payments.values_list("pk", "date", "method", "reference", "amount")
    ]


# The statement page: totals by aggregates and one page of movements whose running balance the database
# computes (a window over the period's documents and payments), so a page costs the same for a week or for
# a large client's year. The PDF and the CSV, built by a task, read the whole period with statement() above.


def statement_summary(*, company, date_from: date, date_to: date, currency: str = Currency.RON) -> Statement:
    """What statement() says of the period without its movements: opening, totals, closing, ageing, and the
    number of movements (``movement_count``). Six queries whatever the number of documents."""
    invoices = Invoice.objects.for_company(company).visible().filter(currency=currency)
    payments = Payment.objects.for_company(company).filter(currency=currency)
    period = (date_from, date_to)
    invoiced = invoices.aggregate(
        before=Sum("total_gross", filter=Q(issue_date__lt=date_from)),
        debit=Sum("total_gross", filter=Q(issue_date__range=period)),
        count=Count("pk", filter=Q(issue_date__range=period)),
    )
    paid = payments.aggregate(
        before=Sum("amount", filter=Q(date__lt=date_from)),
        credit=Sum("amount", filter=Q(date__range=period)),
        count=Count("pk", filter=Q(date__range=period)),
    )
    result = Statement(
        company=company,
        currency=currency,
        date_from=date_from,
        date_to=date_to,
        opening=cents(invoiced["before"]) - cents(paid["before"]),
        total_debit=cents(invoiced["debit"]),
        total_credit=cents(paid["credit"]),
        movement_count=invoiced["count"] + paid["count"],
    )
    result.closing = result.opening + result.total_debit - result.total_credit
    result.ageing, result.ageing_total = _ageing(invoices, date_to)
    result.unallocated = result.ageing_total - result.closing
    return result


def statement_movement_count(*, company, date_from: date, date_to: date, currency: str = Currency.RON) -> int:
    """How many rows the period's statement has (documents and payments): two counts."""
    period = (date_from, date_to)
    documents = Invoice.objects.for_company(company).visible().filter(currency=currency, issue_date__range=period)
    payments = Payment.objects.for_company(company).filter(currency=currency, date__range=period)
    return documents.count() + payments.count()


# The statement page reads what changes only with the company's invoices and payments (which move
# Company.data_stamp in the same transaction, dashboard/stamps.py): its summary and each page of movements
# are cached under that stamp, so paging, returning and exporting do not sum ten years again.
STATEMENT_CACHE_SECONDS = 3600


def statement_cache_key(*, company, date_from: date, date_to: date, currency: str = Currency.RON) -> str:
    language = translation.get_language()
    return f"billing:statement:{company.pk}:{company.data_stamp}:{currency}:{date_from}:{date_to}:{language}"


def cached_statement(
    *, company, date_from: date, date_to: date, currency: str = Currency.RON
) -> tuple[Statement, StatementMovements]:
    """The period's summary and its movements to page, both cached under one key that holds the company's
    stamp (any change to its invoices or payments makes a new key)."""
    period = {"company": company, "date_from": date_from, "date_to": date_to, "currency": currency}
    key = statement_cache_key(**period)
    summary = cache.get_or_set(f"{key}:summary", lambda: statement_summary(**period), STATEMENT_CACHE_SECONDS)
    return summary, StatementMovements(summary, cache_key=key)


class StatementMovements:
    """The period's movements as a sequence a Paginator pages: a slice runs statement_movements(), or is read
    from the cache under ``cache_key``."""

    def __init__(self, summary: Statement, *, cache_key: str = ""):
        self.summary = summary
        self.cache_key = cache_key

    def count(self) -> int:
        return self.summary.movement_count

    def __len__(self) -> int:
        return self.summary.movement_count

    def __getitem__(self, index: slice) -> list[Movement]:
        start, stop = index.start or 0, index.stop if index.stop is not None else self.summary.movement_count

        def movements():
            return statement_movements(self.summary, offset=start, limit=max(stop - start, 0))

        if not self.cache_key:
            return movements()
        return cache.get_or_set(f"{self.cache_key}:{start}:{stop}", movements, STATEMENT_CACHE_SECONDS)


# Same day: documents before payments (like the ERP), documents by series and number, payments as recorded.
_MOVEMENT_ORDER = "row_date, row_group, row_series, row_number, row_id"


def _movement_rows_sql(summary: Statement) -> tuple[str, list]:
    """The period's documents (debits) and payments (credits) as one union, each row with its amount in cents:
    integer sums stay exact on SQLite, which keeps decimals as floating point."""
    company, currency, period = summary.company, summary.currency, (summary.date_from, summary.date_to)
    documents = (
        Invoice.objects.for_company(company)
        .visible()
        .filter(currency=currency, issue_date__range=period)
        .annotate(
            row_date=F("issue_date"),
            row_group=Value(0, output_field=IntegerField()),
            row_series=F("series"),
            row_number=F("number"),
            row_id=F("pk"),
            row_cents=Cast(Round(F("total_gross") * 100), BigIntegerField()),
        )
    )
    payments = (
        Payment.objects.for_company(company)
        .filter(currency=currency, date__range=period)
        .annotate(
            row_date=F("date"),
            row_group=Value(1, output_field=IntegerField()),
            row_series=Value("", output_field=CharField()),
            row_number=Value(0, output_field=IntegerField()),
            row_id=F("pk"),
            row_cents=Cast(Round(F("amount") * -100), BigIntegerField()),
        )
    )
    columns = ("row_date", "row_group", "row_series", "row_number", "row_id", "row_cents")
    union = documents.values_list(*columns).order_by().union(payments.values_list(*columns).order_by(), all=True)
    return union.query.sql_with_params()


def statement_movements(summary: Statement, *, offset: int, limit: int) -> list[Movement]:
    """``limit`` movements of the period from ``offset``, with the running balance from the database. Three
    queries: the window over the period (one page of ids and balances back), then that page's documents and
    payments. The SQL is built by the ORM from the company-scoped querysets above; only the window and the
    paging around it are written here (Django has no window over a union)."""
    union_sql, params = _movement_rows_sql(summary)
    # Only constants and the ORM's own SQL are formatted in; every value is a parameter.
    sql = (
        f"SELECT row_group, row_id, running FROM ("  # noqa: S608
        f"SELECT {_MOVEMENT_ORDER}, SUM(row_cents) OVER ("
        f"ORDER BY {_MOVEMENT_ORDER} ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS running "
        f"FROM ({union_sql}) AS movements"
        f") AS ranked ORDER BY {_MOVEMENT_ORDER} LIMIT %s OFFSET %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, limit, offset])
        page = cursor.fetchall()
    invoice_ids = [row_id for group, row_id, _running in page if group == 0]
    payment_ids = [row_id for group, row_id, _running in page if group == 1]
    found = {}
    if invoice_ids:
        invoices = Invoice.objects.for_company(summary.company).filter(pk__in=invoice_ids)
        found.update({(0, m.pk): m for m in _documents_as_movements(invoices)})
    if payment_ids:
        payments = Payment.objects.for_company(summary.company).filter(pk__in=payment_ids)
        found.update({(1, m.pk): m for m in _payments_as_movements(payments)})
    movements = []
    for group, row_id, running in page:
        movement = found[(group, row_id)]
        movement.balance = summary.opening + Decimal(int(running)).scaleb(-2)
        movements.append(movement)
    return movements


def movement_rows(movements: list[Movement]) -> list[Movement]:
    """A page of the statement with its dates and amounts formatted once (portal/rows.py)."""
    for movement in movements:
        movement.date_text, movement.due_text = short_date(movement.date), short_date(movement.due_date)
        movement.debit_text, movement.credit_text = format_amount(movement.debit), format_amount(movement.credit)
        movement.balance_text = format_amount(movement.balance)
    return movements


def statement_pdf_context(result: Statement) -> dict:
    return {
        "statement": result,
        "supplier": supplier(),
        "client": party(result.company),
        "generated_on": timezone.localdate(),
        "LANGUAGE_CODE": "ro",
    }


def billing_recipients(*, company) -> QuerySet[Membership]:
    """Who hears about the company's invoices: active members holding the billing right."""
    return (
        Membership.objects.active()
        .filter(company=company)
        .with_right("billing")
        .select_related("user")
        .order_by("user__email")
    )


# --- the dashboard ----------------------------------------------------------------------------------------


def dashboard_summary(company, membership, *, today: date | None = None) -> Summary:
    """For a member with the billing right only: what is left to pay and overdue per currency, the oldest
    overdue invoice, invoiced and paid per month (the chart), and the billing activity."""
    if not membership.has_right("billing"):
        return Summary()
    today = today or timezone.localdate()
    return Summary(
        figures=first_of(
            Invoice.objects.for_company(company).overdue(today),
            ("due_date", "id"),
            series="series",
            number="number",
            date="due_date",
            id="public_id",
        ),
        card=lambda figures: _dashboard_card(company, figures, today),
        feed={
            "invoice.issued": gettext_lazy("a emis factura"),
            "payment_notice.created": gettext_lazy("a anunțat o plată"),
            "payment_notice.confirmed": gettext_lazy("a confirmat plata"),
        },
    )


def _dashboard_card(company, figures: dict, today: date) -> Card:
    totals = account_totals(company=company)
    overdue_count = sum(t.overdue_count for t in totals)
    amounts = []
    for t in totals:
        amounts.append((_("De plată"), format_money(t.outstanding, t.currency)))
        if t.overdue:
            amounts.append((_("Restant"), format_money(t.overdue, t.currency)))
    return Card(
        "billing",
        _("Facturi"),
        "receipt",
        reverse("billing:invoice_list") + "?status=restanta",
        overdue_count,
        ngettext("factură restantă", "facturi restante", overdue_count),
        _("Nu aveți facturi restante."),
        tone="danger" if overdue_count else "success",
        urgent=Urgent(
            _("%(invoice)s, scadentă pe %(date)s")
            % {"invoice": f"{figures['series']} {figures['number']}", "date": short_date(figures["date"])},
            reverse("billing:invoice_detail", args=[figures["id"]]),
        )
        if figures["id"]
        else None,
        figures=amounts,
        chart=_invoiced_and_paid_chart(company, today),
    )


_MONTHS = [
    gettext_lazy("ian"),
    gettext_lazy("feb"),
    gettext_lazy("mar"),
    gettext_lazy("apr"),
    gettext_lazy("mai"),
    gettext_lazy("iun"),
    gettext_lazy("iul"),
    gettext_lazy("aug"),
    gettext_lazy("sep"),
    gettext_lazy("oct"),
    gettext_lazy("nov"),
    gettext_lazy("dec"),
]


def _invoiced_and_paid_chart(company, today: date) -> dict | None:
    """Invoiced vs paid per month over the last 12 months up to the current one, months without either
    included, as a plotly figure dict (one query)."""
    months = _twelve_months(today)
    invoiced, paid = _monthly_totals(company, months[0])
    if not invoiced and not paid:
        return None
    currency = _chart_currency(invoiced)
    labels = [f"{_MONTHS[m.month - 1]} {m.strftime('%y')}" for m in months]
    return _chart_figure(
        labels,
        _month_series(invoiced, currency, months),
        _month_series(paid, currency, months),
        currency=currency,
    )


def _monthly_totals(company, start: date) -> tuple[list[dict], list[dict]]:
    """Invoiced and paid per month and currency since ``start``: the two series' rows, from one UNION ALL."""
    invoiced = (
        Invoice.objects.for_company(company)
        .visible()
        .filter(issue_date__gte=start)
        .annotate(month=TruncMonth("issue_date"), chart_series=Value("invoiced"))
        .values("chart_series", "month", "currency")
        .annotate(total=Sum("total_gross"))
        .order_by()
    )
    paid = (
        Payment.objects.for_company(company)
        .filter(date__gte=start)
        .annotate(month=TruncMonth("date"), chart_series=Value("paid"))
        .values("chart_series", "month", "currency")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    rows = list(invoiced.union(paid, all=True))
    return (
        [row for row in rows if row["chart_series"] == "invoiced"],
        [row for row in rows if row["chart_series"] == "paid"],
    )


def _chart_currency(invoiced: list[dict]) -> str:
    """The currency invoiced in the most months (RON when nothing was invoiced): the chart shows that one."""
    counts = {}
    for row in invoiced:
        counts[row["currency"]] = counts.get(row["currency"], 0) + 1
    return max(counts, key=counts.get) if counts else "RON"


def _twelve_months(today: date) -> list[date]:
    """The first day of the 11 months before ``today``'s and of its own, oldest first."""
    current = today.year * 12 + today.month - 1
    return [date(index // 12, index % 12 + 1, 1) for index in range(current - 11, current + 1)]


def _month_series(rows: list[dict], currency: str, months: list[date]) -> list[float]:
    """One bar per month: the rows' total in ``currency``, 0 for a month without any."""
    by_month = {
        (r["month"].date() if hasattr(r["month"], "date") else r["month"]): float(r["total"] or 0)
        for r in rows
        if r["currency"] == currency
    }
    return [round(by_month.get(m, 0.0), 2) for m in months]


def _chart_figure(labels: list[str], invoiced: list[float], paid: list[float], *, currency: str) -> dict:
    """The plotly figure: invoiced and paid bars side by side per month, and the same numbers as a table.
    Touching or hovering a month shows both amounts, written as everywhere else in the portal (the hover
    text is ours: plotly's number format knows no "lei"). ``compact`` is what dashboard.js changes at phone
    width: slanted month labels, the margins grown to hold them."""
    unit = "lei" if currency == "RON" else currency

    def bars(name: str, values: list[float], colour: str) -> dict:
        return {
            "type": "bar",
            "name": name,
            "x": labels,
            "y": values,
            "marker": {"color": colour},
            "customdata": [format_money(value, currency) for value in values],
            "hovertemplate": "%{fullData.name}: %{customdata}<extra></extra>",
        }

    return {
        "data": [bars(str(_("Facturat")), invoiced, "#0b5ed7"), bars(str(_("Plătit")), paid, "#198754")],
        "layout": {
            "barmode": "group",
            "height": 300,
            "margin": {"l": 8, "r": 8, "t": 10, "b": 8},
            "hovermode": "x unified",
            "legend": {"orientation": "h", "x": 0, "y": -0.15, "yanchor": "top"},
            "separators": formats.get_format("DECIMAL_SEPARATOR") + formats.get_format("THOUSAND_SEPARATOR"),
            "yaxis": {"tickformat": ",.0f", "fixedrange": True, "automargin": True},
            "xaxis": {"fixedrange": True, "automargin": True, "tickangle": 0},
            "font": {"family": "system-ui, sans-serif", "size": 12},
        },
        "compact": {"xaxis.tickangle": -60, "legend.y": -0.3},
        "table": list(zip(labels, invoiced, paid, strict=True)),
        "currency": unit,
    }


# --- the ERP's pull list (billing/api.py) -------------------------------------------------------------------


def notices_for_erp() -> QuerySet[PaymentNotice]:
    """Every company's payment notices with their proof, who announced them and the invoices they name, in two
    queries for any page. A notice keeps no ``updated_at``: ``pull_at`` is when staff decided on it, else
    when it was announced (the two times it changes)."""
    links = PaymentNoticeInvoice.objects.select_related("invoice").order_by("invoice__issue_date", "invoice_id")
    return (
        PaymentNotice.objects.select_related("company", "announced_by", "proof")
        .prefetch_related(Prefetch("invoice_links", queryset=links))
        .annotate(pull_at=Coalesce("decided_at", "created_at"))
    )


# --- the global search ------------------------------------------------------------------------------------


def invoice_number_matches(query: str) -> Q:
    """Invoices numbered as typed: "FCT 1024", "fct-1024", "FCT1024" or "1024". Letters and digits are read
    apart; a number is the whole number (an index-friendly equality, not a text search over every invoice of
    the company) or part of the series; letters are part of the series."""
    conditions = Q()
    for word in search.words(query):
        for part in re.findall(r"\d+|[^\W\d_]+", word):
            number = Q(number=int(part)) if part.isdigit() and len(part) < 10 else Q(pk__in=[])
            series = Q(series__unaccent_icontains=part)
            conditions &= (number | series) if part.isdigit() else series
    return conditions


def search_groups(company, membership, query: str, limit: int) -> list[search.Group]:
    """The invoices whose number ("FCT 1024", "1024") matches ``query``; none without the billing right,
    exactly as /facturi/ answers 403."""
    if not membership.has_right("billing"):
        return []
    invoices = (
        Invoice.objects.for_company(company)
        .visible()
        .filter(invoice_number_matches(query))
        .order_by("-issue_date", "-id")
    )
    url = detail_url("billing:invoice_detail")
    return [
        search.group(
            "invoices",
            _("Facturi"),
            "receipt",
            invoices,
            limit=limit,
            hit=lambda invoice: search.Hit(
                invoice.label,
                f"{short_date(invoice.issue_date)} · {format_money(invoice.total_gross, invoice.currency)}"
                f" · {invoice.display_status_label}",
                url(invoice.public_id),
            ),
        )
    ]
