"""Invoices (with lines and credit notes), payments and their allocations, client payment notices.

An invoice's totals, amount paid, balance and settlement status are stored, and kept by
``services.invoice_refresh`` whenever its lines, allocations or credit notes change, so lists
filter and add up in SQL. "Restantă" (overdue) follows from the due date: see
``InvoiceQuerySet.with_display_status`` and ``Invoice.display_status``.
"""

import uuid
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from billing.conf import due_soon_days
from portal.money import ZERO, Currency, VatRate, cents, format_money
from portal.tenancy import CompanyFromParent, CompanyScopedQuerySet
from portal.vat import RATE_CHOICES, VatCategory

# A list filter, not a status: every invoice with something left to pay, overdue or not.
OPEN_FILTER = "neachitate"


class InvoiceQuerySet(CompanyScopedQuerySet):
    def visible(self):
        """What clients see: issued invoices and credit notes (drafts stay with the supplier)."""
        return self.exclude(status=Invoice.Status.DRAFT)

    def open(self):
        """Invoices with something left to pay."""
        return self.filter(kind=Invoice.Kind.INVOICE, status__in=Invoice.OPEN)

    def overdue(self, today: date | None = None):
        return self.open().filter(due_date__lt=today or timezone.localdate())

    def with_display_status(self, status: str, *, today: date | None = None):
        today = today or timezone.localdate()
        if status == Invoice.DisplayStatus.OVERDUE:
            return self.overdue(today)
        if status in (Invoice.DisplayStatus.ISSUED, Invoice.DisplayStatus.PARTIALLY_PAID):
            return self.filter(kind=Invoice.Kind.INVOICE, status=status, due_date__gte=today)
        if status == OPEN_FILTER:
            return self.open()
        if status in Invoice.DisplayStatus.values:
            return self.filter(status=status)
        return self


class AnafStatus(models.TextChoices):
    """Where the invoice is in ANAF's e-Factura system, as the ERP reports it."""

    UPLOADED = "uploaded", _("încărcată în SPV")
    VALIDATED = "validated", _("validată de ANAF")
    REJECTED = "rejected", _("respinsă de ANAF")


class Invoice(models.Model):
    class Kind(models.TextChoices):
        INVOICE = "factura", _("factură")
        CREDIT_NOTE = "storno", _("factură storno")

    class Status(models.TextChoices):
        """Stored by services.invoice_refresh from the lines, allocations and credit notes."""

        DRAFT = "draft", _("ciornă")
        ISSUED = "emisa", _("emisă")
        PARTIALLY_PAID = "partial", _("parțial plătită")
        PAID = "platita", _("plătită")
        CANCELLED = "stornata", _("stornată")
        CREDIT_NOTE = "storno", _("storno")

    class DisplayStatus(models.TextChoices):
        """What clients see: an open invoice past its due date is "restantă"."""

        DRAFT = "draft", _("ciornă")
        ISSUED = "emisa", _("emisă")
        PARTIALLY_PAID = "partial", _("parțial plătită")
        OVERDUE = "restanta", _("restantă")
        PAID = "platita", _("plătită")
        CANCELLED = "stornata", _("stornată")
        CREDIT_NOTE = "storno", _("storno")

    OPEN = (Status.ISSUED, Status.PARTIALLY_PAID)

    public_id = models.UUIDField(_("identificator public"), default=uuid.uuid4, unique=True, editable=False)
    company = models.ForeignKey(
        "accounts.Company", verbose_name=_("companie"), on_delete=models.PROTECT, related_name="invoices"
    )
    kind = models.CharField(_("tip"), max_length=8, choices=Kind.choices, default=Kind.INVOICE)
    series = models.CharField(_("serie"), max_length=16)
    number = models.PositiveIntegerField(
        _("număr"), null=True, blank=True, help_text=_("Gol: se dă următorul număr din serie la emitere.")
    )
    issue_date = models.DateField(_("data emiterii"), default=timezone.localdate)
    due_date = models.DateField(_("data scadenței"))
    delivery_date = models.DateField(
        _("data livrării"),
        null=True,
        blank=True,
        help_text=_("Data livrării sau a prestării (faptul generator de TVA), când diferă de data emiterii."),
    )
    currency = models.CharField(_("monedă"), max_length=3, choices=Currency.choices, default=Currency.RON)
    offer = models.ForeignKey(
        "quotes.Offer",
        verbose_name=_("ofertă"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Oferta acceptată din care provine (a aceleiași companii)."),
    )
    contract = models.ForeignKey(
        "contracts.Contract",
        verbose_name=_("contract"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="invoices",
    )
    project = models.ForeignKey(
        "projects.Project",
        verbose_name=_("proiect"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="invoices",
    )
    reverses = models.ForeignKey(
        "self",
        verbose_name=_("stornează factura"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="credit_notes",
        help_text=_("Doar pentru o factură storno: factura pe care o anulează."),
    )
    exchange_rate = models.DecimalField(
        _("curs de schimb"),
        max_digits=10,
        decimal_places=4,
        null=True,
        blank=True,
        help_text=_("Pentru o factură în altă monedă: cursul BNR (lei pentru o unitate), pentru TVA-ul în lei."),
    )
    notes = models.TextField(_("mențiuni"), blank=True)
    status = models.CharField(_("stare"), max_length=8, choices=Status.choices, default=Status.DRAFT, editable=False)
    total_net = models.DecimalField(_("total fără TVA"), max_digits=14, decimal_places=2, default=ZERO, editable=False)
    total_vat = models.DecimalField(_("TVA"), max_digits=14, decimal_places=2, default=ZERO, editable=False)
    total_gross = models.DecimalField(
        _("total de plată"), max_digits=14, decimal_places=2, default=ZERO, editable=False
    )
    credited = models.DecimalField(
        _("stornat"),
        max_digits=14,
        decimal_places=2,
        default=ZERO,
        editable=False,
        help_text=_("Suma facturilor storno emise pentru această factură (pozitivă)."),
    )
    amount_paid = models.DecimalField(_("achitat"), max_digits=14, decimal_places=2, default=ZERO, editable=False)
    balance = models.DecimalField(_("rest de plată"), max_digits=14, decimal_places=2, default=ZERO, editable=False)
    issued_at = models.DateTimeField(_("emisă la"), null=True, blank=True, editable=False)
    pdf = models.ForeignKey(
        "files.StoredFile",
        verbose_name=_("PDF"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # The parties as they were on the day of issue (a company that moves later does not change its invoices).
    supplier_data = models.JSONField(_("date furnizor la emitere"), default=dict, blank=True, editable=False)
    buyer_data = models.JSONField(_("date client la emitere"), default=dict, blank=True, editable=False)
    xml = models.ForeignKey(
        "files.StoredFile",
        verbose_name=_("XML generat de portal"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # The ERP's originals, from the import or the API: when present, what the client downloads.
    anaf_xml = models.ForeignKey(
        "files.StoredFile",
        verbose_name=_("XML transmis la ANAF"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.PROTECT,
        related_name="+",
    )
    anaf_zip = models.ForeignKey(
        "files.StoredFile",
        verbose_name=_("ZIP semnat ANAF"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.PROTECT,
        related_name="+",
    )
    anaf_upload_index = models.CharField(_("index de încărcare"), max_length=20, blank=True, editable=False)
    anaf_download_id = models.CharField(_("id descărcare ANAF"), max_length=20, blank=True, editable=False)
    anaf_status = models.CharField(
        _("stare e-Factura"), max_length=10, choices=AnafStatus.choices, blank=True, editable=False
    )
    anaf_message = models.TextField(_("mesaj ANAF"), blank=True, editable=False)
    anaf_updated_at = models.DateTimeField(_("stare e-Factura primită la"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("creată la"), auto_now_add=True)
    updated_at = models.DateTimeField(_("actualizată la"), auto_now=True)

    objects = InvoiceQuerySet.as_manager()

    class Meta:
        verbose_name = _("factură")
        verbose_name_plural = _("facturi")
        ordering = ["-issue_date", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["series", "number"], name="invoice_unique_number_per_series"),
            models.CheckConstraint(
                condition=Q(due_date__gte=models.F("issue_date")), name="invoice_due_not_before_issue"
            ),
            models.CheckConstraint(
                condition=Q(kind="factura", reverses__isnull=True) | Q(kind="storno"),
                name="invoice_only_credit_notes_reverse",
            ),
        ]
        indexes = [
            models.Index(fields=["company", "status", "due_date"]),
            models.Index(fields=["company", "-issue_date"]),
            # Open invoices by due date, with what is left to pay: the totals per currency of the invoice list
            # and the dashboard read the index alone (10,000 open invoices: 1.7 ms instead of a 3.7 ms table
            # scan), and the oldest overdue one is its first entry.
            models.Index(
                fields=["company", "due_date"],
                include=["currency", "balance", "issue_date"],
                condition=Q(kind="factura", status__in=["emisa", "partial"]),
                name="billing_invoice_open",
            ),
            # The statement's opening balance and the period's totals sum a company's invoices of one currency
            # by issue date: read from the index alone (20,000 invoices: one fortieth of the table's pages).
            models.Index(
                fields=["company", "currency", "issue_date"],
                include=["total_gross", "status"],
                name="billing_invoice_statement",
            ),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return self.format_label(self.series, self.number)

    @staticmethod
    def format_label(series: str, number: int | None) -> str:
        return f"{series} {number if number is not None else '—'}"

    @property
    def is_credit_note(self) -> bool:
        return self.kind == self.Kind.CREDIT_NOTE

    @property
    def tax_point(self) -> date:
        """The day whose VAT rates apply (art. 280 Codul fiscal): the delivery, or else the issue date."""
        return self.delivery_date or self.issue_date

    @property
    def vat_in_lei(self) -> Decimal:
        """The VAT in lei at the invoice's exchange rate (art. 319: shown for a foreign-currency invoice)."""
        return cents(self.total_vat * self.exchange_rate) if self.exchange_rate else self.total_vat

    @property
    def is_open(self) -> bool:
        return self.kind == self.Kind.INVOICE and self.status in self.OPEN

    def display_status(self, today: date | None = None) -> str:
        if self.is_open and self.due_date < (today or timezone.localdate()):
            return self.DisplayStatus.OVERDUE
        return self.status

    @property
    def display_status_label(self) -> str:
        return self.DisplayStatus(self.display_status()).label

    @property
    def days_overdue(self) -> int:
        return max((timezone.localdate() - self.due_date).days, 0)

    @property
    def due_soon(self) -> bool:
        """Open and due within the next few days (highlighted in lists)."""
        days = (self.due_date - timezone.localdate()).days
        return self.is_open and 0 <= days <= due_soon_days()


class InvoiceLine(CompanyFromParent):
    company_parent = "invoice"

    public_id = models.UUIDField(_("identificator public"), default=uuid.uuid4, unique=True, editable=False)
    company = models.ForeignKey(
        "accounts.Company", verbose_name=_("companie"), on_delete=models.PROTECT, related_name="+"
    )
    invoice = models.ForeignKey(Invoice, verbose_name=_("factură"), on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveSmallIntegerField(_("nr. crt."), default=1)
    product_code = models.CharField(_("cod produs"), max_length=40, blank=True)
    description = models.CharField(_("denumire produs sau serviciu"), max_length=300)
    unit = models.CharField(_("U.M."), max_length=12, default="buc")
    quantity = models.DecimalField(
        _("cantitate"), max_digits=12, decimal_places=3, help_text=_("Negativă pe o factură storno.")
    )
    unit_price = models.DecimalField(_("preț unitar fără TVA"), max_digits=14, decimal_places=2)
    # Any rate in force on some day (19 % lines still exist on invoices delivered before 1.08.2025);
    # which one is allowed on this line is portal.vat's decision, by the tax point.
    vat_rate = models.PositiveSmallIntegerField(_("cota TVA"), choices=RATE_CHOICES, default=VatRate.STANDARD)
    vat_category = models.CharField(
        _("categorie TVA"), max_length=2, choices=VatCategory.choices, default=VatCategory.STANDARD
    )
    vat_exemption_code = models.CharField(
        _("cod scutire"), max_length=30, blank=True, help_text=_("Codul VATEX, de exemplu VATEX-EU-AE.")
    )
    vat_exemption_reason = models.CharField(
        _("motivul scutirii"), max_length=300, blank=True, help_text=_("De exemplu articolul din Codul fiscal.")
    )
    # Kept by services.invoice_refresh, each rounded to 0,01 (half up) on its line. The line's VAT is shown
    # for information: the invoice's VAT is rounded once per rate (portal.money.vat_groups).
    net_amount = models.DecimalField(
        _("valoare fără TVA"), max_digits=14, decimal_places=2, default=ZERO, editable=False
    )
    vat_amount = models.DecimalField(_("valoare TVA"), max_digits=14, decimal_places=2, default=ZERO, editable=False)

    objects = CompanyScopedQuerySet.as_manager()

    # What staff or the ERP enter; the amounts are computed from these.
    ENTERED_FIELDS = (
        "product_code",
        "description",
        "unit",
        "quantity",
        "unit_price",
        "vat_rate",
        "vat_category",
        "vat_exemption_code",
        "vat_exemption_reason",
    )

    class Meta:
        verbose_name = _("linie de factură")
        verbose_name_plural = _("linii de factură")
        ordering = ["invoice", "position", "id"]

    def __str__(self) -> str:
        return f"{self.position}. {self.description}"

    @property
    def gross_amount(self) -> Decimal:
        return self.net_amount + self.vat_amount


class Payment(models.Model):
    class Method(models.TextChoices):
        TRANSFER = "transfer", _("transfer bancar")
        CARD = "card", _("card")
        CASH = "numerar", _("numerar")
        OFFSET = "compensare", _("compensare")

    public_id = models.UUIDField(_("identificator public"), default=uuid.uuid4, unique=True, editable=False)
    company = models.ForeignKey(
        "accounts.Company", verbose_name=_("companie"), on_delete=models.PROTECT, related_name="payments"
    )
    date = models.DateField(_("data plății"), default=timezone.localdate)
    amount = models.DecimalField(_("sumă"), max_digits=14, decimal_places=2)
    currency = models.CharField(_("monedă"), max_length=3, choices=Currency.choices, default=Currency.RON)
    method = models.CharField(_("modalitate"), max_length=12, choices=Method.choices, default=Method.TRANSFER)
    reference = models.CharField(
        _("referință"),
        max_length=64,
        blank=True,
        help_text=_(
            "Nr. ordinului de plată, al chitanței sau al documentului de "
            "compensare; o plată importată din ERP se recunoaște după ea."
        ),
    )
    notes = models.CharField(_("observații"), max_length=300, blank=True)
    # Kept by services.payment_refresh from the allocations.
    allocated = models.DecimalField(
        _("alocat pe facturi"), max_digits=14, decimal_places=2, default=ZERO, editable=False
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("înregistrată de"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField(_("înregistrată la"), auto_now_add=True)

    objects = CompanyScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("plată")
        verbose_name_plural = _("plăți")
        ordering = ["-date", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive"),
            models.UniqueConstraint(
                fields=["company", "reference"], condition=~Q(reference=""), name="payment_unique_reference_per_company"
            ),
        ]
        indexes = [
            models.Index(fields=["company", "-date"]),
            # The statement's sums of a company's payments in one currency, from the index alone.
            models.Index(fields=["company", "currency", "date"], include=["amount"], name="billing_payment_statement"),
        ]

    def __str__(self) -> str:
        amount = format_money(self.amount, self.currency)
        return f"{self.reference or self.get_method_display()} · {self.date:%d.%m.%Y} · {amount}"

    @property
    def unallocated(self) -> Decimal:
        return self.amount - self.allocated


class PaymentAllocation(models.Model):
    """The part of a payment that settles one invoice."""

    company = models.ForeignKey(
        "accounts.Company", verbose_name=_("companie"), on_delete=models.PROTECT, related_name="+"
    )
    payment = models.ForeignKey(Payment, verbose_name=_("plată"), on_delete=models.CASCADE, related_name="allocations")
    invoice = models.ForeignKey(
        Invoice, verbose_name=_("factură"), on_delete=models.PROTECT, related_name="allocations"
    )
    amount = models.DecimalField(_("sumă alocată"), max_digits=14, decimal_places=2)

    objects = CompanyScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("alocare pe factură")
        verbose_name_plural = _("alocări pe facturi")
        ordering = ["invoice__due_date", "id"]
        constraints = [
            models.UniqueConstraint(fields=["payment", "invoice"], name="allocation_once_per_invoice"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="allocation_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.payment} → {self.invoice}: {format_money(self.amount, self.payment.currency)}"


class PaymentNotice(models.Model):
    """A payment the client says they made, with proof; staff confirm it (→ a Payment) or reject it."""

    class Status(models.TextChoices):
        PENDING = "pending", _("în verificare")
        CONFIRMED = "confirmed", _("confirmată")
        REJECTED = "rejected", _("respinsă")

    public_id = models.UUIDField(_("identificator public"), default=uuid.uuid4, unique=True, editable=False)
    company = models.ForeignKey(
        "accounts.Company", verbose_name=_("companie"), on_delete=models.PROTECT, related_name="payment_notices"
    )
    announced_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("anunțată de"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    paid_on = models.DateField(_("data plății"))
    amount = models.DecimalField(_("sumă"), max_digits=14, decimal_places=2)
    currency = models.CharField(_("monedă"), max_length=3, choices=Currency.choices, default=Currency.RON)
    reference = models.CharField(
        _("referință"), max_length=64, help_text=_("Nr. ordinului de plată sau referința din extrasul de cont.")
    )
    message = models.CharField(_("mesaj"), max_length=500, blank=True)
    proof = models.ForeignKey(
        "files.StoredFile", verbose_name=_("dovada plății"), on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(_("stare"), max_length=10, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("verificată de"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("verificată la"), null=True, blank=True)
    rejection_reason = models.CharField(_("motivul respingerii"), max_length=300, blank=True)
    payment = models.OneToOneField(
        Payment,
        verbose_name=_("plata înregistrată"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="notice",
    )
    # Closed when staff confirmed another notice for the same invoices: the payment that settled them. Such a
    # notice is "rejected" (no payment of its own; the ERP's pull list knows three statuses), with why in
    # ``rejection_reason``, and the client sees it as closed rather than refused (``is_settled_elsewhere``).
    settled_by = models.ForeignKey(
        Payment,
        verbose_name=_("închisă prin plata"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("anunțată la"), auto_now_add=True)

    objects = CompanyScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("plată anunțată")
        verbose_name_plural = _("plăți anunțate")
        ordering = ["-created_at", "-id"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="payment_notice_amount_positive")]

    def __str__(self) -> str:
        return f"{self.reference} · {self.paid_on:%d.%m.%Y} · {format_money(self.amount, self.currency)}"

    @property
    def is_settled_elsewhere(self) -> bool:
        return self.status == self.Status.REJECTED and self.settled_by_id is not None


class PaymentNoticeInvoice(models.Model):
    """An invoice the client said a notice pays (its company kept, like every client row)."""

    company = models.ForeignKey("accounts.Company", on_delete=models.PROTECT, related_name="+")
    notice = models.ForeignKey(PaymentNotice, on_delete=models.CASCADE, related_name="invoice_links")
    invoice = models.ForeignKey(Invoice, verbose_name=_("factură"), on_delete=models.CASCADE, related_name="+")

    objects = CompanyScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("factură vizată")
        verbose_name_plural = _("facturi vizate")
        constraints = [models.UniqueConstraint(fields=["notice", "invoice"], name="payment_notice_invoice_once")]

    def __str__(self) -> str:
        return str(self.invoice_id)


class InvoiceReminder(models.Model):
    """One reminder stage sent for one invoice (days relative to the due date: -3, +1, +15)."""

    invoice = models.ForeignKey(Invoice, verbose_name=_("factură"), on_delete=models.CASCADE, related_name="reminders")
    stage = models.SmallIntegerField(_("etapa (zile față de scadență)"))
    due_date = models.DateField(_("scadența de atunci"))
    created_at = models.DateTimeField(_("trimis la"), auto_now_add=True)

    class Meta:
        verbose_name = _("reamintire de plată")
        verbose_name_plural = _("reamintiri de plată")
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["invoice", "stage"], name="invoice_reminder_once_per_stage")]

    def __str__(self) -> str:
        return f"{self.invoice} {self.stage:+d}z"


class InvoiceArchive(models.Model):
    """One ZIP of invoices' PDFs and XMLs for a client's accountant, built by a task and kept for a while."""

    class Status(models.TextChoices):
        PENDING = "pending", _("în pregătire")
        READY = "ready", _("gata")
        FAILED = "failed", _("eșuată")

    public_id = models.UUIDField(_("identificator public"), default=uuid.uuid4, unique=True, editable=False)
    company = models.ForeignKey(
        "accounts.Company", verbose_name=_("companie"), on_delete=models.CASCADE, related_name="+"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("cerută de"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    date_from = models.DateField(_("de la"), null=True, blank=True)
    date_to = models.DateField(_("până la"), null=True, blank=True)
    invoice_ids = models.JSONField(_("facturi"), default=list, editable=False)
    status = models.CharField(_("stare"), max_length=8, choices=Status.choices, default=Status.PENDING)
    file = models.ForeignKey(
        "files.StoredFile", verbose_name=_("arhivă"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("cerută la"), auto_now_add=True)
    finished_at = models.DateTimeField(_("gata la"), null=True, blank=True)

    objects = CompanyScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("arhivă de facturi")
        verbose_name_plural = _("arhive de facturi")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.company} · {self.created_at:%d.%m.%Y %H:%M}"

    @property
    def invoice_count(self) -> int:
        return len(self.invoice_ids)


class BuiltExport(models.Model):
    """A file a client asked for, built by a task and kept ``RETENTION_EXPORT_DAYS`` (7) days
    (billing/services/built_exports.py).

    The request only records what was asked for; the task writes the file and notifies whoever asked. The
    same request again is answered with the same export while it is being built, or ready and the company's
    data unchanged.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("în pregătire")
        READY = "ready", _("gata")
        FAILED = "failed", _("eșuată")

    public_id = models.UUIDField(_("identificator public"), default=uuid.uuid4, unique=True, editable=False)
    company = models.ForeignKey(
        "accounts.Company", verbose_name=_("companie"), on_delete=models.CASCADE, related_name="+"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("cerută de"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(_("stare"), max_length=8, choices=Status.choices, default=Status.PENDING)
    file = models.ForeignKey(
        "files.StoredFile", verbose_name=_("fișier"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    error = models.CharField(_("eroare"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("cerută la"), auto_now_add=True)
    finished_at = models.DateTimeField(_("gata la"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expiră la"), db_index=True)
    # The company's data stamp when asked for (dashboard/stamps.py): a ready file is given again only while
    # the company's invoices and payments have not changed since.
    data_stamp = models.BigIntegerField(default=0, editable=False)

    objects = CompanyScopedQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["-created_at", "-id"]

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()


class StatementExport(BuiltExport):
    """A statement of account ("fișă client") as a PDF or a long CSV."""

    class Format(models.TextChoices):
        PDF = "pdf", "PDF"
        CSV = "csv", "CSV"

    date_from = models.DateField(_("de la"))
    date_to = models.DateField(_("până la"))
    currency = models.CharField(_("moneda"), max_length=3, choices=Currency.choices, default=Currency.RON)
    format = models.CharField(_("format"), max_length=3, choices=Format.choices)

    class Meta(BuiltExport.Meta):
        verbose_name = _("export fișă client")
        verbose_name_plural = _("exporturi fișă client")
        indexes = [
            models.Index(
                fields=["company", "requested_by", "date_from", "date_to", "currency", "format"],
                name="billing_statement_export_same",
            )
        ]

    def __str__(self) -> str:
        return f"{self.company} · {self.date_from:%d.%m.%Y}–{self.date_to:%d.%m.%Y} {self.currency} {self.format}"


class ListExport(BuiltExport):
    """The invoice or the payment list, with the filters the client had set, as XLSX (an XLSX is a ZIP:
    never built in a request) or as a CSV too long to write in one."""

    class Kind(models.TextChoices):
        INVOICES = "invoice", _("facturi")
        PAYMENTS = "payment", _("plăți")

    class Format(models.TextChoices):
        XLSX = "xlsx", "XLSX"
        CSV = "csv", "CSV"

    kind = models.CharField(_("lista"), max_length=7, choices=Kind.choices)
    format = models.CharField(_("format"), max_length=4, choices=Format.choices)
    filters = models.JSONField(_("filtre"), default=dict, blank=True)

    class Meta(BuiltExport.Meta):
        verbose_name = _("export de listă")
        verbose_name_plural = _("exporturi de liste")
        indexes = [models.Index(fields=["company", "requested_by", "kind", "format"], name="billing_list_export_same")]

    def __str__(self) -> str:
        return f"{self.company} · {self.get_kind_display()} {self.format}"
