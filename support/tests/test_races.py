"""Concurrency on PostgreSQL: numbers stay unique, a ticket is rated and closed once."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from conftest import require
from support import services
from support.models import StatusChange, Ticket
from tests.threads import run_together

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_concurrent_openings_get_distinct_numbers(company_a, admin_a):
    require(connection.vendor == "postgresql", "PostgreSQL (DATABASE_URL)")
    results = run_together(
        [
            lambda i=i: (
                services.ticket_open(company=company_a, user=admin_a, subject=f"Tichet {i}", description="x").number
            )
            for i in range(8)
        ]
    )
    assert not [r for r in results if isinstance(r, Exception)], results
    assert len(set(results)) == 8 and Ticket.objects.count() == 8


def test_two_tabs_rate_and_close_once(company_a, admin_a, member_a, staff):
    require(connection.vendor == "postgresql", "PostgreSQL (DATABASE_URL)")
    ticket = services.ticket_open(company=company_a, user=admin_a, subject="S", description="D")
    services.ticket_set_status(ticket=ticket, status=Ticket.Status.RESOLVED, by=staff)
    users = [admin_a, member_a]
    rated = run_together(
        [
            lambda i=i: services.ticket_rate(ticket=ticket, company=company_a, user=users[i], rating=i + 4)
            for i in range(2)
        ]
    )
    assert sum(isinstance(r, Ticket) for r in rated) == 1
    assert sum(isinstance(r, ValidationError) for r in rated) == 1
    closed = run_together(
        [lambda user=user: services.ticket_close(ticket=ticket, company=company_a, user=user) for user in users]
    )
    assert sum(isinstance(r, Ticket) for r in closed) == 1
    assert StatusChange.objects.filter(ticket=ticket, to_status=Ticket.Status.CLOSED).count() == 1
