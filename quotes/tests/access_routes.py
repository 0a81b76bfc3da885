from tests.access import Route, section


def objects(cast) -> dict:
    return {}


ROUTES = [
    Route("quotes:request_list", get=section(), post=section()),
    Route("quotes:offer_list", get=section(), post=section()),
]
