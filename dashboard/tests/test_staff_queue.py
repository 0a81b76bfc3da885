"""The staff work queue on the admin index: each line counts exactly the rows its link lists, in a fixed number
of queries whatever the row count."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Company, Membership
from accounts.tests.factories import CompanyFactory, MembershipFactory, UserFactory
from billing.models import PaymentNotice
from dashboard.staff_queue import work_queue
from files.tests.factories import StoredFileFactory
from quotes.models import QuoteRequest
from quotes.tests.factories import QuoteRequestFactory, sent_offer
from support.models import Ticket
from support.tests.factories import TicketFactory

pytestmark = pytest.mark.django_db


def notice(company, status=PaymentNotice.Status.PENDING) -> PaymentNotice:
    return PaymentNotice.objects.create(
        company=company,
        paid_on=timezone.localdate(),
        amount=Decimal("100.00"),
        reference="OP 1",
        proof=StoredFileFactory(),
        status=status,
    )


def ticket(company, *, due_in: timedelta, answered=False, status=Ticket.Status.OPEN) -> Ticket:
    now = timezone.now()
    return TicketFactory(
        company=company,
        status=status,
        first_response_due=now + due_in,
        resolution_due=now + due_in + timedelta(days=3),
        first_responded_at=now - timedelta(hours=1) if answered else None,
    )


@pytest.fixture
def queue_rows(company_a, company_b, admin_a) -> dict[str, set[int]]:
    """For each line, the pks it must count, among look-alikes it must not."""
    pending = CompanyFactory(status=Company.Status.PENDING, approved_at=None)
    MembershipFactory(company=pending, status=Membership.Status.PENDING)  # the registrant: in the company's line
    request = MembershipFactory(company=company_a, status=Membership.Status.PENDING, approved_at=None)
    MembershipFactory(company=company_b, status=Membership.Status.PENDING, requested_at=None)  # email unverified
    to_verify = notice(company_a)
    notice(company_b, status=PaymentNotice.Status.CONFIRMED)
    late, near = ticket(company_a, due_in=-timedelta(hours=1)), ticket(company_b, due_in=timedelta(hours=2))
    late_resolution = ticket(company_a, due_in=-timedelta(days=4), answered=True, status=Ticket.Status.IN_PROGRESS)
    ticket(company_a, due_in=timedelta(hours=30))  # far
    ticket(company_a, due_in=-timedelta(hours=1), status=Ticket.Status.WAITING)  # the client owes the answer
    ticket(company_a, due_in=-timedelta(hours=1), status=Ticket.Status.RESOLVED)
    unoffered = QuoteRequestFactory(company=company_a, lines=1)
    in_review = QuoteRequestFactory(company=company_b, lines=1, status=QuoteRequest.Status.IN_REVIEW)
    QuoteRequestFactory(company=company_a, lines=1, status=QuoteRequest.Status.CANCELLED)
    offered = QuoteRequestFactory(company=company_a, lines=1)
    sent_offer(company_a, quote_request=offered, valid_until=timezone.localdate() + timedelta(days=30))
    today = timezone.localdate()
    expiring = [sent_offer(company_a, valid_until=today + timedelta(days=days)) for days in (0, 7)]
    sent_offer(company_b, valid_until=today + timedelta(days=8))
    return {
        "accounts_company": {pending.pk},
        "accounts_membership": {request.pk},
        "billing_paymentnotice": {to_verify.pk},
        "support_ticket": {late.pk, near.pk, late_resolution.pk},
        "quotes_quoterequest": {unoffered.pk, in_review.pk},
        "quotes_offer": {offer.pk for offer in expiring},
    }


def test_each_count_is_the_rows_its_link_lists(client, staff, queue_rows):
    lines = work_queue(staff)
    assert len(lines) == len(queue_rows)
    client.force_login(staff)
    for line, (changelist, expected) in zip(lines, queue_rows.items(), strict=True):
        assert line.url.startswith(reverse(f"admin:{changelist}_changelist") + "?")
        response = client.get(line.url)
        assert response.status_code == 200, line.url
        listed = {obj.pk for obj in response.context["cl"].queryset}
        assert line.count == len(expected) and listed == expected, line.label


def test_the_admin_index_shows_the_queue_in_fixed_queries(
    client, staff, queue_rows, django_assert_num_queries, django_assert_max_num_queries
):
    for _ in range(20):
        CompanyFactory(status=Company.Status.PENDING, approved_at=None)
        ticket(CompanyFactory(), due_in=timedelta(hours=1))
        QuoteRequestFactory(lines=1)
    with django_assert_num_queries(len(queue_rows)):  # one COUNT a line
        work_queue(staff)
    client.force_login(staff)
    with django_assert_max_num_queries(13):
        page = client.get(reverse("admin:index")).content.decode()
    assert 'id="work-queue"' in page
    assert "?oferta=fara" in page and "<strong>21</strong>" in page  # 20 + the fixture's pending company


def test_staff_see_only_the_lines_they_may_open(staff):
    clerk = UserFactory(is_staff=True)
    assert work_queue(clerk) == []
    assert all(line.url for line in work_queue(staff))
