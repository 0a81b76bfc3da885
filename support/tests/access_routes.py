from tests.access import Route, section


def objects(cast) -> dict:
    return {}


ROUTES = [
    Route("support:list", get=section(), post=section()),
]
