from contracts.tests.factories import ContractFactory
from tests.access import Route, everyone, object_page, section


def objects(cast) -> dict:
    return {"contract": ContractFactory(company=cast["company_a"])}


ROUTES = [
    Route("contracts:list", get=section(), post=everyone(405)),
    Route(
        "contracts:detail",
        get=object_page(200),
        post=everyone(405),
        kwargs=lambda o: {"public_id": o["contract"].public_id},
    ),
]
