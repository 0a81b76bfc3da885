"""Hostile input to every client form and list query parameter: never a 500, nothing saved on refusal.

Routes, URLs and valid POST data come from the access matrix (``<app>/tests/access_routes.py``).
For each hostile value, every field of the route's POST data (and every known filter parameter of
the GET pages) gets that value at once; the answer must be a page (a form error or the filtered
list), a redirect, 400, 403 or 404 — never a 500 — and when the answer is not a redirect (the input
was refused) no row of any model was added or removed. Then: one field at a time (the others valid),
malformed ids in every URL (404), and a body over DATA_UPLOAD_MAX_MEMORY_SIZE (400, with CSRF checked
as in production so the body is read before any view).

Run it on PostgreSQL too: it refuses NUL characters in strings, which SQLite stores silently
(``quotes:product_search?q=a%00b`` was a 500 there).
"""

import uuid

import pytest
from django.apps import apps
from django.conf import settings
from django.test import Client
from django.urls import reverse

from tests.test_access_matrix import ROUTES_BY_NAME, objs  # noqa: F401 (the fixture)

HOSTILE = {
    "long": "Ă" * 10_000,
    "html": "<script>alert(1)</script><img src=x onerror=alert(2)>\"'&",
    "control": "a\x00b\x1b[31mc\x07\x08",
    "emoji": "👷‍♀️🏗️💥" * 20,
    "rtl": "\u202eexe.pdf\u202c\u200b",
    "negative": "-1",
    "huge": "1e308",
    "huge_int": "9" * 40,
    "nan": "NaN",
    "bad_date": "31.02.2026",
    "far_date": "01.01.9999",
    "zero_date": "0000-00-00",
    "iso_far_date": "9999-12-31",
    "bad_uuid": "00000000-0000-0000-0000-00000000000Z",
    "other_uuid": str(uuid.uuid4()),
    "sql": "' OR 1=1; --",
    "list_like": "[]{}",
    "empty": "",
}

# Every query parameter a list page reads (filter forms, pagination, sort).
QUERY_PARAMETERS = (
    "q",
    "page",
    "sort",
    "ordonare",
    "status",
    "stare",
    "tip",
    "categorie",
    "sursa",
    "legat",
    "de_la",
    "pana_la",
    "data",
    "an",
    "luna",
    "moneda",
    "proiect",
    "contract",
    "necitite",
    "noi",
    "doar_noi",
    "cauta",
    "perioada",
    "scadente",
    "restante",
    "format",
    "order",
    "dir",
    "new",
    "documents",
    "invoice",
    "link",
    "category",
    "unread",
)

ACCEPTED = {200, 202, 302, 400, 403, 404}  # 202: taken, built by a task (the statement's PDF)

# Complete valid data for forms whose access-matrix data is minimal (objs → data).
FULL_DATA = {
    "quotes:request_create": lambda o: {
        "delivery_option": "address",
        "new_label": "Depozit",
        "new_address": "Str. Fabricii 3",
        "new_city": "Cluj-Napoca",
        "new_county": "Cluj",
        "new_contact_name": "Ion Pop",
        "new_contact_phone": "0722111222",
        "save_address": "on",
        "desired_date": "2026-12-20",
        "remarks": "Urgent",
        "lines-TOTAL_FORMS": "2",
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "1000",
        "lines-0-product": "Pompă CP-200",
        "lines-0-quantity": "2,5",
        "lines-0-unit": "buc",
        "lines-0-note": "inox",
        "lines-1-product": "Vană DN50",
        "lines-1-quantity": "3",
    },
    "billing:notice_create": lambda o: {
        "amount": "1210,00",
        "currency": "RON",
        "paid_on": "20.11.2026",
        "reference": "OP 123",
        "invoices": [str(o["invoice"].public_id)],
        "message": "Plata",
    },
    "shipments:report_problem": lambda o: {"description": "Un colet a sosit deteriorat la descărcare."},
    "shipments:confirm_receipt": lambda o: {"confirm": "on", "kind": "good"},
}


def route_data(route, objs) -> dict:  # noqa: F811
    full = FULL_DATA.get(route.name)
    return {**route.data(objs), **(full(objs) if full else {})}


def model_counts() -> dict[str, int]:
    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models()
        if model._meta.label not in {"sessions.Session", "portal.AuditEntry", "portal.PendingTask"}
    }


def post_routes():
    return sorted(name for name, route in ROUTES_BY_NAME.items() if route.post["owner_admin"] != 405)


def get_routes():
    return sorted(name for name, route in ROUTES_BY_NAME.items() if route.get["owner_admin"] != 405)


def _check(response, where):
    assert response.status_code in ACCEPTED, f"{where}: {response.status_code}"


@pytest.mark.parametrize("route_name", post_routes())
def test_hostile_values_in_every_posted_field(client, objs, route_name):  # noqa: F811
    route = ROUTES_BY_NAME[route_name]
    url = reverse(route.name, kwargs=route.kwargs(objs))
    fields = set(route_data(route, objs)) | {"id", "ids", "invoice", "invoices", "company", "file_id"}
    client.force_login(objs["users"]["owner_admin"])
    for label, value in HOSTILE.items():
        before = model_counts()
        response = client.post(url, dict.fromkeys(fields, value))
        _check(response, f"POST {url} {label}")
        if response.status_code != 302:
            assert model_counts() == before, f"POST {url} {label}: refused but rows changed"


# Reading a page may record that a document was seen or keep a PDF rendered on the spot; asking for a list's
# XLSX records the export a task builds (one per distinct filter the hostile values leave valid).
READ_SIDE_EFFECTS = {"files.DocumentSeen", "files.StoredFile", "billing.ListExport"}


@pytest.mark.parametrize("route_name", get_routes())
def test_hostile_values_in_every_query_parameter(client, objs, route_name):  # noqa: F811
    route = ROUTES_BY_NAME[route_name]
    url = reverse(route.name, kwargs=route.kwargs(objs))
    client.force_login(objs["users"]["owner_admin"])
    client.get(url)  # the read side effects happen once
    before = model_counts()
    for label, value in HOSTILE.items():
        response = client.get(url, dict.fromkeys(QUERY_PARAMETERS, value))
        _check(response, f"GET {url} {label}")
    after = model_counts()
    assert {k: v for k, v in after.items() if k not in READ_SIDE_EFFECTS} == {
        k: v for k, v in before.items() if k not in READ_SIDE_EFFECTS
    }


def routes_with_ids():
    from unittest.mock import MagicMock

    return sorted(name for name, route in ROUTES_BY_NAME.items() if route.kwargs(MagicMock()))


@pytest.mark.parametrize("route_name", routes_with_ids())
def test_malformed_ids_in_urls_are_404(client, objs, route_name):  # noqa: F811
    route = ROUTES_BY_NAME[route_name]
    kwargs = route.kwargs(objs)
    url = reverse(route.name, kwargs=kwargs)
    client.force_login(objs["users"]["owner_admin"])
    for key, value in kwargs.items():
        for bad in ("not-a-uuid", str(uuid.uuid4()), "0", "-1", "%00", "..%2F..%2Fetc"):
            response = client.get(url.replace(str(value), bad, 1))
            assert response.status_code in {404, 405}, f"{url} {key}={bad}: {response.status_code}"


@pytest.mark.parametrize("route_name", post_routes())
def test_an_oversized_body_is_a_400(objs, route_name):  # noqa: F811
    """With CSRF checked as in production, the body is read (and refused) before any view runs."""
    route = ROUTES_BY_NAME[route_name]
    url = reverse(route.name, kwargs=route.kwargs(objs))
    client = Client(enforce_csrf_checks=True)
    client.force_login(objs["users"]["owner_admin"])
    secret = "a" * 32
    client.cookies[settings.CSRF_COOKIE_NAME] = secret
    before = model_counts()
    big = "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)
    response = client.post(url, {**route.data(objs), "csrfmiddlewaretoken": secret, "padding": big})
    assert response.status_code == 400
    assert model_counts() == before


# One field at a time, the others valid: validation that stops at the first bad field cannot hide a
# crash in a later one (a formset's lines, a quantity of 1e308, a date in year 9999).
ONE_BY_ONE = ("long", "control", "huge", "huge_int", "negative", "nan", "bad_date", "far_date", "bad_uuid")


def routes_with_fields():
    from unittest.mock import MagicMock

    return [name for name in post_routes() if name in FULL_DATA or ROUTES_BY_NAME[name].data(MagicMock())]


@pytest.mark.parametrize("route_name", routes_with_fields())
def test_hostile_values_one_field_at_a_time(client, objs, route_name):  # noqa: F811
    route = ROUTES_BY_NAME[route_name]
    url = reverse(route.name, kwargs=route.kwargs(objs))
    data = route_data(route, objs)
    client.force_login(objs["users"]["owner_admin"])
    for field in data:
        for label in ONE_BY_ONE:
            before = model_counts()
            response = client.post(url, {**data, field: HOSTILE[label]})
            _check(response, f"POST {url} {field}={label}")
            if response.status_code != 302:
                assert model_counts() == before, f"POST {url} {field}={label}: refused but rows changed"
