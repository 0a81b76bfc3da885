"""Every client route × every kind of visitor × method has an expected answer.

Routes come from the URLconf; each app lists its own in ``<app>/tests/access_routes.py``
(see ``tests/access.py``). A client route nobody listed fails ``test_every_client_route_is_listed``.
"""

import importlib
import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from integrations.api import api
from integrations.tests.factories import bearer, integration_key
from tests.access import ADMIN, HOME, LOGIN, PENDING, SAME, VISITORS

APPS = (
    "accounts",
    "portal",
    "files",
    "quotes",
    "projects",
    "billing",
    "contracts",
    "support",
    "shipments",
    "dashboard",
)
CLIENT_NAMESPACES = set(APPS)


def route_modules():
    modules = []
    for app in APPS:
        try:
            modules.append(importlib.import_module(f"{app}.tests.access_routes"))
        except ModuleNotFoundError as error:
            if error.name != f"{app}.tests.access_routes":
                raise
    return modules


MODULES = route_modules()
ROUTES = [route for module in MODULES for route in module.ROUTES]
# Each route's objects come from its own app's module: a test builds only those (all of them for the
# tests that walk every route).
MODULE_OF = {route.key: module for module in MODULES for route in module.ROUTES}
ROUTES_BY_KEY = {route.key: route for route in ROUTES}
# Each route's main case, without its variants (the hostile-input and mass-assignment tests walk these).
ROUTES_BY_NAME = {route.name: route for route in ROUTES if not route.variant}


def client_route_names() -> set[str]:
    names = set()

    def walk(patterns, namespace):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, pattern.namespace or namespace)
            elif isinstance(pattern, URLPattern) and namespace in CLIENT_NAMESPACES:
                names.add(f"{namespace}:{pattern.name}")

    walk(get_resolver().url_patterns, None)
    return names


def test_every_client_route_is_listed():
    listed = {route.name for route in ROUTES}
    missing = client_route_names() - listed
    assert not missing, f"Add these routes to an access_routes.py: {sorted(missing)}"
    stale = listed - client_route_names()
    assert not stale, f"Routes listed but not in the URLconf: {sorted(stale)}"
    twice = sorted(key for key in ROUTES_BY_KEY if [route.key for route in ROUTES].count(key) > 1)
    assert not twice, f"Listed twice (give the second a variant): {twice}"


@pytest.fixture
def objs(request, company_a, company_b, admin_a, member_a, member_b, pending_user, deactivated_a, staff):
    cast = {
        "company_a": company_a,
        "company_b": company_b,
        "admin_a": admin_a,
        "member_a": member_a,
        "member_b": member_b,
        "pending_user": pending_user,
        "staff": staff,
    }
    objects = dict(cast)
    params = request.node.callspec.params if hasattr(request.node, "callspec") else {}
    route_key = params.get("route_key") or (ROUTES_BY_NAME[params["route_name"]].key if "route_name" in params else "")
    for module in [MODULE_OF[route_key]] if route_key else MODULES:
        objects.update(module.objects(cast))
    objects["users"] = {
        "anonymous": None,
        "owner_admin": admin_a,
        "owner_member": member_a,
        "other_company": member_b,
        "pending": pending_user,
        "deactivated": deactivated_a,
        "staff": staff,
    }
    return objects


def expected_location(expected: str, url: str) -> str:
    return {
        LOGIN: reverse("account_login"),
        PENDING: reverse("accounts:pending"),
        ADMIN: reverse("admin:index"),
        HOME: reverse("dashboard:home"),
        SAME: url,
    }.get(expected) or (expected if expected.startswith("/") else reverse(expected))


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize("visitor", VISITORS)
@pytest.mark.parametrize("route_key", sorted(ROUTES_BY_KEY))
def test_access(client, objs, route_key, visitor, method):
    route = ROUTES_BY_KEY[route_key]
    url = reverse(route.name, kwargs=route.kwargs(objs))
    user = objs["users"][visitor]
    if user is not None:
        client.force_login(user)  # the deactivated visitor: a session opened before deactivation
    expected = getattr(route, method)[visitor]
    response = client.post(url, route.data(objs)) if method == "post" else client.get(url)

    where = f"{method.upper()} {url} as {visitor}"
    if isinstance(expected, int):
        assert response.status_code == expected, where
    else:
        assert response.status_code == 302, f"{where}: {response.status_code}"
        assert response["Location"].split("?")[0] == expected_location(expected, url), where


# --- the ERP's API and the client portal never open each other ------------------------------------


def api_operations() -> list[tuple[str, str]]:
    operations = []
    for path, methods in api.get_openapi_schema()["paths"].items():
        concrete = re.sub(r"\{[^}]+\}", "00000000-0000-0000-0000-000000000001", path)
        operations += [(method, concrete) for method in methods if method in ("get", "post", "put", "patch", "delete")]
    return operations


@pytest.mark.parametrize("route_key", sorted(ROUTES_BY_KEY))
def test_an_api_key_opens_no_client_route(client, objs, route_key):
    _integration, key = integration_key()
    route = ROUTES_BY_KEY[route_key]
    url = reverse(route.name, kwargs=route.kwargs(objs))
    response = client.get(url, **bearer(key))
    expected = route.get["anonymous"]
    if isinstance(expected, int):
        assert response.status_code == expected, url
    else:
        assert response.status_code == 302 and response["Location"].split("?")[0] == expected_location(expected, url)


@pytest.mark.parametrize("visitor", ["owner_admin", "staff"])
def test_no_api_operation_opens_with_a_session(client, objs, visitor):
    client.force_login(objs["users"][visitor])
    operations = api_operations()
    assert len(operations) >= 4
    for method, path in operations:
        response = getattr(client, method)(path, content_type="application/json")
        assert response.status_code == 401, f"{method.upper()} {path} as {visitor}: {response.status_code}"
