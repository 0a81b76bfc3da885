"""Cursor paging for the ERP's pull lists, one way for every section's ``api.py``:
``GET /…?updated_since=…&cursor=…&limit=…`` answers ``{"items": [...], "next_cursor": "…" | null}``.

A list is ordered by (a timestamp, an id) ascending, so the ERP can poll it: the timestamp is when the row last
changed (or the best the model keeps), the id breaks ties. The cursor is opaque to the ERP: base64 of the
last item's timestamp and id; the next page starts strictly after that pair, so a row changed while the ERP
pages moves behind the cursor and is met again, never skipped.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Generic, TypeVar

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils import timezone
from ninja import Field, Schema

DEFAULT_LIMIT = 100
MAX_LIMIT = 500
T = TypeVar("T")


class PullParams(Schema):
    updated_since: datetime | None = Field(
        None,
        description="ISO 8601 date and time (without an offset: the portal's time, Europe/Bucharest). Only "
        "objects created or changed at or after it. To poll, send the last item's `updated_at` a minute "
        "earlier and skip what you already hold: a change committed late can carry an earlier time.",
    )
    cursor: str | None = Field(
        None, max_length=200, description="The `next_cursor` of the previous page, as it came (opaque)."
    )
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description="Items per page.")


class Page(Schema, Generic[T]):
    items: list[T]
    next_cursor: str | None = Field(
        ..., description="Send it as `cursor` (with the same `updated_since`) for the next page; null on the last."
    )


@dataclass(frozen=True)
class Position:
    at: datetime
    key: int


def encode_cursor(at: datetime, key: int) -> str:
    raw = f"{at.astimezone(UTC).isoformat()}|{key}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> Position:
    """The position a cursor names; a cursor this module did not write is a 400 on the ``cursor`` field."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        at_text, key_text = raw.split("|")
        at, key = datetime.fromisoformat(at_text), int(key_text)
        if timezone.is_naive(at) or not 0 <= key < 2**63:
            raise ValueError(raw)
        return Position(at.astimezone(UTC), key)
    except (ValueError, binascii.Error, OverflowError):
        raise ValidationError(
            {"cursor": ["Invalid cursor: send the next_cursor of the previous page unchanged."]}
        ) from None


def since(value: datetime | None) -> datetime | None:
    """``updated_since`` as an aware UTC time (a naive one is the portal's local time)."""
    if value is None:
        return None
    try:
        aware = timezone.make_aware(value) if timezone.is_naive(value) else value
        return aware.astimezone(UTC)
    except (ValueError, OverflowError):  # year 1 or 9999 pushed out of range by the offset
        raise ValidationError({"updated_since": ["The date is out of range."]}) from None


def window(queryset: QuerySet, params: PullParams, *, at: str, key: str = "pk") -> QuerySet:
    """``queryset`` from ``updated_since`` and after the cursor, in (``at``, ``key``) order, one row longer than
    a page (the extra row says whether another page follows). ``at`` and ``key`` name fields or annotations."""
    start = since(params.updated_since)
    if start is not None:
        queryset = queryset.filter(**{f"{at}__gte": start})
    if params.cursor:
        position = decode_cursor(params.cursor)
        queryset = queryset.filter(Q(**{f"{at}__gt": position.at}) | Q(**{at: position.at, f"{key}__gt": position.key}))
    return queryset.order_by(at, key)[: params.limit + 1]


def cut(rows: list, params: PullParams, *, at: str, key: str = "pk") -> tuple[list, str | None]:
    """A page of ``rows`` (sorted by ``at``, ``key``; longer than a page when more follow) and the next cursor.
    Apart from ``pull``, for a list merged from several windows (each cut at a page and one)."""
    page = rows[: params.limit]
    if len(rows) <= params.limit:
        return page, None
    last = page[-1]
    return page, encode_cursor(getattr(last, at), getattr(last, key))


def pull(queryset: QuerySet, params: PullParams, *, at: str, key: str = "pk") -> tuple[list, str | None]:
    """One page of ``queryset`` and the cursor of the next (None on the last): one query, plus its prefetches."""
    return cut(list(window(queryset, params, at=at, key=key)), params, at=at, key=key)
