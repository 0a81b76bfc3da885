from shipments.tests.factories import ShipmentFactory, ShipmentItemFactory, add_event
from tests.access import Route, everyone, object_page, section


def objects(cast) -> dict:
    shipment = ShipmentFactory(company=cast["company_a"])
    ShipmentItemFactory(shipment=shipment)
    add_event(shipment, "expediata", hours_ago=30)
    add_event(shipment, "livrata", hours_ago=2)
    return {"shipment": shipment}


def shipment(o) -> dict:
    return {"public_id": o["shipment"].public_id}


ROUTES = [
    # Read views are @require_safe: any POST is 405, before the login check.
    Route("shipments:list", get=section(), post=everyone(405)),
    Route("shipments:detail", get=object_page(200), post=everyone(405), kwargs=shipment),
    # Without the form's field the confirmation is refused (400); a real confirmation redirects
    # to the shipment (test_shipments.py).
    Route("shipments:confirm_receipt", get=everyone(405), post=object_page(400), kwargs=shipment),
    # A report without a description re-renders the form with the error (200), no ticket opened.
    Route("shipments:report_problem", get=object_page(200), post=object_page(200), kwargs=shipment),
]
