from tests.access import Route, section


def objects(cast) -> dict:
    return {}


ROUTES = [
    Route("contracts:list", get=section(), post=section()),
]
