from django import template

from portal.paging import query_without

register = template.Library()


@register.simple_tag(takes_context=True)
def query_with(context, **changes) -> str:
    """The current query string with some parameters replaced: a second paginator on a page (its documents)
    keeps the first one's filters and page."""
    return query_without(context["request"], **changes)
