from datetime import timedelta

from django.utils import timezone

from contracts.tests.factories import ContractFactory
from tests.access import Route, everyone, object_page, section


def objects(cast) -> dict:
    soon = timezone.localdate() + timedelta(days=20)
    return {
        "contract": ContractFactory(company=cast["company_a"]),
        # Within its notice period: its renewal may be asked for.
        "expiring_contract": ContractFactory(company=cast["company_a"], end_date=soon),
    }


ROUTES = [
    Route("contracts:list", get=section(), post=everyone(405)),
    Route(
        "contracts:detail",
        get=object_page(200),
        post=everyone(405),
        kwargs=lambda o: {"public_id": o["contract"].public_id},
    ),
    # "Solicită reînnoire" needs the "accept_offers" right: GET confirms, POST sends the request (302 to it).
    Route(
        "contracts:renewal",
        get=object_page(200, right="accept_offers"),
        post=object_page(302, right="accept_offers"),
        kwargs=lambda o: {"public_id": o["expiring_contract"].public_id},
        data=lambda o: {"remarks": "Pentru încă 12 luni, aceleași condiții."},
    ),
]
