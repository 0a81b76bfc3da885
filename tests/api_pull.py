"""Calling the ERP's pull lists in tests (portal/api_paging.py): a page, every page through the cursor, and the
refusals every list shares (no key, a key without the scope, a bad cursor or date)."""

from __future__ import annotations

import itertools
from datetime import datetime

from integrations.tests.factories import ALL_SCOPES, bearer, integration_key

_names = itertools.count(1)


def full_key() -> dict:
    """The headers of a new key holding every scope (its integration is "ERP citire <n>")."""
    return bearer(integration_key(name=f"ERP citire {next(_names)}")[1])


def get_page(client, path: str, headers: dict, **params) -> dict:
    response = client.get(path, {name: value for name, value in params.items() if value is not None}, **headers)
    assert response.status_code == 200, response.content
    return response.json()


def walk(client, path: str, headers: dict, **params) -> tuple[list[dict], int]:
    """Every item, following ``next_cursor`` page by page; and how many pages that took."""
    items, pages, cursor = [], 0, None
    while True:
        body = get_page(client, path, headers, cursor=cursor, **params)
        items += body["items"]
        pages += 1
        cursor = body["next_cursor"]
        if cursor is None:
            return items, pages
        assert pages < 50, "the cursor does not advance"


def stamp(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def assert_ascending(items: list[dict]) -> None:
    keys = [stamp(item["updated_at"]) for item in items]
    assert keys == sorted(keys)


def assert_refusals(client, path: str, *, scope: str) -> None:
    """401 without a key, 403 with a key lacking ``scope``, 400 with a field error for a malformed cursor,
    a date that is not one and a limit over the maximum."""
    anonymous = client.get(path)
    assert anonymous.status_code == 401 and anonymous["Content-Type"] == "application/problem+json"
    others = [s for s in ALL_SCOPES if s != scope]
    _integration, key = integration_key(scopes=others, name=f"fără {scope}")
    refused = client.get(path, **bearer(key))
    assert refused.status_code == 403 and scope in refused.json()["detail"]
    headers = full_key()
    for params, field in [
        ({"cursor": "nu-e-un-cursor"}, "cursor"),
        ({"cursor": "MjAyNi0wMS0wMVQwMDowMDowMCswMDowMHxhYmM"}, "cursor"),  # a time, then "abc" as the id
        ({"updated_since": "ieri"}, "updated_since"),
        ({"updated_since": "0001-01-01T00:00:00+14:00"}, "updated_since"),
        ({"limit": "501"}, "limit"),
        ({"limit": "0"}, "limit"),
    ]:
        response = client.get(path, params, **headers)
        assert response.status_code == 400, (params, response.content)
        assert response["Content-Type"] == "application/problem+json"
        assert [error["field"] for error in response.json()["errors"]] == [field], params
