"""The staff work queue on the admin index: what waits for the supplier, in every section, each count a
link to the changelist filtered to exactly those rows.

It reads every section, so it lives in ``dashboard`` (the top of the dependency arrows); the definitions of
the rows stay in each section (``Membership.objects.requested()``, ``Ticket.objects.near_deadline()``,
``quotes.selectors``) and the changelist filters use the same ones. One COUNT query per line."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Model, QuerySet
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from accounts.models import Company, Membership
from billing.models import PaymentNotice
from quotes import conf as quotes_conf
from quotes import selectors as quotes_selectors
from quotes.models import Offer, QuoteRequest
from support.models import Ticket


@dataclass(frozen=True)
class QueueLine:
    label: str
    count: int
    url: str


@dataclass(frozen=True)
class _Source:
    model: type[Model]
    label: Callable[[], str]
    rows: Callable[[], QuerySet]
    filters: dict[str, str]


def _sources() -> list[_Source]:
    return [
        _Source(
            Company,
            lambda: _("Companii care așteaptă aprobarea"),
            lambda: Company.objects.filter(status=Company.Status.PENDING),
            {"status__exact": Company.Status.PENDING},
        ),
        _Source(
            Membership,
            lambda: _("Cereri de acces la o companie"),
            # A registrant's own membership is approved with the company: the line above holds it.
            lambda: Membership.objects.requested().filter(company__status=Company.Status.ACTIVE),
            {
                "status__exact": Membership.Status.PENDING,
                "company__status__exact": Company.Status.ACTIVE,
                "requested_at__isnull": "False",
            },
        ),
        _Source(
            PaymentNotice,
            lambda: _("Plăți anunțate de verificat"),
            lambda: PaymentNotice.objects.filter(status=PaymentNotice.Status.PENDING),
            {"status__exact": PaymentNotice.Status.PENDING},
        ),
        _Source(
            Ticket,
            lambda: _("Tichete cu termenul depășit sau aproape"),
            lambda: Ticket.objects.near_deadline(),
            {"sla": "aproape"},
        ),
        _Source(
            QuoteRequest,
            lambda: _("Cereri de ofertă fără ofertă"),
            quotes_selectors.requests_awaiting_offer,
            {"oferta": "fara"},
        ),
        _Source(
            Offer,
            lambda: (
                _("Oferte care expiră în cel mult %(days)d zile") % {"days": quotes_conf.offer_expiry_warning_days()}
            ),
            quotes_selectors.offers_expiring_soon,
            {"valabilitate": "expira_curand"},
        ),
    ]


def work_queue(user) -> list[QueueLine]:
    """The lines this staff member may open (view permission on the model), with their counts."""
    lines = []
    for source in _sources():
        meta = source.model._meta
        if not user.has_perm(f"{meta.app_label}.view_{meta.model_name}"):
            continue
        url = reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist") + "?" + urlencode(source.filters)
        lines.append(QueueLine(label=source.label(), count=source.rows().count(), url=url))
    return lines
