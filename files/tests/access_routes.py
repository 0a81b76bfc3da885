from tests.access import Route, section


def objects(cast) -> dict:
    return {}


ROUTES = [
    Route("files:list", get=section(), post=section()),
]
