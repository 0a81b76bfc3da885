from tests.access import Route, everyone, section


def objects(cast) -> dict:
    return {}


ROUTES = [
    Route("dashboard:home", get=section(), post=everyone(405)),
    Route("dashboard:search", get=section(), post=everyone(405)),
    Route("dashboard:search_suggestions", get=section(), post=everyone(405)),
]
