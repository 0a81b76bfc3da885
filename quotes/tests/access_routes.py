from datetime import timedelta

from django.utils import timezone

from files.services import store_generated, store_upload
from files.tests.factories import pdf_bytes, pdf_upload
from quotes.models import Offer
from quotes.tests.factories import OfferFactory, QuoteRequestFactory
from tests.access import Route, everyone, object_page, section, section_action


def objects(cast) -> dict:
    company = cast["company_a"]
    quote_request = QuoteRequestFactory(company=company, created_by=cast["admin_a"])
    attachment = store_upload(company=company, uploaded=pdf_upload("schita-amplasament.pdf"), user=cast["admin_a"])
    quote_request.attachments.add(attachment)
    offer = OfferFactory(company=company)
    # A stored PDF, so the download route does not render one for every visitor.
    offer.pdf = store_generated(
        company=company, name="oferta.pdf", content=pdf_bytes("Oferta"), content_type="application/pdf"
    )
    offer.save(update_fields=["pdf"])
    # Accepted, its order confirmation kept (the download serves it, renders nothing).
    accepted = OfferFactory(
        company=company, status=Offer.Status.ACCEPTED, decided_at=timezone.now(), decided_by=cast["admin_a"]
    )
    accepted.confirmation_pdf = store_generated(
        company=company, name="confirmare.pdf", content=pdf_bytes("Confirmare"), content_type="application/pdf"
    )
    accepted.save(update_fields=["confirmation_pdf"])
    expired = OfferFactory(company=company, valid_until=timezone.localdate() - timedelta(days=3))
    return {
        "quote_request": quote_request,
        "quote_attachment": attachment,
        "offer": offer,
        "accepted_offer": accepted,
        "expired_offer": expired,
    }


def quote_request(o) -> dict:
    return {"public_id": o["quote_request"].public_id}


def offer(o) -> dict:
    return {"public_id": o["offer"].public_id}


ROUTES = [
    # Read views are @require_safe: any POST is 405, before the login check.
    Route("quotes:request_list", get=section(), post=everyone(405)),
    # A POST without lines re-renders the form with its errors (200), nothing saved.
    Route("quotes:request_create", get=section(), post=section_action(200), data=lambda o: {"remarks": "Urgent"}),
    Route("quotes:product_search", get=section(), post=everyone(405)),
    Route("quotes:request_detail", get=object_page(200), post=everyone(405), kwargs=quote_request),
    Route("quotes:request_cancel", get=everyone(405), post=object_page(302), kwargs=quote_request),
    Route(
        "quotes:request_attachment",
        get=object_page(200),
        post=everyone(405),
        kwargs=lambda o: {"public_id": o["quote_request"].public_id, "file_id": o["quote_attachment"].public_id},
    ),
    Route("quotes:offer_list", get=section(), post=everyone(405)),
    Route("quotes:offer_detail", get=object_page(200), post=everyone(405), kwargs=offer),
    Route("quotes:offer_pdf", get=object_page(200), post=everyone(405), kwargs=offer),
    # Deciding needs the "accept_offers" right: the plain member gets 403; GET is the confirmation page with
    # the PO number and note, the decision redirects to the offer (302; test_offers.py checks where and that
    # B's attempts change nothing).
    Route(
        "quotes:offer_accept",
        get=object_page(200, right="accept_offers"),
        post=object_page(302, right="accept_offers"),
        kwargs=offer,
        data=lambda o: {"po_number": "PO-4500012345", "note": "Livrare luni-vineri, 8-16."},
    ),
    Route(
        "quotes:offer_reject",
        get=everyone(405),
        post=object_page(302, right="accept_offers"),
        kwargs=offer,
        data=lambda o: {"reason": "Termenul de livrare este prea lung."},
    ),
    # Any member opens the order confirmation of an accepted offer, like its PDF.
    Route(
        "quotes:offer_confirmation",
        get=object_page(200),
        post=everyone(405),
        kwargs=lambda o: {"public_id": o["accepted_offer"].public_id},
    ),
    # Asking for a new offer is a commercial decision (the "accept_offers" right): GET confirms, POST sends the
    # request and redirects to it.
    Route(
        "quotes:offer_request_new",
        get=object_page(200, right="accept_offers"),
        post=object_page(302, right="accept_offers"),
        kwargs=lambda o: {"public_id": o["expired_offer"].public_id},
        data=lambda o: {"remarks": "Aceleași cantități, livrare în martie."},
    ),
]
