"""Cursor paging of the ERP's pull lists (portal/api_paging.py), over the audit log's rows: (time, id) ascending,
ties broken by id, no row twice and none left out, a cursor it did not write refused on its field."""

import base64
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError

from portal.api_paging import PullParams, decode_cursor, encode_cursor, pull, since
from portal.models import AuditEntry

T0 = datetime(2026, 3, 2, 9, 0, 0, 123456, tzinfo=UTC)


@pytest.fixture
def entries(db):
    """Seven entries; the 2nd, 3rd and 4th share one time."""
    minutes = [0, 1, 1, 1, 2, 3, 4]
    made = [AuditEntry.objects.create(action=f"test.{n}") for n in range(len(minutes))]
    for entry, minute in zip(made, minutes, strict=True):
        AuditEntry.objects.filter(pk=entry.pk).update(created_at=T0 + timedelta(minutes=minute))
    return made


def every_page(params: dict) -> list[list[str]]:
    pages, cursor = [], None
    while True:
        rows, cursor = pull(AuditEntry.objects.all(), PullParams(**params, cursor=cursor), at="created_at")
        pages.append([row.action for row in rows])
        if cursor is None:
            return pages


def test_a_cursor_is_the_position_it_names():
    position = decode_cursor(encode_cursor(T0, 42))
    assert (position.at, position.key) == (T0, 42)
    # another offset is the same moment; the cursor carries no padding to escape in a URL
    local = T0.astimezone(ZoneInfo("Europe/Bucharest"))
    assert encode_cursor(local, 42) == encode_cursor(T0, 42) and "=" not in encode_cursor(local, 42)


@pytest.mark.parametrize(
    "cursor",
    [
        "",
        "!!!",
        "bm90IGEgY3Vyc29y",  # "not a cursor"
        base64.urlsafe_b64encode(b"2026-03-02T09:00:00|7").decode(),  # no offset
        base64.urlsafe_b64encode(b"2026-03-02T09:00:00+00:00|-1").decode(),
        base64.urlsafe_b64encode(b"2026-03-02T09:00:00+00:00|99999999999999999999").decode(),
        base64.urlsafe_b64encode(b"2026-13-02T09:00:00+00:00|7").decode(),
        base64.urlsafe_b64encode("2026-03-02T09:00:00+00:00|7|ă".encode()).decode(),
        base64.urlsafe_b64encode(b"\xff\xfe").decode(),
    ],
)
def test_a_cursor_it_did_not_write_is_a_field_error(cursor):
    with pytest.raises(ValidationError) as refused:
        decode_cursor(cursor)
    assert list(refused.value.message_dict) == ["cursor"]


def test_updated_since_without_an_offset_is_the_portals_time():
    assert since(datetime(2026, 3, 2, 11, 0)) == datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # EET, UTC+2
    assert since(None) is None
    with pytest.raises(ValidationError):
        since(datetime(1, 1, 1, 0, 0, tzinfo=ZoneInfo("Asia/Tokyo")))


def test_pages_follow_each_other_without_gaps_or_repeats(entries):
    pages = every_page({"limit": 2})
    assert pages == [["test.0", "test.1"], ["test.2", "test.3"], ["test.4", "test.5"], ["test.6"]]
    assert every_page({"limit": 7}) == [[f"test.{n}" for n in range(7)]]
    assert every_page({"limit": 500}) == [[f"test.{n}" for n in range(7)]]


def test_updated_since_keeps_what_changed_at_or_after_it(entries):
    assert every_page({"limit": 2, "updated_since": T0 + timedelta(minutes=1)}) == [
        ["test.1", "test.2"],
        ["test.3", "test.4"],
        ["test.5", "test.6"],
    ]
    assert every_page({"updated_since": T0 + timedelta(minutes=5)}) == [[]]


def test_a_row_changed_while_paging_is_met_again_after_the_cursor(entries):
    rows, cursor = pull(AuditEntry.objects.all(), PullParams(limit=3), at="created_at")
    AuditEntry.objects.filter(pk=rows[0].pk).update(created_at=T0 + timedelta(minutes=10))
    rest, _cursor = pull(AuditEntry.objects.all(), PullParams(limit=10, cursor=cursor), at="created_at")
    assert [row.action for row in rest] == ["test.3", "test.4", "test.5", "test.6", "test.0"]
