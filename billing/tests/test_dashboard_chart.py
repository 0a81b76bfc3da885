"""The dashboard's invoiced-and-paid chart: the twelve months up to the current one, months without
invoices or payments included, each amount written out on hover as the portal writes money."""

from datetime import date
from decimal import Decimal

import pytest
from django.utils import translation

from billing.models import Payment
from billing.selectors import _invoiced_and_paid_chart, _twelve_months
from billing.tests.factories import issued_invoice

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("today", [date(2026, 3, 31), date(2026, 3, 1), date(2026, 12, 3), date(2027, 1, 31)])
def test_twelve_months_end_with_the_current_one(today):
    months = _twelve_months(today)
    assert len(months) == 12 and months[-1] == today.replace(day=1)
    assert (months[-1].year - months[0].year) * 12 + months[-1].month - months[0].month == 11
    assert all(m.day == 1 for m in months) and len(set(months)) == 12 and months == sorted(months)


def test_every_month_up_to_today_with_amounts_on_hover(company_a):
    today = date(2026, 3, 31)  # 335 days back from 1 March is still March 2025: the old chart ended in February
    issued_invoice(company_a, issue_date=date(2025, 5, 10), due_date=date(2025, 6, 10), lines=(("1000.00", 19),))
    issued_invoice(company_a, issue_date=today, due_date=date(2026, 4, 30), lines=(("5000.00", 21),))
    Payment.objects.create(company=company_a, date=date(2026, 3, 2), amount=Decimal("1234.50"), reference="OP1")
    with translation.override("ro"):
        chart = _invoiced_and_paid_chart(company_a, today)
    invoiced, paid = chart["data"]
    assert invoiced["x"][0] == "apr 25" and invoiced["x"][-1] == "mar 26" and len(invoiced["x"]) == 12
    assert invoiced["y"][1] == 1190.0 and invoiced["y"][-1] == 6050.0 and invoiced["y"][2:11] == [0.0] * 9
    assert paid["y"][-1] == 1234.5
    assert invoiced["customdata"][-1] == "6.050,00 lei" and paid["customdata"][0] == "0,00 lei"
    assert invoiced["hovertemplate"] == "%{fullData.name}: %{customdata}<extra></extra>"
    assert chart["layout"]["hovermode"] == "x unified"
    # Labels that fit: the margins grow to hold them, slanted at phone width (dashboard.js).
    assert chart["layout"]["xaxis"]["automargin"] and chart["layout"]["yaxis"]["automargin"]
    assert chart["compact"]["xaxis.tickangle"] == -60
    assert chart["table"][-1] == ("mar 26", 6050.0, 1234.5)
