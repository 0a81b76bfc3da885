"""Every client route × every kind of visitor × method has an expected answer.

The routes come from the URLconf: a client route (one of the portal's namespaces)
missing from ROUTES fails ``test_every_client_route_is_listed``. Each later section adds
its routes here. Outcomes: an HTTP status; 302 answers also name where they lead.
"""

from dataclasses import dataclass, field
from typing import Callable

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from accounts.models import Membership
from accounts.services import invitation_create
from accounts.tests.factories import MembershipFactory

CLIENT_NAMESPACES = {"portal", "accounts", "quotes", "projects", "billing", "contracts", "support", "shipments", "files"}
VISITORS = ("anonymous", "owner_admin", "owner_member", "other_company", "pending", "staff")

LOGIN = "login"
PENDING = "pending"
ADMIN = "admin"
HOME = "home"
SAME = "same"  # redirect back to the page it came from


@dataclass
class Route:
    name: str
    get: dict[str, object]
    post: dict[str, object]
    kwargs: Callable[[dict], dict] = field(default=lambda objs: {})
    data: Callable[[dict], dict] = field(default=lambda objs: {})


def section(*, right: str | None = None) -> dict:
    """A company page without an object in its URL."""
    return {"anonymous": LOGIN, "owner_admin": 200, "owner_member": 403 if right else 200,
            "other_company": 200, "pending": PENDING, "staff": ADMIN}


def member_management(status_for_owner: object) -> dict:
    """Pages for managing colleagues (company admins only) without an object in the URL."""
    return {"anonymous": LOGIN, "owner_admin": status_for_owner, "owner_member": 403,
            "other_company": status_for_owner, "pending": PENDING, "staff": ADMIN}


def object_page(status_for_owner: object, *, owner_member: object = 403) -> dict:
    """A page or action on one of company A's objects (public id in the URL)."""
    return {"anonymous": LOGIN, "owner_admin": status_for_owner, "owner_member": owner_member,
            "other_company": 404, "pending": 404, "staff": 404}


def everyone(status: object) -> dict:
    return dict.fromkeys(VISITORS, status)


LOGGED_IN_ONLY_GET = {"anonymous": LOGIN, "owner_admin": 200, "owner_member": 200,
                      "other_company": 200, "pending": 200, "staff": 200}

ROUTES = [
    Route("portal:dashboard", get=section(), post=section()),
    Route("accounts:pending", get={**LOGGED_IN_ONLY_GET, "owner_admin": HOME, "owner_member": HOME,
                                   "other_company": HOME},
          post={**LOGGED_IN_ONLY_GET, "owner_admin": HOME, "owner_member": HOME, "other_company": HOME}),
    Route("accounts:profile", get=LOGGED_IN_ONLY_GET,
          post={**everyone(SAME), "anonymous": LOGIN},
          data=lambda objs: {"first_name": "Ion", "last_name": "Pop", "phone": "0722 111 222", "language": "ro"}),
    Route("accounts:set_language", get=everyone(405), post=everyone(HOME), data=lambda objs: {"language": "en", "next": "/"}),
    Route("accounts:switch_company", get=everyone(405),
          post={"anonymous": LOGIN, "owner_admin": HOME, "owner_member": HOME, "other_company": 404,
                "pending": 404, "staff": 404},
          data=lambda objs: {"company": objs["company_a"].public_id}),
    Route("accounts:members", get=member_management(200), post=member_management(SAME),
          data=lambda objs: {"email": "nou@client.ro", "role": "member"}),
    Route("accounts:member_edit", get=object_page(200), post=object_page("accounts:members"),
          kwargs=lambda objs: {"public_id": objs["colleague"].public_id},
          data=lambda objs: {"role": "member", "can_see_billing": "on"}),
    Route("accounts:member_remove", get=everyone(405), post=object_page("accounts:members"),
          kwargs=lambda objs: {"public_id": objs["colleague"].public_id}),
    Route("accounts:member_approve", get=everyone(405), post=object_page("accounts:members"),
          kwargs=lambda objs: {"public_id": objs["join_request"].public_id}),
    Route("accounts:member_reject", get=everyone(405), post=object_page("accounts:members"),
          kwargs=lambda objs: {"public_id": objs["join_request"].public_id}),
    Route("accounts:invitation_revoke", get=everyone(405), post=object_page("accounts:members"),
          kwargs=lambda objs: {"public_id": objs["invitation"].public_id}),
    # The token is the credential: anyone holding it sees the invitation; joining needs its email.
    Route("accounts:invitation", get=everyone(200),
          post={**everyone(HOME), "anonymous": 200},
          kwargs=lambda objs: {"token": objs["invitation_token"]}),
    Route("quotes:request_list", get=section(), post=section()),
    Route("quotes:offer_list", get=section(), post=section()),
    Route("projects:list", get=section(), post=section()),
    Route("billing:invoice_list", get=section(right="billing"), post=section(right="billing")),
    Route("contracts:list", get=section(), post=section()),
    Route("support:list", get=section(), post=section()),
    Route("shipments:list", get=section(), post=section()),
    Route("files:list", get=section(), post=section()),
]
ROUTES_BY_NAME = {route.name: route for route in ROUTES}


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
    missing = client_route_names() - ROUTES_BY_NAME.keys()
    assert not missing, f"Add these routes to the access matrix: {sorted(missing)}"
    stale = ROUTES_BY_NAME.keys() - client_route_names()
    assert not stale, f"Routes listed but not in the URLconf: {sorted(stale)}"


@pytest.fixture
def objs(company_a, admin_a, member_a, member_b, pending_user, staff):
    colleague = MembershipFactory(company=company_a, user__email="coleg@client-a.ro")
    invitation, token = invitation_create(company=company_a, by=admin_a, email="invitat@client-a.ro",
                                          role="member", can_accept_offers=False, can_see_billing=False)
    return {
        "company_a": company_a,
        "colleague": colleague,
        "join_request": Membership.objects.get(user=pending_user),
        "invitation": invitation,
        "invitation_token": token,
        "users": {"anonymous": None, "owner_admin": admin_a, "owner_member": member_a,
                  "other_company": member_b, "pending": pending_user, "staff": staff},
    }


def expected_location(expected: str, url: str) -> str:
    return {
        LOGIN: reverse("account_login"), PENDING: reverse("accounts:pending"),
        ADMIN: reverse("admin:index"), HOME: reverse("portal:dashboard"), SAME: url,
    }.get(expected) or reverse(expected)


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize("visitor", VISITORS)
@pytest.mark.parametrize("route_name", sorted(ROUTES_BY_NAME))
def test_access(client, objs, route_name, visitor, method):
    route = ROUTES_BY_NAME[route_name]
    url = reverse(route.name, kwargs=route.kwargs(objs))
    user = objs["users"][visitor]
    if user is not None:
        client.force_login(user)
    expected = getattr(route, method)[visitor]
    if method == "post":
        response = client.post(url, route.data(objs))
    else:
        response = client.get(url)

    if isinstance(expected, int):
        assert response.status_code == expected, f"{method.upper()} {url} as {visitor}"
    else:
        assert response.status_code == 302, f"{method.upper()} {url} as {visitor}: {response.status_code}"
        location = response["Location"].split("?")[0]
        assert location == expected_location(expected, url), f"{method.upper()} {url} as {visitor}"
