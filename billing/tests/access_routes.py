from tests.access import Route, section


def objects(cast) -> dict:
    return {}


ROUTES = [
    Route("billing:invoice_list", get=section(right="billing"), post=section(right="billing")),
]
