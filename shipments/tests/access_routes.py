from tests.access import Route, section


def objects(cast) -> dict:
    return {}


ROUTES = [
    Route("shipments:list", get=section(), post=section()),
]
