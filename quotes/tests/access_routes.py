from files.services import store_generated, store_upload
from files.tests.factories import pdf_bytes, pdf_upload
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
    return {"quote_request": quote_request, "quote_attachment": attachment, "offer": offer}


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
    # Deciding needs the "accept_offers" right: the plain member gets 403; the decision redirects
    # to the offer (302; test_offers.py checks where and that B's attempts change nothing).
    Route("quotes:offer_accept", get=everyone(405), post=object_page(302, right="accept_offers"), kwargs=offer),
    Route(
        "quotes:offer_reject",
        get=everyone(405),
        post=object_page(302, right="accept_offers"),
        kwargs=offer,
        data=lambda o: {"reason": "Termenul de livrare este prea lung."},
    ),
]
