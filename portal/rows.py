"""Values a list row shows, computed once in Python instead of per row in the template.

Rendering a 25-row list spent most of its time in per-row ``{% url %}``, ``|date`` and ``{% include %}``
(docs/PERFORMANCE.md). ``detail_urls`` reverses a URL once and fills in each row's id; the date helpers
are what ``|date:"SHORT_DATE_FORMAT"`` does, without the template machinery around it.
"""

import uuid
from collections.abc import Callable
from datetime import date, datetime
from functools import lru_cache

from django.urls import reverse
from django.utils import formats, timezone

_SENTINEL = uuid.UUID(int=0)


def detail_url(viewname: str) -> Callable[[uuid.UUID], str]:
    """A function giving ``reverse(viewname, args=[public_id])`` for any public id, with one reverse."""
    pattern = reverse(viewname, args=[_SENTINEL])
    head, _, tail = pattern.partition(str(_SENTINEL))
    return lambda public_id: f"{head}{public_id}{tail}"


# Django's date format characters our SHORT_* formats use, as strftime directives: date_format() builds
# a formatter object per call, which for a few dates per row is most of a list's row time.
_STRFTIME = {"d": "%d", "m": "%m", "Y": "%Y", "H": "%H", "i": "%M", ".": ".", " ": " ", ":": ":", "/": "/", "-": "-"}


@lru_cache(maxsize=16)
def _strftime_pattern(django_format: str) -> str | None:
    """The strftime pattern for a Django date format, or None when it uses other characters."""
    if any(char not in _STRFTIME for char in django_format):
        return None
    return "".join(_STRFTIME[char] for char in django_format)


def _format(value: date | datetime, format_name: str) -> str:
    pattern = _strftime_pattern(formats.get_format(format_name))
    return value.strftime(pattern) if pattern else formats.date_format(value, format_name)


def short_date(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = timezone.localtime(value)
    return _format(value, "SHORT_DATE_FORMAT")


def short_datetime(value: datetime | None) -> str:
    if value is None:
        return ""
    return _format(timezone.localtime(value), "SHORT_DATETIME_FORMAT")
