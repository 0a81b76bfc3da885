import uuid
from decimal import Decimal
from urllib.parse import quote

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Case, Q, Value, When
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from portal.tenancy import CompanyFromParent, CompanyScopedQuerySet

AWB_PLACEHOLDER = "{awb}"


def validate_tracking_pattern(value: str) -> None:
    if not value:
        return
    if not value.startswith("https://"):
        raise ValidationError(_("Adresa de urmărire trebuie să înceapă cu https://."))
    if value.count(AWB_PLACEHOLDER) != 1:
        raise ValidationError(_("Adresa de urmărire trebuie să conțină o singură dată {awb}."))


class Carrier(models.Model):
    """A courier (or the supplier's own transport); its pattern turns an AWB into a tracking link."""

    name = models.CharField(_("denumire"), max_length=100, unique=True)
    code = models.SlugField(
        _("cod"), max_length=32, unique=True, help_text=_("Codul folosit în fișierele de import, ex. fan-courier.")
    )
    tracking_url_pattern = models.CharField(
        _("adresă de urmărire"),
        max_length=300,
        blank=True,
        validators=[validate_tracking_pattern],
        help_text=_(
            "Cu {awb} în locul numărului AWB, ex. https://www.fancourier.ro/awb-tracking/?tracking={awb}. "
            "Gol dacă transportatorul nu are urmărire online."
        ),
    )
    phone = models.CharField(_("telefon"), max_length=32, blank=True)
    is_active = models.BooleanField(_("activ"), default=True)

    class Meta:
        verbose_name = _("transportator")
        verbose_name_plural = _("transportatori")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def tracking_url(self, awb: str) -> str:
        awb = (awb or "").strip()
        if not self.tracking_url_pattern or not awb:
            return ""
        return self.tracking_url_pattern.replace(AWB_PLACEHOLDER, quote(awb, safe=""))


class Status(models.TextChoices):
    PREPARING = "in_pregatire", _("în pregătire")
    READY = "pregatita", _("pregătită")
    SHIPPED = "expediata", _("expediată")
    IN_TRANSIT = "in_tranzit", _("în tranzit")
    OUT_FOR_DELIVERY = "in_livrare", _("în livrare")
    DELIVERED = "livrata", _("livrată")
    FAILED = "livrare_esuata", _("livrare eșuată")
    RETURNED = "returnata", _("returnată")


class ReceiptKind(models.TextChoices):
    """How the client received the goods: in good order, or with objections (after reporting a problem)."""

    GOOD = "good", _("în stare bună")
    WITH_OBJECTIONS = "with_objections", _("cu obiecțiuni")


# On the way (the client's list shows these first), not yet left, finished.
MOVING = (Status.SHIPPED, Status.IN_TRANSIT, Status.OUT_FOR_DELIVERY, Status.FAILED)
NOT_LEFT = (Status.PREPARING, Status.READY)
FINISHED = (Status.DELIVERED, Status.RETURNED)
# Statuses after which the goods have left the supplier (the first one dates the dispatch).
LEFT = (*MOVING, *FINISHED)


class ShipmentQuerySet(CompanyScopedQuerySet):
    def with_rank(self):
        """``rank``: 0 on the way, 1 being prepared, 2 finished — the client's list order."""
        return self.annotate(
            rank=Case(
                When(status__in=MOVING, then=Value(0)),
                When(status__in=NOT_LEFT, then=Value(1)),
                default=Value(2),
                output_field=models.IntegerField(),
            )
        )


class Shipment(models.Model):
    Status = Status
    ReceiptKind = ReceiptKind

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    company = models.ForeignKey(
        "accounts.Company", verbose_name=_("companie"), on_delete=models.PROTECT, related_name="shipments"
    )
    number = models.CharField(
        _("număr"), max_length=50, unique=True, help_text=_("Numărul expedierii la furnizor, ex. EXP-2026-0142.")
    )
    contract = models.ForeignKey(
        "contracts.Contract",
        verbose_name=_("contract"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="shipments",
    )
    project = models.ForeignKey(
        "projects.Project",
        verbose_name=_("proiect"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="shipments",
    )
    offer = models.ForeignKey(
        "quotes.Offer", verbose_name=_("ofertă"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    invoice = models.ForeignKey(
        "billing.Invoice",
        verbose_name=_("factură"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="shipments",
    )
    carrier = models.ForeignKey(
        Carrier,
        verbose_name=_("transportator"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="shipments",
    )
    awb = models.CharField(
        _("AWB"), max_length=50, blank=True, db_index=True, help_text=_("Numărul de urmărire dat de curier.")
    )
    delivery_address = models.CharField(_("adresa de livrare"), max_length=255)
    delivery_city = models.CharField(_("localitate"), max_length=100)
    delivery_county = models.CharField(_("județ"), max_length=100)
    contact_name = models.CharField(_("persoană de contact"), max_length=120, blank=True)
    contact_phone = models.CharField(_("telefon contact"), max_length=32, blank=True)
    packages = models.PositiveIntegerField(_("colete"), default=1)
    weight_kg = models.DecimalField(
        _("greutate (kg)"),
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
    )
    planned_ship_date = models.DateField(_("expediere planificată"), null=True, blank=True)
    planned_delivery_date = models.DateField(_("livrare estimată"), null=True, blank=True)
    notes = models.TextField(_("observații pentru client"), blank=True)
    # Kept by services.shipment_refresh from the tracking events.
    status = models.CharField(
        _("stare"), max_length=16, choices=Status.choices, default=Status.PREPARING, editable=False
    )
    last_event_at = models.DateTimeField(_("ultimul eveniment"), null=True, blank=True, editable=False)
    shipped_at = models.DateTimeField(_("expediată la"), null=True, blank=True, editable=False)
    delivered_at = models.DateTimeField(_("livrată la"), null=True, blank=True, editable=False)
    # The client's side.
    received_at = models.DateTimeField(_("primire confirmată la"), null=True, blank=True, editable=False)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("primire confirmată de"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    # "With objections" refers to the problem report's ticket (problem_ticket_id), which a check ties it to.
    receipt_kind = models.CharField(
        _("primire"), max_length=16, choices=ReceiptKind.choices, blank=True, editable=False
    )
    # The support ticket a problem report opened (support.Ticket.public_id; no FK across sections).
    problem_ticket_id = models.UUIDField(_("tichet problemă"), null=True, blank=True, editable=False)
    problem_reported_at = models.DateTimeField(_("problemă raportată la"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("creată la"), auto_now_add=True)
    updated_at = models.DateTimeField(_("actualizată la"), auto_now=True)

    objects = ShipmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("expediere")
        verbose_name_plural = _("expedieri")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["company", "status"]),
            models.Index(fields=["carrier", "awb"]),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(packages__gte=1), name="shipment_at_least_one_package"),
            # A confirmed receipt has its kind, an unconfirmed one none.
            models.CheckConstraint(
                condition=Q(received_at__isnull=True, receipt_kind="")
                | Q(received_at__isnull=False, receipt_kind__in=ReceiptKind.values),
                name="shipment_receipt_has_kind",
            ),
            # Objections always point to the ticket the problem report opened.
            models.CheckConstraint(
                condition=~Q(receipt_kind=ReceiptKind.WITH_OBJECTIONS) | Q(problem_ticket_id__isnull=False),
                name="shipment_objections_have_ticket",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    def get_absolute_url(self) -> str:
        return reverse("shipments:detail", kwargs={"public_id": self.public_id})

    @property
    def tracking_url(self) -> str:
        return self.carrier.tracking_url(self.awb) if self.carrier_id else ""

    @property
    def is_moving(self) -> bool:
        return self.status in MOVING

    @property
    def has_left(self) -> bool:
        return self.status in LEFT

    @property
    def can_confirm_receipt(self) -> bool:
        return self.status == Status.DELIVERED and self.received_at is None

    @property
    def receipt_kind_to_confirm(self) -> str:
        """The only kind the client may confirm now: with objections once a problem is reported."""
        return ReceiptKind.WITH_OBJECTIONS if self.problem_ticket_id else ReceiptKind.GOOD

    @property
    def full_address(self) -> str:
        return ", ".join(part for part in (self.delivery_address, self.delivery_city, self.delivery_county) if part)


class ShipmentItem(CompanyFromParent):
    company_parent = "shipment"

    company = models.ForeignKey(
        "accounts.Company", verbose_name=_("companie"), on_delete=models.PROTECT, related_name="+"
    )
    shipment = models.ForeignKey(Shipment, verbose_name=_("expediere"), on_delete=models.CASCADE, related_name="items")
    position = models.PositiveIntegerField(_("poziție"), default=0)
    product = models.CharField(_("produs"), max_length=200)
    code = models.CharField(_("cod produs"), max_length=50, blank=True)
    quantity = models.DecimalField(
        _("cantitate"), max_digits=12, decimal_places=3, validators=[MinValueValidator(Decimal("0.001"))]
    )
    unit = models.CharField(_("unitate"), max_length=16, default="buc.")

    objects = CompanyScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("articol expediat")
        verbose_name_plural = _("articole expediate")
        ordering = ["shipment", "position", "id"]
        constraints = [models.CheckConstraint(condition=Q(quantity__gt=0), name="shipment_item_positive_quantity")]

    def __str__(self) -> str:
        return f"{self.product} × {self.quantity.normalize():f} {self.unit}"


class TrackingEvent(CompanyFromParent):
    company_parent = "shipment"

    class Source(models.TextChoices):
        STAFF = "personal", _("personal furnizor")
        IMPORT = "import", _("import curier")

    company = models.ForeignKey(
        "accounts.Company", verbose_name=_("companie"), on_delete=models.PROTECT, related_name="+"
    )
    shipment = models.ForeignKey(Shipment, verbose_name=_("expediere"), on_delete=models.CASCADE, related_name="events")
    occurred_at = models.DateTimeField(_("data și ora"))
    status = models.CharField(_("stare"), max_length=16, choices=Status.choices)
    place = models.CharField(_("locul"), max_length=150, blank=True)
    note = models.CharField(_("observații"), max_length=500, blank=True)
    source = models.CharField(_("sursă"), max_length=16, choices=Source.choices, default=Source.STAFF)
    # The carrier's own id of the event (with the carrier: what makes an import idempotent).
    carrier = models.ForeignKey(
        Carrier, verbose_name=_("transportator"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    external_id = models.CharField(_("id extern"), max_length=100, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("adăugat de"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("înregistrat la"), auto_now_add=True)

    objects = CompanyScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("eveniment de urmărire")
        verbose_name_plural = _("evenimente de urmărire")
        ordering = ["shipment", "-occurred_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["shipment", "occurred_at", "status"], name="tracking_event_once"),
            models.UniqueConstraint(
                fields=["carrier", "external_id"], condition=~Q(external_id=""), name="tracking_event_external_once"
            ),
        ]
        indexes = [models.Index(fields=["shipment", "occurred_at"])]

    def __str__(self) -> str:
        return f"{self.shipment.number}: {self.get_status_display()}"
