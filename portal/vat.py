"""Romanian VAT as the law had it on a given day: the rates in force, the VAT categories of EN 16931,
and the check of one line's category, rate and exemption reason against its tax point.

The rate that applies is the one in force on the tax point (the delivery date, art. 280 Codul fiscal),
not on the day the invoice is typed: a delivery of 30.07.2025 invoiced in August still carries 19 %.
Offers, invoices and the e-Factura XML all read this module, so a future change of rates is one new
row in ``RATE_PERIODS``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class RatePeriod:
    start: date
    end: date | None  # last day in force; None while in force
    standard: int
    reduced: tuple[int, ...]

    def covers(self, day: date) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)

    @property
    def rates(self) -> tuple[int, ...]:
        return (self.standard, *self.reduced)


RATE_PERIODS = (
    RatePeriod(start=date(2017, 1, 1), end=date(2025, 7, 31), standard=19, reduced=(9, 5)),
    RatePeriod(start=date(2025, 8, 1), end=None, standard=21, reduced=(11,)),  # Legea 141/2025
)
RATE_CHOICES = [(rate, f"{rate}%") for rate in sorted({r for p in RATE_PERIODS for r in p.rates} | {0}, reverse=True)]


class VatCategory(models.TextChoices):
    """UNCL 5305 codes, as EN 16931 (BT-151, BT-118) names them."""

    STANDARD = "S", _("S — cotă standard sau redusă")
    ZERO = "Z", _("Z — cota zero")
    EXEMPT = "E", _("E — scutit de TVA")
    REVERSE_CHARGE = "AE", _("AE — taxare inversă")
    INTRA_COMMUNITY = "K", _("K — livrare intracomunitară scutită")
    OUTSIDE_SCOPE = "O", _("O — în afara sferei TVA")


# The categories that must say why no VAT is charged (EN 16931 BR-E-10, BR-AE-10, BR-IC-10, BR-O-10),
# with the exemption code (BT-121, VATEX list) that is the same for every such line.
NEEDS_REASON = {VatCategory.EXEMPT, VatCategory.REVERSE_CHARGE, VatCategory.INTRA_COMMUNITY, VatCategory.OUTSIDE_SCOPE}
CATEGORIES = frozenset(VatCategory.values)  # looked up per line of every imported invoice
FIXED_EXEMPTION_CODES = {
    VatCategory.REVERSE_CHARGE: "VATEX-EU-AE",
    VatCategory.INTRA_COMMUNITY: "VATEX-EU-IC",
    VatCategory.OUTSIDE_SCOPE: "VATEX-EU-O",
}


def period_on(day: date) -> RatePeriod:
    for period in RATE_PERIODS:
        if period.covers(day):
            return period
    raise ValidationError(
        _("Portalul nu cunoaște cotele TVA din %(day)s (le cunoaște de la %(start)s).")
        % {
            "day": date_format(day, "SHORT_DATE_FORMAT"),
            "start": date_format(RATE_PERIODS[0].start, "SHORT_DATE_FORMAT"),
        }
    )


def rates_on(day: date) -> tuple[int, ...]:
    """The rates of category S in force on ``day``, standard first."""
    return period_on(day).rates


def check_line(*, category: str, rate: int | None, tax_point: date, reason_code: str = "", reason: str = "") -> None:
    """Refuses a line whose VAT does not fit its category or the rates in force on its tax point."""
    if category not in CATEGORIES:
        raise ValidationError(_("Categorie TVA necunoscută: %(category)s.") % {"category": category})
    if rate is None:
        raise ValidationError(_("Cota TVA lipsește."))
    if category == VatCategory.STANDARD:
        rates = rates_on(tax_point)
        if rate not in rates:
            raise ValidationError(
                _("Cota de %(rate)s%% nu era în vigoare la %(day)s (cote în vigoare: %(rates)s).")
                % {
                    "rate": rate,
                    "day": date_format(tax_point, "SHORT_DATE_FORMAT"),
                    "rates": ", ".join(f"{r}%" for r in rates),
                }
            )
        if reason_code or reason:
            raise ValidationError(_("O linie cu TVA nu are motiv de scutire."))
        return
    if rate != 0:
        raise ValidationError(
            _("Categoria %(category)s se facturează cu cota 0%%.") % {"category": VatCategory(category).label}
        )
    if category in NEEDS_REASON and not (reason_code or reason):
        raise ValidationError(
            _("Categoria %(category)s cere motivul scutirii (cod VATEX sau text).")
            % {"category": VatCategory(category).label}
        )
    if category == VatCategory.ZERO and (reason_code or reason):
        raise ValidationError(_("Cota zero nu are motiv de scutire."))
