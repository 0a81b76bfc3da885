from tests.access import Route, section


def objects(cast) -> dict:
    return {}


ROUTES = [
    Route("projects:list", get=section(), post=section()),
]
