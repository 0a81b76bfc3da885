import uuid
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.money import Currency, LineAmounts, VatRate, line_amounts
from portal.tenancy import CompanyFromParent, CompanyScopedQuerySet


class NumberSequence(models.Model):
    """The supplier's document series ("CO-2026", "OF-2026"); the row is locked to take a number."""

    key = models.CharField(max_length=32, unique=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.key}: {self.last}"


class Product(models.Model):
    """The supplier's catalogue, searched by the request form."""

    code = models.CharField(_("cod"), max_length=40, unique=True)
    name = models.CharField(_("denumire"), max_length=200)
    unit = models.CharField(_("unitate de măsură"), max_length=20, default="buc")
    description = models.TextField(_("descriere"), blank=True)
    active = models.BooleanField(
        _("activ"), default=True, help_text=_("Doar produsele active apar în formularul de cerere ofertă.")
    )
    created_at = models.DateTimeField(_("adăugat la"), auto_now_add=True)
    updated_at = models.DateTimeField(_("actualizat la"), auto_now=True)

    class Meta:
        verbose_name = _("produs")
        verbose_name_plural = _("produse (catalog)")
        ordering = ["name", "code"]
        indexes = [models.Index(fields=["active", "name"])]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        """What the request form's product field shows and accepts: "CP-200 — Pompă centrifugală"."""
        return f"{self.code} — {self.name}"


class DeliveryAddress(models.Model):
    """An entry of a company's delivery address book."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    company = models.ForeignKey(
        "accounts.Company", verbose_name=_("companie"), on_delete=models.CASCADE, related_name="delivery_addresses"
    )
    label = models.CharField(_("denumire"), max_length=100, help_text=_("De exemplu „Depozit Chitila”."))
    address = models.CharField(_("adresă"), max_length=255)
    city = models.CharField(_("localitate"), max_length=100)
    county = models.CharField(_("județ"), max_length=100)
    contact_name = models.CharField(_("persoană de contact"), max_length=150, blank=True)
    contact_phone = models.CharField(_("telefon contact"), max_length=32, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("adăugată de"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("adăugată la"), auto_now_add=True)

    objects = CompanyScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("adresă de livrare")
        verbose_name_plural = _("adrese de livrare")
        ordering = ["label", "id"]

    def __str__(self) -> str:
        return f"{self.label} — {self.address}, {self.city}"

    def as_text(self) -> str:
        lines = [self.address, f"{self.city}, {self.county}"]
        contact = ", ".join(part for part in (self.contact_name, self.contact_phone) if part)
        if contact:
            lines.append(contact)
        return "\n".join(lines)


class QuoteRequest(models.Model):
    """A client's "cerere ofertă": what they want priced, and how it should reach them."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("trimisă")
        IN_REVIEW = "in_review", _("în analiză")
        OFFERED = "offered", _("ofertată")
        CLOSED = "closed", _("închisă")
        CANCELLED = "cancelled", _("anulată")

    class Delivery(models.TextChoices):
        PICKUP = "pickup", _("ridicare personală")
        ADDRESS = "address", _("livrare la adresă")
        COURIER = "courier", _("curier")

    NEEDS_ADDRESS = (Delivery.ADDRESS, Delivery.COURIER)
    CANCELLABLE = (Status.SUBMITTED, Status.IN_REVIEW)
    # Still being worked on: a follow-up of the same offer or contract is refused meanwhile.
    OPEN = (Status.SUBMITTED, Status.IN_REVIEW, Status.OFFERED)

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    company = models.ForeignKey(
        "accounts.Company", verbose_name=_("companie"), on_delete=models.PROTECT, related_name="quote_requests"
    )
    number = models.CharField(_("număr"), max_length=30, unique=True, editable=False)
    status = models.CharField(_("stare"), max_length=16, choices=Status.choices, default=Status.SUBMITTED)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("trimisă de"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    delivery_option = models.CharField(_("livrare"), max_length=16, choices=Delivery.choices, default=Delivery.ADDRESS)
    address_entry = models.ForeignKey(
        DeliveryAddress,
        verbose_name=_("adresă din agendă"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # A copy taken when the request is sent: editing the address book later does not change it.
    delivery_address = models.TextField(_("adresa de livrare"), blank=True)
    desired_date = models.DateField(_("data dorită"), null=True, blank=True)
    remarks = models.TextField(_("observații"), blank=True)
    attachments = models.ManyToManyField("files.StoredFile", verbose_name=_("atașamente"), blank=True, related_name="+")
    created_at = models.DateTimeField(_("trimisă la"), auto_now_add=True)
    updated_at = models.DateTimeField(_("actualizată la"), auto_now=True)
    cancelled_at = models.DateTimeField(_("anulată la"), null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("anulată de"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # What the request follows up (services.request_follow_up): an expired or rejected offer the client wants
    # offered again, or a contract near its end they want renewed. At most one, and one open request each.
    origin_offer = models.ForeignKey(
        "quotes.Offer",
        verbose_name=_("ofertă de origine"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="follow_up_requests",
        editable=False,
    )
    origin_contract = models.ForeignKey(
        "contracts.Contract",
        verbose_name=_("contract de reînnoit"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="renewal_requests",
        editable=False,
    )

    objects = CompanyScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("cerere de ofertă")
        verbose_name_plural = _("cereri de ofertă")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["company", "-created_at"]), models.Index(fields=["company", "status"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(origin_offer__isnull=True) | models.Q(origin_contract__isnull=True),
                name="quote_request_one_origin",
            ),
            models.UniqueConstraint(
                fields=["origin_offer"],
                condition=models.Q(origin_offer__isnull=False, status__in=["submitted", "in_review", "offered"]),
                name="quote_request_one_open_per_offer",
            ),
            models.UniqueConstraint(
                fields=["origin_contract"],
                condition=models.Q(origin_contract__isnull=False, status__in=["submitted", "in_review", "offered"]),
                name="quote_request_one_open_per_contract",
            ),
        ]

    def __str__(self) -> str:
        return str(_("Cererea %(number)s") % {"number": self.number})

    def get_absolute_url(self) -> str:
        return reverse("quotes:request_detail", args=[self.public_id])

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN


class QuoteRequestLine(models.Model):
    """A product from the catalogue, or free text for something the catalogue does not hold."""

    company = models.ForeignKey(
        "accounts.Company", verbose_name=_("companie"), on_delete=models.PROTECT, related_name="+"
    )
    request = models.ForeignKey(QuoteRequest, verbose_name=_("cerere"), on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveSmallIntegerField(_("nr."))
    product = models.ForeignKey(
        Product,
        verbose_name=_("produs din catalog"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    description = models.CharField(_("produs / descriere"), max_length=200)
    quantity = models.DecimalField(_("cantitate"), max_digits=12, decimal_places=3)
    unit = models.CharField(_("UM"), max_length=20)
    note = models.CharField(_("notă"), max_length=300, blank=True)

    objects = CompanyScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("rând cerere")
        verbose_name_plural = _("rânduri cerere")
        ordering = ["request", "position"]
        constraints = [
            models.UniqueConstraint(fields=["request", "position"], name="quote_request_line_position"),
            models.CheckConstraint(condition=models.Q(quantity__gt=0), name="quote_request_line_quantity_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.description}"


class OfferQuerySet(CompanyScopedQuerySet):
    def visible(self):
        """What clients may see: everything staff have sent (drafts stay in admin)."""
        return self.exclude(status=Offer.Status.DRAFT)

    def current(self):
        return self.filter(is_current=True)

    def with_display_status(self, status: str, *, today: date | None = None):
        today = today or timezone.localdate()
        if status == Offer.DisplayStatus.OPEN:
            return self.filter(status=Offer.Status.SENT, valid_until__gte=today)
        if status == Offer.DisplayStatus.EXPIRED:
            return self.filter(
                models.Q(status=Offer.Status.EXPIRED) | models.Q(status=Offer.Status.SENT, valid_until__lt=today)
            )
        if status:
            return self.filter(status=status)
        return self


class Offer(models.Model):
    """One revision of an offer. A changed offer is a new row with the same number and the next revision."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("ciornă")
        SENT = "sent", _("de analizat")
        ACCEPTED = "accepted", _("acceptată")
        REJECTED = "rejected", _("respinsă")
        EXPIRED = "expired", _("expirată")
        WITHDRAWN = "withdrawn", _("retrasă")
        SUPERSEDED = "superseded", _("înlocuită")

    class DisplayStatus(models.TextChoices):
        """What clients filter on: an offer past its date shows as expired before the nightly task runs."""

        OPEN = "open", _("de analizat")
        ACCEPTED = "accepted", _("acceptată")
        REJECTED = "rejected", _("respinsă")
        EXPIRED = "expired", _("expirată")
        WITHDRAWN = "withdrawn", _("retrasă")
        SUPERSEDED = "superseded", _("înlocuită")
        DRAFT = "draft", _("ciornă")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    company = models.ForeignKey(
        "accounts.Company", verbose_name=_("companie"), on_delete=models.PROTECT, related_name="offers"
    )
    request = models.ForeignKey(
        QuoteRequest,
        verbose_name=_("cerere de ofertă"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="offers",
    )
    number = models.CharField(_("număr"), max_length=30, editable=False)
    revision = models.PositiveSmallIntegerField(_("revizia"), default=1, editable=False)
    revision_note = models.CharField(
        _("ce s-a schimbat"),
        max_length=300,
        blank=True,
        help_text=_("Pentru o revizie: ce diferă față de cea anterioară (o vede clientul)."),
    )
    # The revision clients see in lists: the last one sent (set by services.offer_send).
    is_current = models.BooleanField(_("revizia curentă"), default=False, editable=False)
    status = models.CharField(_("stare"), max_length=16, choices=Status.choices, default=Status.DRAFT, editable=False)
    currency = models.CharField(_("monedă"), max_length=3, choices=Currency.choices, default=Currency.RON)
    valid_until = models.DateField(_("valabilă până la"))
    payment_terms = models.CharField(_("termene de plată"), max_length=200, blank=True)
    delivery_terms = models.CharField(_("termen și condiții de livrare"), max_length=200, blank=True)
    notes = models.TextField(_("note"), blank=True)
    total_net = models.DecimalField(
        _("total fără TVA"), max_digits=14, decimal_places=2, default=Decimal("0"), editable=False
    )
    total_vat = models.DecimalField(_("TVA"), max_digits=14, decimal_places=2, default=Decimal("0"), editable=False)
    total_gross = models.DecimalField(
        _("total cu TVA"), max_digits=14, decimal_places=2, default=Decimal("0"), editable=False
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("creată de"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("creată la"), auto_now_add=True)
    updated_at = models.DateTimeField(_("actualizată la"), auto_now=True)
    sent_at = models.DateTimeField(_("trimisă la"), null=True, blank=True, editable=False)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("trimisă de"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    # The decision, exactly once (services.offer_accept / offer_reject).
    decided_at = models.DateTimeField(_("decizie la"), null=True, blank=True, editable=False)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decizie de"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    decided_ip = models.GenericIPAddressField(_("IP decizie"), null=True, blank=True, editable=False)
    decided_total_gross = models.DecimalField(
        _("total acceptat/respins"), max_digits=14, decimal_places=2, null=True, blank=True, editable=False
    )
    rejection_reason = models.TextField(_("motivul respingerii"), blank=True, editable=False)
    withdrawn_at = models.DateTimeField(_("retrasă la"), null=True, blank=True, editable=False)
    pdf = models.ForeignKey(
        "files.StoredFile",
        verbose_name=_("PDF"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    # The ERP sent its own PDF: kept as it is (not rendered again when the client accepts).
    pdf_from_erp = models.BooleanField(_("PDF trimis de ERP"), default=False, editable=False)
    # Given by the client with the acceptance (services.offer_accept), for their own purchasing.
    po_number = models.CharField(_("număr comandă client (PO)"), max_length=50, blank=True, editable=False)
    acceptance_note = models.TextField(_("nota clientului la acceptare"), blank=True, editable=False)
    # "Confirmare de comandă": rendered once the offer is accepted (tasks.render_order_confirmation).
    confirmation_pdf = models.ForeignKey(
        "files.StoredFile",
        verbose_name=_("confirmare de comandă (PDF)"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )

    objects = OfferQuerySet.as_manager()

    class Meta:
        verbose_name = _("ofertă")
        verbose_name_plural = _("oferte")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["number", "revision"], name="offer_unique_number_revision"),
            models.UniqueConstraint(
                fields=["number"], condition=models.Q(is_current=True), name="offer_one_current_revision"
            ),
        ]
        indexes = [
            models.Index(fields=["company", "is_current", "-sent_at"]),
            models.Index(fields=["status", "valid_until"]),
        ]

    def __str__(self) -> str:
        return f"{self.number} rev. {self.revision}"

    def get_absolute_url(self) -> str:
        return reverse("quotes:offer_detail", args=[self.public_id])

    @property
    def is_expired(self) -> bool:
        return self.status == self.Status.EXPIRED or (
            self.status == self.Status.SENT and self.valid_until < timezone.localdate()
        )

    @property
    def is_open(self) -> bool:
        """Can be accepted or rejected now."""
        return self.status == self.Status.SENT and self.valid_until >= timezone.localdate()

    @property
    def can_follow_up(self) -> bool:
        """ "Cere o ofertă nouă" applies: the current revision, expired or rejected."""
        return self.is_current and (self.status == self.Status.REJECTED or self.is_expired)

    def display_status(self, today: date | None = None) -> str:
        if self.status == self.Status.SENT:
            expired = self.valid_until < (today or timezone.localdate())
            return self.DisplayStatus.EXPIRED if expired else self.DisplayStatus.OPEN
        return self.status

    @property
    def display_status_label(self) -> str:
        return self.DisplayStatus(self.display_status()).label

    @property
    def days_left(self) -> int:
        return (self.valid_until - timezone.localdate()).days


class OfferLine(CompanyFromParent):
    company_parent = "offer"

    company = models.ForeignKey(
        "accounts.Company", verbose_name=_("companie"), on_delete=models.PROTECT, related_name="+"
    )
    offer = models.ForeignKey(Offer, verbose_name=_("ofertă"), on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveSmallIntegerField(_("nr."), default=0, help_text=_("Ordinea în ofertă."))
    product = models.ForeignKey(
        Product,
        verbose_name=_("produs din catalog"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    description = models.CharField(
        _("descriere"), max_length=200, blank=True, help_text=_("Gol: denumirea produsului din catalog.")
    )
    quantity = models.DecimalField(
        _("cantitate"), max_digits=12, decimal_places=3, validators=[MinValueValidator(Decimal("0.001"))]
    )
    unit = models.CharField(_("UM"), max_length=20, default="buc")
    unit_price = models.DecimalField(
        _("preț unitar fără TVA"), max_digits=14, decimal_places=2, validators=[MinValueValidator(Decimal("0"))]
    )
    discount_percent = models.DecimalField(
        _("reducere %"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    vat_rate = models.PositiveSmallIntegerField(_("cota TVA"), choices=VatRate.choices, default=VatRate.STANDARD)

    objects = CompanyScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("rând ofertă")
        verbose_name_plural = _("rânduri ofertă")
        ordering = ["offer", "position", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(quantity__gt=0), name="offer_line_quantity_positive"),
            models.CheckConstraint(condition=models.Q(unit_price__gte=0), name="offer_line_price_not_negative"),
            models.CheckConstraint(
                condition=models.Q(discount_percent__gte=0, discount_percent__lte=100), name="offer_line_discount_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.description}"

    @property
    def amounts(self) -> LineAmounts:
        return line_amounts(
            quantity=self.quantity,
            unit_price=self.unit_price,
            discount_percent=self.discount_percent,
            vat_rate=self.vat_rate,
        )
