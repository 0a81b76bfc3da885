"""What a section hands the dashboard: ``<section>.selectors.dashboard_summary(company, membership)``.

A summary carries the figures its card counts, as scalar subqueries the dashboard reads for every section
in one query on the company's row; the card built from their values (with the chart it draws, if any); and
the activity-feed actions the member may see. The types live on the floor because the sections build them
and the dashboard, above the sections, renders them: neither imports the other.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import Aggregate, Count, IntegerField, QuerySet, Subquery, TextField, Value
from django.db.models.functions import Coalesce
from django.utils.functional import Promise


@dataclass
class Urgent:
    text: str
    url: str
    when: str = ""


@dataclass
class Card:
    key: str
    title: str
    icon: str
    url: str
    count: int
    count_label: str
    empty: str
    tone: str = "primary"
    urgent: Urgent | None = None
    links: list[Urgent] = field(default_factory=list)  # further items to open, under the urgent one
    figures: list[tuple[str, str]] = field(default_factory=list)
    chart: dict | None = None  # a plotly figure dict
    chart_rows: list = field(default_factory=list)  # the rows the chart draws, listed beside it


@dataclass
class Summary:
    # Name -> scalar subquery on the company's row (``count_of``, ``first_of``).
    figures: dict = field(default_factory=dict)
    # Builds the card from the figures' values, by the same names. The same for every member of the
    # company with the same rights: the dashboard caches it until the company's data changes.
    card: Callable[[dict], Card] | None = None
    # Or a card of the member's own (what they have not opened yet), built at every visit from what the
    # section keeps per member.
    own_card: Callable[[], Card] | None = None
    # Audit action -> what the feed says the actor did; only the actions this member may see.
    feed: dict[str, Promise] = field(default_factory=dict)
    # Leaves out of the feed's audit entries those about objects the member may not see.
    hide_from_feed: Callable[[QuerySet], QuerySet] | None = None


def count_of(queryset: QuerySet) -> Coalesce:
    """How many rows of one company ``queryset`` has, as a scalar subquery."""
    counted = queryset.order_by().values("company").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def first_of(queryset: QuerySet, ordering: tuple, **fields: str) -> dict:
    """Fields of the first row of ``queryset`` in ``ordering``, each as a scalar subquery."""
    ordered = queryset.order_by(*ordering)
    return {name: Subquery(ordered.values(field)[:1]) for name, field in fields.items()}


# Joins the texts of ``texts_of``: a control character no name or title holds, so the card can split them.
TEXT_SEPARATOR = "\x1f"


class _JoinedTexts(Aggregate):
    """A group's texts joined by ``TEXT_SEPARATOR``: STRING_AGG on PostgreSQL, GROUP_CONCAT on SQLite."""

    function = "STRING_AGG"
    output_field = TextField()

    def __init__(self, expression):
        super().__init__(expression, Value(TEXT_SEPARATOR))

    def as_sqlite(self, compiler, connection, **extra_context):
        return super().as_sql(compiler, connection, function="GROUP_CONCAT", **extra_context)


def texts_of(queryset: QuerySet, expression) -> Coalesce:
    """The values of ``expression`` over one company's rows of ``queryset`` (in no order), as one scalar
    subquery; ``split_texts`` reads them back."""
    joined = queryset.order_by().values("company").annotate(texts=_JoinedTexts(expression)).values("texts")
    return Coalesce(Subquery(joined), Value(""), output_field=TextField())


def split_texts(value: str) -> list[str]:
    """The texts of a ``texts_of`` figure, sorted."""
    return sorted(text for text in value.split(TEXT_SEPARATOR) if text)
