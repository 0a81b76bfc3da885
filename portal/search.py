"""Search as Romanians type: without diacritics and in any case ("pompa", "STATIE" find "pompă", "stație").

One implementation for every search box and the header's global search:

* ``fold(text)``: lower case, diacritics removed (ă â î ș ț, and the cedilla ş ţ of old keyboards).
* the ``unaccent_icontains`` lookup on every text field (``name__unaccent_icontains="pompa"``): the
  column folded in SQL, compared with ``LIKE '%folded text%'``. In SQL the fold is the function
  ``portal_fold(text)``: on PostgreSQL ``lower(unaccent(...))`` declared IMMUTABLE by the migration
  ``portal/0006_search_fold`` (``unaccent`` itself is only STABLE, so it cannot be indexed directly),
  which also puts a pg_trgm GIN index on ``portal_fold(column)`` of each searched column, so a
  ``LIKE '%...%'`` is an index scan; on SQLite it is ``fold`` registered on each new connection.
* ``matches(query, *fields)``: the ``Q`` a list filters with. Every word typed must appear in one of
  the fields ("pompa cp-200" finds "CP-200 — Pompă centrifugală").
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from functools import reduce
from operator import and_, or_

from django.db.backends.signals import connection_created
from django.db.models import CharField, Q, TextField
from django.db.models.lookups import Lookup
from django.urls import reverse
from django.utils.http import urlencode

FOLD_FUNCTION = "portal_fold"
MAX_QUERY_LENGTH = 100
MAX_WORDS = 6
MIN_LENGTH = 2


def fold(text: str | None) -> str:
    """Lower case without diacritics: what both sides of a search are compared as."""
    if text is None:
        return None
    decomposed = unicodedata.normalize("NFKD", str(text))
    return "".join(char for char in decomposed if not unicodedata.combining(char)).lower()


def clean_query(query: str | None) -> str:
    """Typed text only, within a length: PostgreSQL refuses NUL in a string (a 500)."""
    query = "".join(char for char in (query or "")[: MAX_QUERY_LENGTH * 2] if char.isprintable())
    return " ".join(query.split())[:MAX_QUERY_LENGTH]


def words(query: str | None) -> list[str]:
    """The words to look for; none when the query is shorter than ``MIN_LENGTH`` (it would match everything)."""
    query = clean_query(query)
    if len(query) < MIN_LENGTH:
        return []
    return query.split()[:MAX_WORDS]


def matches(query: str | None, *fields: str) -> Q:
    """Rows where every word of ``query`` is in one of ``fields``, ignoring case and diacritics.

    An empty (or one-letter) query gives an empty ``Q``: it filters nothing out.
    """
    per_word = [reduce(or_, (Q(**{f"{field}__unaccent_icontains": word}) for field in fields)) for word in words(query)]
    return reduce(and_, per_word, Q())


def _like_pattern(value: str) -> str:
    escaped = fold(value).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


class UnaccentIContains(Lookup):
    """``field__unaccent_icontains=text``: contains, ignoring case and diacritics (see the module)."""

    lookup_name = "unaccent_icontains"
    prepare_rhs = False

    def get_db_prep_lookup(self, value, connection):
        return "%s", [_like_pattern(value)]

    def as_sql(self, compiler, connection):
        lhs_sql, lhs_params = self.process_lhs(compiler, connection)
        rhs_sql, rhs_params = self.process_rhs(compiler, connection)
        # PostgreSQL's default LIKE escape is the backslash; SQLite has none unless told.
        escape = "" if connection.vendor == "postgresql" else " ESCAPE '\\'"
        return f"{FOLD_FUNCTION}({lhs_sql}) LIKE {rhs_sql}{escape}", [*lhs_params, *rhs_params]


CharField.register_lookup(UnaccentIContains)
TextField.register_lookup(UnaccentIContains)


def _register_sqlite_fold(sender, connection, **kwargs):
    if connection.vendor == "sqlite":
        connection.connection.create_function(FOLD_FUNCTION, 1, fold, deterministic=True)


connection_created.connect(_register_sqlite_fold, dispatch_uid="portal.search.fold")


# --- the global search's results: each section's ``selectors.search`` returns groups of hits -------------


@dataclass
class Hit:
    title: str
    detail: str
    url: str


@dataclass
class Group:
    """One section's hits (at most ``limit``); ``list_url`` is the section's list filtered by the query,
    for the sections whose list has a search box."""

    key: str
    label: str
    icon: str
    hits: list[Hit] = field(default_factory=list)
    has_more: bool = False
    list_url: str = ""
    more_url: str = ""  # set by the global search: list_url, or its own page for this group


def group(key: str, label: str, icon: str, rows, *, limit: int, hit, list_url: str = "") -> Group:
    """The group of the first ``limit`` rows of ``rows`` (a queryset, read once with one row more, to know
    whether there are more), each turned into a ``Hit`` by ``hit(row)``."""
    rows = list(rows[: limit + 1])
    return Group(key, label, icon, [hit(row) for row in rows[:limit]], len(rows) > limit, list_url)


def list_url(viewname: str, query: str) -> str:
    return f"{reverse(viewname)}?{urlencode({'q': clean_query(query)})}"
