"""Every domain event the ERP can subscribe to is published by the real client flow it names, once,
with the payload docs/API.md describes; staff's own actions publish nothing."""

from contextlib import contextmanager
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts import services as account_services
from accounts.tests.factories import valid_cui
from billing.services import notices
from billing.tests.factories import issued_invoice
from files import services as file_services
from files.models import Document
from files.tests.factories import pdf_upload
from portal import events
from quotes import services as quote_services
from quotes.tests.factories import QuoteRequestFactory, sent_offer
from shipments import services as shipment_services
from shipments.models import Status
from shipments.tests.factories import ShipmentFactory
from support import services as support_services

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(django_capture_on_commit_callbacks):
    """``with published() as heard:`` runs a flow; on leaving, ``heard`` holds the events it published on
    commit. Only this recorder runs: the flows' emails, PDFs and webhooks stay out of these tests."""

    @contextmanager
    def run():
        heard: list[events.Event] = []
        events.subscribe(heard.append)
        try:
            with django_capture_on_commit_callbacks() as callbacks:
                yield heard
        finally:
            events.unsubscribe(heard.append)
        for callback in callbacks:
            if getattr(callback, "__wrapped__", None) == heard.append:
                callback()

    return run


def names(heard) -> list[str]:
    return [event.name for event in heard]


def test_every_event_is_published_by_its_flow(published, company_a, admin_a, staff):
    seen: list[events.Event] = []
    for flow in FLOWS:
        with published() as heard:
            expected = flow(company=company_a, admin=admin_a, staff=staff)
        assert names(heard) == expected, flow.__name__
        seen += heard
    assert {event.name for event in seen} == set(events.EVENTS)
    assert all(event.company_id and event.object_id for event in seen)


def quote_request_flows(*, company, admin, **_cast):
    line = quote_services.RequestLine(description="Pompă CP-200", quantity=Decimal("2"), unit="buc")
    quote_request = quote_services.request_create(company=company, user=admin, lines=[line], delivery_option="pickup")
    quote_services.request_cancel(quote_request=quote_request, user=admin)
    return ["quote_request.created", "quote_request.cancelled"]


def offer_flows(*, company, admin, staff, **_cast):
    accepted, rejected = sent_offer(company, by=staff), sent_offer(company, by=staff)
    quote_services.offer_accept(offer_id=accepted.pk, company=company, user=admin)
    quote_services.offer_reject(offer_id=rejected.pk, company=company, user=admin, reason="Preț prea mare")
    return ["offer.accepted", "offer.rejected"]


def payment_notice_flow(*, company, admin, **_cast):
    notices.notice_create(
        company=company,
        user=admin,
        paid_on=timezone.localdate(),
        amount=Decimal("1210.00"),
        currency="RON",
        reference="OP 99",
        proof=pdf_upload(),
        invoices=[issued_invoice(company, issue_date=timezone.localdate())],
    )
    return ["payment_notice.created"]


def ticket_flows(*, company, admin, staff, **_cast):
    ticket = support_services.ticket_open(company=company, user=admin, subject="Pompa nu pornește", description="…")
    support_services.ticket_reply(ticket=ticket, company=company, user=admin, body="Am verificat alimentarea.")
    support_services.ticket_staff_message(ticket=ticket, user=staff, body="Venim mâine.")  # not a client's
    support_services.ticket_staff_message(ticket=ticket, user=staff, body="Notă", is_internal=True)
    return ["ticket.created", "ticket.message_created"]


def shipment_flows(*, company, admin, **_cast):
    delivered = ShipmentFactory(company=company, status=Status.DELIVERED)
    shipment_services.shipment_confirm_receipt(shipment=delivered, company=company, user=admin)
    shipment_services.shipment_confirm_receipt(shipment=delivered, company=company, user=admin)  # once
    shipment_services.shipment_report_problem(shipment=delivered, company=company, user=admin, description="Lipsă")
    return ["shipment.receipt_confirmed", "ticket.created", "shipment.problem_reported"]


def document_flows(*, company, admin, staff, **_cast):
    file_services.document_create(company=company, title="Fișă furnizor", uploaded=pdf_upload(), user=staff)
    document = file_services.document_create(
        company=company, title="Comanda 12", uploaded=pdf_upload(), user=admin, source=Document.Source.CLIENT
    )
    file_services.document_add_version(document=document, uploaded=pdf_upload(), user=admin)
    file_services.document_add_version(document=document, uploaded=pdf_upload(), user=staff)  # staff's
    return ["document.uploaded", "document.uploaded"]


def registration_flows(**_cast):
    company_data = {"name": "Firma Nouă SRL", "cui": valid_cui(777), "address": "Str. A 1", "city": "Cluj"}
    for email in ("nou@firma-noua.ro", "coleg@firma-noua.ro"):  # the second one joins the first's company
        user = get_user_model().objects.create_user(email)
        account_services.register_company_user(
            user=user, first_name="Ion", last_name="Nou", phone="", company_data={**company_data, "county": "Cluj"}
        )
        account_services.registration_email_verified(user=user)
        account_services.registration_email_verified(user=user)  # verified again: nothing more
    return ["company.registered", "membership.requested"]


FLOWS = [
    quote_request_flows,
    offer_flows,
    payment_notice_flow,
    ticket_flows,
    shipment_flows,
    document_flows,
    registration_flows,
]


def test_the_payloads_carry_what_the_erp_acts_on(published, company_a, admin_a, staff):
    offer = sent_offer(company_a, by=staff)
    with published() as heard:
        quote_services.offer_reject(offer_id=offer.pk, company=company_a, user=admin_a, reason="Termen prea lung")
    [event] = heard
    offer.refresh_from_db()
    assert event.payload() == {
        "company": {"id": str(company_a.public_id), "cui": company_a.cui, "name": company_a.name},
        "object": {"type": "quotes.offer", "id": str(offer.public_id)},
        "number": offer.number,
        "revision": offer.revision,
        "decision": "rejected",
        "total_net": str(offer.total_net),
        "total_gross": str(offer.total_gross),
        "currency": offer.currency,
        "reason": "Termen prea lung",
    }
    with published() as heard:
        payment_notice_flow(company=company_a, admin=admin_a)
    data = heard[0].data
    assert data["amount"] == "1210.00" and data["reference"] == "OP 99"
    assert data["paid_on"] == timezone.localdate().isoformat() and len(data["invoices"]) == 1


def test_a_refused_action_publishes_nothing(published, company_a, admin_a):
    quote_request = QuoteRequestFactory(company=company_a, created_by=admin_a, status="cancelled")
    with published() as heard, pytest.raises(ValidationError):
        quote_services.request_cancel(quote_request=quote_request, user=admin_a)
    assert heard == []
