"""Paging a list page and the query strings its links carry: one way for every section."""

from collections.abc import Callable, Iterable

from django.core.paginator import Page, Paginator
from django.http import HttpRequest


def query_without(request: HttpRequest, *names: str, **changes) -> str:
    """The current query string less the parameters `names`, with `changes` set (a new one goes last).

    A list's pager drops "page" and appends its own; a column header also sets its order; a second pager on
    a page (its documents) sets its own page and keeps the first one's filters and page.
    """
    query = request.GET.copy()
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
