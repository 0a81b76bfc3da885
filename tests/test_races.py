"""Races on PostgreSQL with threads released together: each decision happens exactly once.

DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_races .venv/bin/pytest tests/test_races.py
"""

import time
from decimal import Decimal

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone

from accounts import services as account_services
from accounts.models import Invitation, Membership
from accounts.tests.factories import MembershipFactory, UserFactory
from billing import services as billing_services
from billing.models import Payment, PaymentNotice
from billing.tests.factories import issued_invoice
from conftest import require
from files.models import StoredFile
from files.tests.factories import pdf_upload
from portal.models import AuditEntry, OutboundEmail
from quotes import services as quote_services
from quotes.models import Offer
from quotes.tests.factories import OfferFactory
from tests.threads import run_together, slow_down

pytestmark = pytest.mark.postgres

THREADS = 20


def test_twenty_concurrent_accepts_decide_once(transactional_db, monkeypatch, company_a, admin_a, mailoutbox):
    require(connection.vendor == "postgresql", "PostgreSQL (DATABASE_URL)")
    deciders = [admin_a] + [
        MembershipFactory(company=company_a, can_accept_offers=True).user for _ in range(THREADS - 1)
    ]
    offer = OfferFactory(company=company_a)
    mail.outbox.clear()
    slow_down(monkeypatch, quote_services.audit, "record", 0.05)
    started = time.monotonic()
    results = run_together(
        [
            lambda user=user: quote_services.offer_accept(offer_id=offer.pk, company=company_a, user=user)
            for user in deciders
        ]
    )
    elapsed = time.monotonic() - started
    decided = [r for r in results if isinstance(r, Offer)]
    refused = [r for r in results if isinstance(r, quote_services.OfferNotOpen)]
    assert len(decided) == 1 and len(refused) == THREADS - 1, results
    offer.refresh_from_db()
    assert offer.status == Offer.Status.ACCEPTED and offer.decided_by == decided[0].decided_by
    assert AuditEntry.objects.filter(action="offer.accepted").count() == 1
    # One email to staff (one address).
    assert OutboundEmail.objects.filter(key__startswith=f"offer-decided:{offer.pk}:").count() == 1
    assert [m.subject for m in mailoutbox].count(mailoutbox[0].subject) == 1 and len(mailoutbox) == 1
    # The offer's PDF and its order confirmation, once each.
    assert offer.pdf_id is not None and offer.confirmation_pdf_id is not None
    assert StoredFile.objects.filter(company=company_a).count() == 2
    print(f"\n20 concurrent accepts: {elapsed:.2f}s")


def test_concurrent_payment_confirmations_record_one_payment(
    transactional_db, monkeypatch, company_a, admin_a, mailoutbox
):
    require(connection.vendor == "postgresql", "PostgreSQL (DATABASE_URL)")
    staff = [UserFactory(is_staff=True, is_superuser=True) for _ in range(THREADS)]
    invoice = issued_invoice(company_a, lines=[("1000.00", 21)])
    notice = billing_services.notice_create(
        company=company_a,
        user=admin_a,
        paid_on=timezone.localdate(),
        amount=Decimal("1210.00"),
        currency="RON",
        reference="OP 2026-77",
        proof=pdf_upload(),
        invoices=[invoice],
    )
    mail.outbox.clear()
    slow_down(monkeypatch, billing_services.notices.audit, "record", 0.05)
    results = run_together([lambda by=by: billing_services.notice_confirm(notice=notice, by=by) for by in staff])
    assert sum(isinstance(r, Payment) for r in results) == 1, results
    assert Payment.objects.filter(company=company_a).count() == 1
    notice.refresh_from_db()
    assert notice.status == PaymentNotice.Status.CONFIRMED
    assert AuditEntry.objects.filter(action="payment_notice.confirmed").count() == 1
    assert len([m for m in mailoutbox if admin_a.email in m.to]) == 1


def test_concurrent_invitation_acceptances_make_one_membership(transactional_db, monkeypatch, company_a, admin_a):
    require(connection.vendor == "postgresql", "PostgreSQL (DATABASE_URL)")
    invited = UserFactory(email="invitat.concurent@client-a.ro")
    invitation, token = account_services.invitation_create(
        company=company_a,
        by=admin_a,
        email=invited.email,
        role=Membership.Role.MEMBER,
        can_accept_offers=False,
        can_see_billing=False,
    )
    slow_down(monkeypatch, account_services.audit, "record", 0.05)
    results = run_together(
        [lambda: account_services.invitation_accept(token=token, user=invited) for _ in range(THREADS)]
    )
    assert sum(isinstance(r, Membership) for r in results) == 1, results
    assert all(isinstance(r, Membership | account_services.InvitationNotOpen) for r in results), results
    assert Membership.objects.filter(company=company_a, user=invited).count() == 1
    assert Invitation.objects.get(pk=invitation.pk).accepted_at is not None
    assert AuditEntry.objects.filter(action="invitation.accepted").count() == 1
