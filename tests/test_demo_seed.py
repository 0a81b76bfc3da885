"""seed_demo, run once with its tasks (as after the command's commit), shows what issue 19 added: a user of two
companies whose printed link switches the company; an accepted offer with its PO number and order confirmation,
an expired offer to ask again and a contract to renew; a parcel received with objections naming its ticket.
And it agrees with itself (issue 21): each client its own IBAN, a payment statement made of the company's own
invoices, and no warning printed (WeasyPrint, fontconfig) while seeding.

One seed for the three: a full demo with its PDFs is the slowest fixture of the suite."""

import re
import shutil
import subprocess
import warnings
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.utils import timezone

from accounts.demo import TWO_COMPANIES
from accounts.models import Company, Membership
from accounts.validators import iban_is_valid
from billing import selectors as billing_selectors
from billing.demo import last_quarter, statement_document_title
from contracts.models import Contract
from files.models import Document
from portal.management.commands.seed_demo import Command
from portal.money import format_money
from portal.tenancy import SESSION_KEY
from quotes.models import Offer
from shipments.models import Shipment
from support.models import Ticket

pytestmark = pytest.mark.django_db


def check_two_companies(client, demo: dict) -> None:
    email = TWO_COMPANIES["person"]["email"]
    memberships = Membership.objects.active().filter(user__email=email).select_related("company")
    active, other = (m.company for m in memberships)  # by name: the first is active at login
    line = f"{dict(demo['logins'])[email]}"  # as seed_demo prints it, after commit
    assert active.name in line and other.name in line
    path = urlsplit(re.search(r"https?://\S+", line).group(0)).path
    client.force_login(memberships[0].user)
    assert client.get(path)["Location"] == path
    assert client.session[SESSION_KEY] == str(other.public_id)
    assert f"Ați trecut la compania {other.name}." in client.get(path).content.decode()
    client.logout()


def check_next_steps() -> None:
    accepted = Offer.objects.get(status=Offer.Status.ACCEPTED, po_number="PO-4500018342")
    assert "Țuțuianu" in accepted.acceptance_note
    assert accepted.confirmation_pdf.file.open("rb").read().startswith(b"%PDF-")
    assert any(offer.can_follow_up for offer in Offer.objects.filter(status=Offer.Status.EXPIRED))
    assert any(contract.in_renewal_window for contract in Contract.objects.visible())


def check_receipt_with_objections(client) -> None:
    shipment = Shipment.objects.select_related("received_by").get(number="EXP-2026-0139")
    ticket = Ticket.objects.get(public_id=shipment.problem_ticket_id)
    assert shipment.receipt_kind == Shipment.ReceiptKind.WITH_OBJECTIONS
    assert shipment.received_by.email == "ana.popescu@agroserv.ro"
    assert "SP-16" in ticket.description and ticket.linked == shipment
    assert Ticket.objects.filter(subject__contains="EXP-2026-0139").count() == 1
    assert set(Shipment.objects.exclude(received_at=None).values_list("number", "receipt_kind")) == {
        ("EXP-2026-0141", "good"),
        ("EXP-2026-0138", "good"),
        ("EXP-2026-0139", "with_objections"),
    }
    client.force_login(shipment.received_by)
    page = client.get(shipment.get_absolute_url()).content.decode()
    assert f"Obiecțiunile: tichetul {ticket.number}" in page


def check_ibans() -> None:
    ibans = list(Company.objects.values_list("iban", flat=True))
    assert len(ibans) == 3 and len(set(ibans)) == 3 and settings.SUPPLIER["iban"] not in ibans
    assert all(iban.startswith("RO") and len(iban) == 24 and iban_is_valid(iban) for iban in ibans)


def check_statement_documents(demo: dict) -> None:
    """The "Situație de plăți" of each company is its statement of account for the last quarter."""
    date_from, date_to = last_quarter(timezone.localdate())
    assert not Document.objects.filter(description__contains="FE 2026").exists()
    for company in demo["companies"]:
        document = Document.objects.select_related("current_version__file").get(
            company=company, title=statement_document_title(date_from)
        )
        statement = billing_selectors.statement(company=company, date_from=date_from, date_to=date_to)
        invoices = [movement.document for movement in statement.movements if movement.kind == "invoice"]
        assert invoices and f"facturi emise {len(invoices)}," in document.description
        assert format_money(statement.closing, "RON") in document.description
        if shutil.which("pdftotext"):  # poppler-utils: the figures printed in the PDF itself
            pdf = document.current_version.file.file.open("rb").read()
            text = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
            text = " ".join(text.split())
            assert all(number in text for number in invoices) and "FE 2026" not in text
            assert format_money(statement.closing, "RON").replace(" lei", "") in text


def test_the_demo_shows_two_companies_next_steps_and_a_receipt_with_objections(
    client, django_capture_on_commit_callbacks, caplog, capfd
):
    capfd.readouterr()
    with warnings.catch_warnings(record=True) as caught, django_capture_on_commit_callbacks(execute=True):
        warnings.simplefilter("always")
        demo = Command().seed()
    printed = capfd.readouterr().err
    assert [str(warning.message) for warning in caught] == []
    assert [record.getMessage() for record in caplog.records if record.levelname == "WARNING"] == []
    assert "Fontconfig" not in printed and "WARNING" not in printed
    check_two_companies(client, demo)
    check_next_steps()
    check_receipt_with_objections(client)
    check_ibans()
    check_statement_documents(demo)
