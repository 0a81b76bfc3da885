from tests.access import Route, everyone, section


def objects(cast) -> dict:
    return {}


ROUTES = [
    Route("dashboard:home", get=section(), post=everyone(405)),
]
