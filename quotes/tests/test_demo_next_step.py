"""seed_demo shows the next step after a decision: an accepted offer with its PO number and order confirmation,
an expired offer to ask again, a contract within its notice period to renew."""

import pytest

from contracts.models import Contract
from portal.management.commands.seed_demo import Command
from quotes.models import Offer


@pytest.mark.django_db
def test_the_demo_has_an_accepted_offer_with_its_confirmation_an_expired_offer_and_a_contract_to_renew(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        Command().seed()
    accepted = Offer.objects.get(status=Offer.Status.ACCEPTED, po_number="PO-4500018342")
    assert "Țuțuianu" in accepted.acceptance_note
    assert accepted.confirmation_pdf.file.open("rb").read().startswith(b"%PDF-")
    assert any(offer.can_follow_up for offer in Offer.objects.filter(status=Offer.Status.EXPIRED))
    assert any(contract.in_renewal_window for contract in Contract.objects.visible())
