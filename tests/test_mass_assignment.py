"""Mass assignment: fields a form does not offer change nothing.

For every client POST route of the access matrix (as company A's administrator), the route's valid
data is posted twice from the same state: once as is (inside a transaction rolled back afterwards),
once with extra fields naming another company, statuses, prices and totals, internal flags, roles,
authors, public ids and numbers. The rows of every model after both posts must be the same
(ignoring what differs by nature between two runs: primary keys, generated ids, timestamps).
"""

import uuid

import pytest
from django.apps import apps
from django.core.cache import cache
from django.db import models, transaction
from django.urls import reverse

from tests.test_access_matrix import ROUTES_BY_NAME, objs  # noqa: F401 (the fixture)

SKIPPED_MODELS = {
    "sessions.Session",
    "admin.LogEntry",
    "portal.PendingTask",
    "contenttypes.ContentType",
    "auth.Permission",
}
VOLATILE_NAMES = ("token", "key", "secret", "ip", "last_login", "password", "object_id", "object_repr")
# Fields these forms do offer (an unticked checkbox is simply absent from the valid data).
OFFERED = {
    "accounts:members": {"role", "can_accept_offers", "can_see_billing", "job_title"},
    "accounts:member_edit": {"role", "can_accept_offers", "can_see_billing", "job_title"},
}


class Rollback(Exception):
    pass


def _stable(field) -> bool:
    if field.primary_key or isinstance(
        field, (models.UUIDField, models.DateTimeField, models.FileField, models.JSONField)
    ):
        return False
    if any(part in field.name for part in VOLATILE_NAMES):
        return False
    if field.is_relation:  # ids of pre-existing companies and users are stable, new rows' are not
        return field.related_model._meta.label in {"accounts.Company", "accounts.User"}
    return True


def snapshot() -> dict[str, list]:
    state = {}
    for model in apps.get_models():
        if model._meta.label in SKIPPED_MODELS:
            continue
        fields = [field.attname for field in model._meta.concrete_fields if _stable(field)]
        state[model._meta.label] = sorted(map(repr, model._default_manager.values_list(*fields)))
    return state


def extras(objs) -> dict:  # noqa: F811
    other, intruder = objs["company_b"], objs["member_b"]
    return {
        "company": other.pk,
        "company_id": other.pk,
        "company_public_id": str(other.public_id),
        "status": "accepted",
        "state": "paid",
        "stare": "platita",
        "price": "0.01",
        "unit_price": "0.01",
        "total": "0",
        "total_gross": "0",
        "total_net": "0",
        "amount": "999999",
        "discount_percent": "100",
        "vat_rate": "0",
        "is_internal": "on",
        "internal": "on",
        "is_staff": "on",
        "is_superuser": "on",
        "is_active": "on",
        "role": "admin",
        "can_accept_offers": "on",
        "can_see_billing": "on",
        "created_by": intruder.pk,
        "author": intruder.pk,
        "user": intruder.pk,
        "decided_by": intruder.pk,
        "public_id": str(uuid.uuid4()),
        "number": "999999",
        "series": "HACK",
        "revision": "99",
        "priority": "urgent",
        "sla_paused": "on",
        "rating": "1",
        "pdf": "1",
        "paid_at": "2026-01-01",
    }


def post_routes():
    return sorted(name for name, route in ROUTES_BY_NAME.items() if route.post["owner_admin"] != 405)


@pytest.mark.parametrize("route_name", post_routes())
def test_fields_the_form_does_not_offer_change_nothing(client, objs, route_name):  # noqa: F811
    route = ROUTES_BY_NAME[route_name]
    url = reverse(route.name, kwargs=route.kwargs(objs))
    data = route.data(objs)
    client.force_login(objs["users"]["owner_admin"])
    session = dict(client.session)

    try:
        with transaction.atomic():
            plain = client.post(url, data)
            expected = snapshot()
            raise Rollback
    except Rollback:
        pass
    cache.clear()
    client.force_login(objs["users"]["owner_admin"])
    for key, value in session.items():
        s = client.session
        s[key] = value
        s.save()
    # Offered fields keep their posted value; everything else is an attempt.
    offered = set(data) | OFFERED.get(route_name, set())
    attack = {**{k: v for k, v in extras(objs).items() if k not in offered}, **data}
    hostile = client.post(url, attack)
    assert hostile.status_code == plain.status_code
    actual = snapshot()
    changed = {label: (expected[label], actual[label]) for label in expected if expected[label] != actual[label]}
    assert not changed, f"POST {url} with extra fields changed: {changed}"
