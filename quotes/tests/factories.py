"""Catalogue products, requests and offers. ``sent_offer(company)`` goes through the services, like staff."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import factory
from django.utils import timezone

from accounts.tests.factories import CompanyFactory
from quotes import services
from quotes.models import DeliveryAddress, Offer, OfferLine, Product, QuoteRequest, QuoteRequestLine


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"CP-{200 + n}")
    name = factory.Sequence(lambda n: f"Pompă centrifugală {200 + n} m³/h")
    unit = "buc"


class DeliveryAddressFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DeliveryAddress

    company = factory.SubFactory(CompanyFactory)
    label = factory.Sequence(lambda n: f"Depozit {n}")
    address = "Șos. Chitilei nr. 12"
    city = "Chitila"
    county = "Ilfov"
    contact_name = "Ion Țurcanu"
    contact_phone = "0722 111 222"


class QuoteRequestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = QuoteRequest
        skip_postgeneration_save = True

    company = factory.SubFactory(CompanyFactory)
    number = factory.Sequence(lambda n: f"CO-TEST-{n:05d}")
    delivery_option = QuoteRequest.Delivery.ADDRESS
    delivery_address = "Str. Fabricii nr. 12\nBucurești, Sector 6"
    remarks = "Vă rugăm să includeți transportul și montajul."

    @factory.post_generation
    def lines(obj, create, extracted, **kwargs):
        if not create:
            return
        for position in range(1, (extracted if extracted is not None else 2) + 1):
            QuoteRequestLine.objects.create(
                company=obj.company,
                request=obj,
                position=position,
                description=f"Robinet sferic DN{25 * position}",
                quantity=Decimal("4"),
                unit="buc",
            )


class OfferFactory(factory.django.DjangoModelFactory):
    """A sent, current offer (revision 1) with ``lines`` lines of 2 × 1.000,00 at 21% VAT."""

    class Meta:
        model = Offer
        skip_postgeneration_save = True

    company = factory.SubFactory(CompanyFactory)
    number = factory.Sequence(lambda n: f"OF-TEST-{n:05d}")
    revision = 1
    status = Offer.Status.SENT
    is_current = True
    valid_until = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=30))
    sent_at = factory.LazyFunction(timezone.now)
    payment_terms = "30 de zile de la facturare"
    delivery_terms = "10 zile lucrătoare de la confirmare"

    @factory.post_generation
    def lines(obj, create, extracted, **kwargs):
        if not create:
            return
        for position in range(1, (extracted if extracted is not None else 2) + 1):
            OfferLine.objects.create(
                company=obj.company,
                offer=obj,
                position=position,
                description=f"Vană fluture DN{50 * position}",
                quantity=Decimal("2"),
                unit="buc",
                unit_price=Decimal("1000.00"),
            )
        services.offer_recalculate(offer=obj)


def sent_offer(company, *, by=None, lines: list[dict] | None = None, quote_request=None, **fields) -> Offer:
    """A draft made and sent through the services (PDF and emails run on commit, if the test lets them)."""
    offer = services.offer_create(company=company, by=by, quote_request=quote_request, **fields)
    for position, line in enumerate(
        lines or [{"description": "Pompă submersibilă 4 kW", "quantity": "3", "unit_price": "2450.50"}], start=1
    ):
        OfferLine.objects.create(company=company, offer=offer, position=position, **{"unit": "buc", **line})
    return services.offer_send(offer=offer, by=by)
