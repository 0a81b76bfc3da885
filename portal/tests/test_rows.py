import uuid
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.urls import reverse
from django.utils import translation

from portal.rows import detail_url, short_date, short_datetime


def test_detail_url_is_what_reverse_gives():
    public_id = uuid.uuid4()
    for name in ("support:detail", "billing:invoice_detail", "files:detail"):
        assert detail_url(name)(public_id) == reverse(name, args=[public_id])


def test_dates_as_the_date_filter_shows_them():
    with translation.override("ro"):
        assert short_date(date(2026, 3, 2)) == "02.03.2026"
        # 22:30 UTC on 1 March is already 2 March in Bucharest.
        moment = datetime(2026, 3, 1, 22, 30, tzinfo=ZoneInfo("UTC"))
        assert short_date(moment) == "02.03.2026"
        assert short_datetime(moment) == "02.03.2026 00:30"
        assert short_date(None) == short_datetime(None) == ""


def test_amounts_as_floatformat_shows_them():
    from decimal import Decimal

    from django.template.defaultfilters import floatformat

    from portal.money import format_amount as amount

    for language in ("ro", "en"):
        with translation.override(language):
            for value in ("0", "1234567.891", "-1234.5", "0.005", "999.995"):
                assert amount(Decimal(value)) == floatformat(Decimal(value), "2g")
    assert amount(None) == ""


def test_the_fast_path_formats_like_django_and_falls_back_for_other_formats():
    from django.test import override_settings
    from django.utils import formats

    from portal.rows import _strftime_pattern

    moment = datetime(2026, 3, 1, 22, 30, tzinfo=ZoneInfo("UTC"))
    for language in ("ro", "en"):
        with translation.override(language):
            local = moment.astimezone(ZoneInfo("Europe/Bucharest"))
            assert short_date(moment) == formats.date_format(local, "SHORT_DATE_FORMAT")
            assert short_datetime(moment) == formats.date_format(local, "SHORT_DATETIME_FORMAT")
    assert _strftime_pattern("d.m.Y H:i") == "%d.%m.%Y %H:%M"
    assert _strftime_pattern("j N Y") is None  # day without zero, month name: Django formats it
    with override_settings(SHORT_DATE_FORMAT="j N Y", FORMAT_MODULE_PATH=None), translation.override(None):
        assert short_date(date(2026, 3, 2)) == formats.date_format(date(2026, 3, 2), "SHORT_DATE_FORMAT")
