import uuid
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.money import Currency
from portal.tenancy import CompanyFromParent, CompanyScopedQuerySet


class ContractQuerySet(CompanyScopedQuerySet):
    def visible(self):
        """What clients may see: every contract except drafts."""
        return self.exclude(status=Contract.Status.DRAFT)

    def with_display_status(self, status: str, *, today: date | None = None):
        today = today or timezone.localdate()
        soon = today + timedelta(days=settings.CONTRACT_EXPIRING_SOON_DAYS)
        active = self.filter(status=Contract.Status.ACTIVE)
        if status == Contract.DisplayStatus.ACTIVE:
            return active.filter(models.Q(current_end_date__isnull=True) | models.Q(current_end_date__gt=soon))
        if status == Contract.DisplayStatus.EXPIRING:
            return active.filter(current_end_date__gte=today, current_end_date__lte=soon)
        if status == Contract.DisplayStatus.EXPIRED:
            return active.filter(current_end_date__lt=today)
        if status == Contract.DisplayStatus.TERMINATED:
            return self.filter(status=Contract.Status.TERMINATED)
        if status == Contract.DisplayStatus.DRAFT:
            return self.filter(status=Contract.Status.DRAFT)
        return self


class Contract(models.Model):
    class Kind(models.TextChoices):
        FRAMEWORK = "cadru", _("contract-cadru")
        SUPPLY = "furnizare", _("furnizare")
        SERVICES = "servicii", _("prestări servicii")
        MAINTENANCE = "mentenanta", _("mentenanță")
        LICENCE = "licenta", _("licență software")
        OTHER = "altele", _("altele")

    class Status(models.TextChoices):
        """What staff set; 'expiră curând' and 'expirat' follow from the dates."""

        DRAFT = "draft", _("ciornă")
        ACTIVE = "active", _("activ")
        TERMINATED = "terminated", _("reziliat")

    class DisplayStatus(models.TextChoices):
        DRAFT = "draft", _("ciornă")
        ACTIVE = "active", _("activ")
        EXPIRING = "expiring", _("expiră curând")
        EXPIRED = "expired", _("expirat")
        TERMINATED = "terminated", _("reziliat")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    company = models.ForeignKey(
        "accounts.Company", verbose_name=_("companie"), on_delete=models.PROTECT, related_name="contracts"
    )
    number = models.CharField(_("număr"), max_length=50)
    title = models.CharField(_("titlu"), max_length=200)
    kind = models.CharField(_("tip"), max_length=16, choices=Kind.choices, default=Kind.SUPPLY)
    status = models.CharField(_("stare"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    signed_on = models.DateField(_("semnat la"), null=True, blank=True)
    start_date = models.DateField(_("început"))
    end_date = models.DateField(_("sfârșit"), null=True, blank=True, help_text=_("Gol pentru durată nedeterminată."))
    value = models.DecimalField(_("valoare inițială"), max_digits=14, decimal_places=2, default=Decimal("0"))
    currency = models.CharField(_("monedă"), max_length=3, choices=Currency.choices, default=Currency.RON)
    payment_terms = models.CharField(_("termene de plată"), max_length=200, blank=True)
    offer = models.ForeignKey(
        "quotes.Offer",
        verbose_name=_("ofertă"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Oferta acceptată din care provine (a aceleiași companii)."),
    )
    description = models.TextField(_("descriere"), blank=True)
    terminated_on = models.DateField(_("reziliat la"), null=True, blank=True)
    # Kept by services.contract_refresh from the annexes, so lists filter and sort in SQL.
    current_end_date = models.DateField(_("sfârșit (cu acte adiționale)"), null=True, blank=True, editable=False)
    current_value = models.DecimalField(
        _("valoare (cu acte adiționale)"), max_digits=14, decimal_places=2, default=Decimal("0"), editable=False
    )
    created_at = models.DateTimeField(_("creat la"), auto_now_add=True)
    updated_at = models.DateTimeField(_("actualizat la"), auto_now=True)

    objects = ContractQuerySet.as_manager()

    class Meta:
        verbose_name = _("contract")
        verbose_name_plural = _("contracte")
        ordering = ["current_end_date", "number"]
        constraints = [
            models.UniqueConstraint(fields=["company", "number"], name="contract_unique_number_per_company"),
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True) | models.Q(end_date__gte=models.F("start_date")),
                name="contract_end_not_before_start",
            ),
        ]
        indexes = [models.Index(fields=["company", "status", "current_end_date"])]

    def __str__(self) -> str:
        return f"{self.number} — {self.title}"

    def clean(self):
        if self.end_date and self.start_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": _("Sfârșitul contractului nu poate fi înaintea începutului.")})

    def display_status(self, today: date | None = None) -> str:
        if self.status != self.Status.ACTIVE:
            return self.status
        today = today or timezone.localdate()
        if self.current_end_date is None:
            return self.DisplayStatus.ACTIVE
        if self.current_end_date < today:
            return self.DisplayStatus.EXPIRED
        if self.current_end_date <= today + timedelta(days=settings.CONTRACT_EXPIRING_SOON_DAYS):
            return self.DisplayStatus.EXPIRING
        return self.DisplayStatus.ACTIVE

    @property
    def display_status_label(self) -> str:
        return self.DisplayStatus(self.display_status()).label

    @property
    def in_renewal_window(self) -> bool:
        """Within its notice period (the "expiră curând" days before its end): the client may ask to renew."""
        return self.display_status() == self.DisplayStatus.EXPIRING

    @property
    def days_left(self) -> int | None:
        if self.current_end_date is None:
            return None
        return (self.current_end_date - timezone.localdate()).days


class Annex(CompanyFromParent):
    """An "act adițional": changes a contract's value or end date from its effective date."""

    company_parent = "contract"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    company = models.ForeignKey(
        "accounts.Company", verbose_name=_("companie"), on_delete=models.PROTECT, related_name="+"
    )
    contract = models.ForeignKey(Contract, verbose_name=_("contract"), on_delete=models.CASCADE, related_name="annexes")
    number = models.PositiveIntegerField(_("număr"))
    title = models.CharField(_("obiect"), max_length=200)
    signed_on = models.DateField(_("semnat la"), null=True, blank=True)
    effective_date = models.DateField(_("în vigoare de la"))
    value_change = models.DecimalField(
        _("modificare de valoare"),
        max_digits=14,
        decimal_places=2,
        default=Decimal("0"),
        help_text=_("Negativă pentru o reducere."),
    )
    new_end_date = models.DateField(
        _("sfârșit nou"),
        null=True,
        blank=True,
        help_text=_("Completați doar dacă actul prelungește sau scurtează contractul."),
    )
    description = models.TextField(_("descriere"), blank=True)

    objects = CompanyScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("act adițional")
        verbose_name_plural = _("acte adiționale")
        ordering = ["contract", "number"]
        constraints = [models.UniqueConstraint(fields=["contract", "number"], name="annex_unique_number")]

    def __str__(self) -> str:
        return _("Act adițional nr. %(number)s la %(contract)s") % {
            "number": self.number,
            "contract": self.contract.number,
        }


class ExpiryNotice(models.Model):
    """One expiry warning per contract and threshold (e.g. 30 days before the end)."""

    contract = models.ForeignKey(
        Contract, on_delete=models.CASCADE, related_name="expiry_notices", verbose_name=_("contract")
    )
    days_before = models.PositiveIntegerField(_("zile înainte de expirare"))
    end_date = models.DateField(_("data expirării"))
    created_at = models.DateTimeField(_("trimisă la"), auto_now_add=True)

    class Meta:
        verbose_name = _("notificare de expirare")
        verbose_name_plural = _("notificări de expirare")
        constraints = [
            models.UniqueConstraint(fields=["contract", "days_before", "end_date"], name="expiry_notice_once")
        ]

    def __str__(self) -> str:
        return f"{self.contract} −{self.days_before}z"
