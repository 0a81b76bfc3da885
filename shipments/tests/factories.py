from datetime import timedelta
from decimal import Decimal

import factory
from django.utils import timezone

from accounts.tests.factories import CompanyFactory
from shipments import services
from shipments.models import Carrier, Shipment, ShipmentItem


class CarrierFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Carrier
        django_get_or_create = ("code",)

    name = "FAN Courier"
    code = "fan-courier"
    tracking_url_pattern = "https://www.fancourier.ro/awb-tracking/?tracking={awb}"


class ShipmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Shipment

    company = factory.SubFactory(CompanyFactory)
    number = factory.Sequence(lambda n: f"EXP-2026-{n:04d}")
    carrier = factory.SubFactory(CarrierFactory)
    awb = factory.Sequence(lambda n: f"215{n:010d}")
    delivery_address = "Str. Industriilor nr. 5, Hala 2"
    delivery_city = "Ploiești"
    delivery_county = "Prahova"
    contact_name = "Ion Vasile"
    contact_phone = "0722 111 222"
    packages = 2
    weight_kg = Decimal("48.50")
    planned_ship_date = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=1))
    planned_delivery_date = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=3))
    received_at = None
    receipt_kind = factory.LazyAttribute(lambda o: Shipment.ReceiptKind.GOOD if o.received_at else "")


class ShipmentItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ShipmentItem

    shipment = factory.SubFactory(ShipmentFactory)
    company = factory.LazyAttribute(lambda o: o.shipment.company)
    position = factory.Sequence(lambda n: n)
    product = "Pompă centrifugală CP-200"
    code = "CP-200"
    quantity = Decimal("2")
    unit = "buc."


def add_event(shipment: Shipment, status: str, *, hours_ago: float = 1, **kwargs):
    """A tracking event through the service (so the status follows), ``hours_ago`` before now."""
    at = kwargs.pop("at", None) or timezone.now() - timedelta(hours=hours_ago)
    event, _created = services.event_add(shipment=shipment, status=status, occurred_at=at, **kwargs)
    shipment.refresh_from_db()
    return event
