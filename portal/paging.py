"""Paging a list page and the query strings its links carry: one way for every section."""

import hashlib
import types
from collections.abc import Callable, Iterable

from django.core.cache import cache
from django.core.paginator import Page, Paginator
from django.http import HttpRequest, QueryDict

# The query parameters once had Romanian names; links in emails, bookmarks and the ERP still carry them,
# so each old name is read where its new one is absent. Links the portal writes use the new names only.
OLD_PARAMETER_NAMES = {
    "stare": "status",
    "ordine": "sort",
    "noi": "new",
    "documente": "documents",
    "factura": "invoice",
    "legat": "link",
    "categorie": "category",
    "necitite": "unread",
}


def with_old_parameter_names(data: QueryDict | None) -> QueryDict | None:
    """The query with each old parameter name read as its new one (where the new one is absent)."""
    renamed = [(old, new) for old, new in OLD_PARAMETER_NAMES.items() if data and old in data and new not in data]
    if not renamed:
        return data
    data = data.copy()
    for old, new in renamed:
        data.setlist(new, data.pop(old))
    return data


def query_param(request: HttpRequest, name: str) -> str | None:
    """One query parameter by its name, or by the old name it replaced."""
    return with_old_parameter_names(request.GET).get(name)


def query_without(request: HttpRequest, *names: str, **changes) -> str:
    """The current query string less the parameters `names`, with `changes` set (a new one goes last).

    A list's pager drops "page" and appends its own; a column header also sets its order; a second pager on
    a page (its documents) sets its own page and keeps the first one's filters and page.
    """
    query = with_old_parameter_names(request.GET).copy()
    for name in names:
        query.pop(name, None)
    for name, value in changes.items():
        query[name] = value
    return query.urlencode()


def paginate(request: HttpRequest, items, *, per_page: int, rows: Callable[[Iterable], list] | None = None) -> Page:
    """The page the request asks for (?page=: the first when it is not a number, the last when past the end);
    `rows` turns that page's objects into what the template shows, so only one page of rows is decorated."""
    page = Paginator(items, per_page).get_page(request.GET.get("page"))
    if rows is not None:
        page.object_list = rows(page.object_list)
    return page


def with_cached_count(queryset, *, key: str, seconds: int = 600):
    """``queryset`` with its count read from the cache under ``key`` (which must change whenever the count
    may: the company's stamp, the rights, the filters), for the lists whose count is the costly part of a
    search. Paginator asks ``count()``; the page's slice is a clone and queries as usual."""
    count = cache.get_or_set(f"count:{hashlib.sha256(key.encode()).hexdigest()}", queryset.count, seconds)
    # A method of the queryset, as Paginator checks (a plain function would make it call len(): every row).
    queryset.count = types.MethodType(lambda self: count, queryset)
    return queryset
