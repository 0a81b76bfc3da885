"""The decision on an offer happens exactly once, even when two people click at the same moment.

Needs PostgreSQL (row locks): DATABASE_URL=postgres://... pytest quotes/tests/test_race.py
"""

import pytest
from django.db import connection

from accounts.tests.factories import MembershipFactory
from conftest import require
from portal.models import AuditEntry
from quotes import services
from quotes.models import Offer
from quotes.tests.factories import OfferFactory
from tests.threads import run_together, slow_down

pytestmark = pytest.mark.postgres


def race(monkeypatch, *calls) -> list:
    """Run the calls in threads released together; the first holder keeps the lock a moment longer."""
    slow_down(monkeypatch, services.audit, "record", 0.3)
    return run_together(calls, timeout=30)


@pytest.fixture
def colleague(company_a):
    return MembershipFactory(
        company=company_a, can_accept_offers=True, user__first_name="Radu", user__last_name="Stan"
    ).user


def test_two_colleagues_accept_at_the_same_moment(transactional_db, monkeypatch, company_a, admin_a, colleague):
    require(connection.vendor == "postgresql", "PostgreSQL (DATABASE_URL)")
    offer = OfferFactory(company=company_a)
    results = race(
        monkeypatch,
        *[
            lambda user=user: services.offer_accept(offer_id=offer.pk, company=company_a, user=user)
            for user in (admin_a, colleague)
        ],
    )
    decided = [r for r in results if isinstance(r, Offer)]
    refused = [r for r in results if isinstance(r, services.OfferNotOpen)]
    assert len(decided) == 1 and len(refused) == 1, results
    winner = decided[0].decided_by
    assert "a fost deja acceptată de " + winner.get_full_name() in str(refused[0])
    offer.refresh_from_db()
    assert offer.status == Offer.Status.ACCEPTED and offer.decided_by == winner
    assert AuditEntry.objects.filter(action="offer.accepted").count() == 1


def test_accept_and_reject_at_the_same_moment(transactional_db, monkeypatch, company_a, admin_a, colleague):
    require(connection.vendor == "postgresql", "PostgreSQL (DATABASE_URL)")
    offer = OfferFactory(company=company_a)
    results = race(
        monkeypatch,
        lambda: services.offer_accept(offer_id=offer.pk, company=company_a, user=admin_a),
        lambda: services.offer_reject(offer_id=offer.pk, company=company_a, user=colleague, reason="x"),
    )
    assert sorted(type(r).__name__ for r in results) == ["Offer", "OfferNotOpen"], results
    offer.refresh_from_db()
    assert offer.status in (Offer.Status.ACCEPTED, Offer.Status.REJECTED)
    assert AuditEntry.objects.filter(action__in=["offer.accepted", "offer.rejected"]).count() == 1


def test_a_double_click_decides_once(transactional_db, monkeypatch, company_a, admin_a):
    require(connection.vendor == "postgresql", "PostgreSQL (DATABASE_URL)")
    offer = OfferFactory(company=company_a)
    call = lambda: services.offer_accept(offer_id=offer.pk, company=company_a, user=admin_a)  # noqa: E731
    results = race(monkeypatch, call, call)
    assert sorted(type(r).__name__ for r in results) == ["Offer", "OfferNotOpen"], results
    assert AuditEntry.objects.filter(action="offer.accepted").count() == 1


def test_two_tabs_ask_a_new_offer_and_a_renewal_once(transactional_db, monkeypatch, company_a, admin_a, colleague):
    """The origin's row lock makes the second wait, then find the first request (the database's constraint
    stands behind it)."""
    require(connection.vendor == "postgresql", "PostgreSQL (DATABASE_URL)")
    from datetime import timedelta

    from django.utils import timezone

    from contracts import services as contract_services
    from contracts.tests.factories import ContractFactory
    from quotes.models import QuoteRequest

    offer = OfferFactory(company=company_a, valid_until=timezone.localdate() - timedelta(days=1))
    end = timezone.localdate() + timedelta(days=15)
    contract = ContractFactory(company=company_a, end_date=end, current_end_date=end)
    for ask in (
        lambda user: services.offer_request_new(offer_id=offer.pk, company=company_a, user=user),
        lambda user: contract_services.contract_request_renewal(contract_id=contract.pk, company=company_a, user=user),
    ):
        results = race(monkeypatch, *[lambda user=user, ask=ask: ask(user) for user in (admin_a, colleague)])
        made = [r for r in results if isinstance(r, QuoteRequest)]
        refused = [r for r in results if isinstance(r, services.FollowUpExists)]
        assert len(made) == 1 and len(refused) == 1, results
        assert refused[0].existing == made[0]
    assert QuoteRequest.objects.filter(origin_offer=offer).count() == 1
    assert QuoteRequest.objects.filter(origin_contract=contract).count() == 1
