"""The next step after a decision: the PO number and note of an acceptance, its order confirmation PDF, and a
new offer asked for an expired or rejected one."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import MembershipFactory
from files.models import StoredFile
from portal import events
from portal.models import AuditEntry
from quotes import services, tasks
from quotes.models import Offer, QuoteRequest
from quotes.tests.factories import OfferFactory, ProductFactory, QuoteRequestFactory, sent_offer
from quotes.tests.pdf_text import mapped_characters


def accept_url(offer):
    return reverse("quotes:offer_accept", args=[offer.public_id])


def confirmation_url(offer):
    return reverse("quotes:offer_confirmation", args=[offer.public_id])


def new_offer_url(offer):
    return reverse("quotes:offer_request_new", args=[offer.public_id])


def expired_offer(company, **fields):
    return OfferFactory(company=company, valid_until=timezone.localdate() - timedelta(days=2), **fields)


@pytest.fixture
def offer(company_a):
    return OfferFactory(company=company_a)


# --- the PO number and note -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("", ""),
        ("  PO-4500012345 ", "PO-4500012345"),
        ("CMD 2026/0147", "CMD 2026/0147"),
        ("Comanda nr. 17 (șantier Ploiești)", "Comanda nr. 17 (șantier Ploiești)"),
        ("Comanda  Ţăndărei", "Comanda Țăndărei"),  # spaces folded, the cedilla letter as comma below
        ("A_12:3#B", "A_12:3#B"),
    ],
)
def test_a_po_number_is_kept_as_typed_tidied(typed, stored):
    assert services.clean_acceptance(po_number=typed, note="")[0] == stored


@pytest.mark.parametrize(
    "typed",
    ["PO<script>", "PO;1", "PO'1", "-PO", "PO 1 —", "PO\x00", "PO 🚚", "x" * 51, "PO=1", "PO\n1" + "\x07"],
)
def test_a_po_number_with_other_characters_or_too_long_is_refused(typed):
    with pytest.raises(ValidationError) as error:
        services.clean_acceptance(po_number=typed)
    assert set(error.value.message_dict) == {"po_number"}


def test_the_note_is_checked_for_length_and_control_characters():
    assert services.clean_acceptance(note="  Livrare luni-vineri.\r\nContact: Ion, 0722 111 222  ")[1] == (
        "Livrare luni-vineri.\nContact: Ion, 0722 111 222"
    )
    for note in ("x" * 1001, "Nota\x00", "Nota\x1b[31m"):
        with pytest.raises(ValidationError) as error:
            services.clean_acceptance(note=note)
        assert set(error.value.message_dict) == {"note"}


def test_accepting_keeps_the_po_number_and_note_and_tells_the_erp(company_a, admin_a, offer):
    heard = []
    events.subscribe(heard.append)
    try:
        services.offer_accept(
            offer_id=offer.pk, company=company_a, user=admin_a, po_number=" PO-77 ", note="Livrare la poarta 2."
        )
    finally:
        events.unsubscribe(heard.append)
    offer.refresh_from_db()
    assert (offer.status, offer.po_number, offer.acceptance_note) == ("accepted", "PO-77", "Livrare la poarta 2.")
    entry = AuditEntry.objects.get(action="offer.accepted")
    assert entry.data["po_number"] == "PO-77" and entry.data["note"] == "Livrare la poarta 2."


def test_the_accepted_event_carries_the_po_number_and_note(
    company_a, admin_a, offer, django_capture_on_commit_callbacks
):
    heard = []
    events.subscribe(heard.append)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            services.offer_accept(offer_id=offer.pk, company=company_a, user=admin_a, po_number="PO-77", note="Notă")
    finally:
        events.unsubscribe(heard.append)
    [event] = [event for event in heard if event.name == "offer.accepted"]
    assert event.data["po_number"] == "PO-77" and event.data["note"] == "Notă"


def test_a_bad_po_number_accepts_nothing(company_a, admin_a, offer):
    with pytest.raises(ValidationError):
        services.offer_accept(offer_id=offer.pk, company=company_a, user=admin_a, po_number="PO<1>")
    offer.refresh_from_db()
    assert offer.status == Offer.Status.SENT and not AuditEntry.objects.filter(action="offer.accepted").exists()


def test_the_erp_pulls_the_po_number_and_note(client, company_a, admin_a, offer):
    from tests.api_pull import full_key, get_page

    services.offer_accept(offer_id=offer.pk, company=company_a, user=admin_a, po_number="PO-9", note="Urgent")
    rejected = OfferFactory(company=company_a)
    services.offer_reject(offer_id=rejected.pk, company=company_a, user=admin_a, reason="Scump")
    items = {item["public_id"]: item for item in get_page(client, "/api/v1/offer-decisions", full_key())["items"]}
    assert (items[str(offer.public_id)]["po_number"], items[str(offer.public_id)]["note"]) == ("PO-9", "Urgent")
    assert (items[str(rejected.public_id)]["po_number"], items[str(rejected.public_id)]["note"]) == ("", "")


# --- the accept page --------------------------------------------------------------------------------------


def test_the_accept_page_confirms_with_the_two_optional_fields(client, admin_a, offer):
    client.force_login(admin_a)
    page = client.get(offer.get_absolute_url()).content.decode()
    assert f'href="{accept_url(offer)}"' in page  # the button opens the confirmation, it decides nothing
    page = client.get(accept_url(offer)).content.decode()
    assert 'name="po_number"' in page and 'name="note"' in page and "Confirm acceptarea" in page
    assert "4.840,00 lei" in page
    offer.refresh_from_db()
    assert offer.status == Offer.Status.SENT


def test_a_bad_po_number_is_shown_on_the_form_and_nothing_is_saved(client, admin_a, offer):
    client.force_login(admin_a)
    response = client.post(accept_url(offer), {"po_number": "PO;DROP", "note": "x"})
    assert response.status_code == 400
    assert "Numărul comenzii poate conține doar litere" in response.content.decode()
    offer.refresh_from_db()
    assert offer.status == Offer.Status.SENT and offer.po_number == ""


def test_accepting_with_a_po_number_shows_it_and_the_confirmation(
    client, admin_a, company_a, mailoutbox, settings, django_capture_on_commit_callbacks
):
    settings.STAFF_NOTIFICATION_EMAILS = ["vanzari@furnizor.ro"]
    offer = sent_offer(company_a)
    client.force_login(admin_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(accept_url(offer), {"po_number": "PO-4500012345", "note": "Livrare după ora 9."})
    assert response.status_code == 302 and response["Location"] == offer.get_absolute_url()
    offer.refresh_from_db()
    assert offer.confirmation_pdf is not None and offer.po_number == "PO-4500012345"
    page = client.get(offer.get_absolute_url()).content.decode()
    assert "PO-4500012345" in page and "Livrare după ora 9." in page
    assert f'href="{confirmation_url(offer)}"' in page
    [staff_mail] = [m for m in mailoutbox if m.to == ["vanzari@furnizor.ro"] and "a acceptat" in m.subject]
    assert (
        "PO-4500012345" in staff_mail.body and f"/admin/quotes/offer/{offer.pk}/confirmare-comanda/" in staff_mail.body
    )


def test_an_offer_no_longer_open_sends_the_accept_page_back(client, admin_a, company_a):
    offer = expired_offer(company_a)
    client.force_login(admin_a)
    response = client.get(accept_url(offer), follow=True)
    assert response.redirect_chain[-1][0] == offer.get_absolute_url()
    assert "Oferta nu mai poate fi acceptată: a expirat" in response.content.decode()


# --- the order confirmation PDF ---------------------------------------------------------------------------


def test_the_confirmation_pdf_is_rendered_once_after_commit(company_a, admin_a, django_capture_on_commit_callbacks):
    offer = sent_offer(
        company_a,
        lines=[{"description": "Ștuț îmbinare țeavă", "quantity": "12", "unit_price": "18.35"}],
    )
    with django_capture_on_commit_callbacks() as callbacks:
        services.offer_accept(offer_id=offer.pk, company=company_a, user=admin_a, po_number="PO-1")
    offer.refresh_from_db()
    assert offer.confirmation_pdf is None  # nothing before commit
    for callback in callbacks:
        callback()
    offer.refresh_from_db()
    stored = offer.confirmation_pdf
    content = stored.file.open("rb").read()
    assert content.startswith(b"%PDF-") and stored.content_type == "application/pdf"
    assert set("ăâîșțȘ") <= mapped_characters(content)
    before = StoredFile.objects.count()
    tasks.render_order_confirmation(offer.pk)  # a retried task
    assert services.order_confirmation_render(offer_id=offer.pk) == stored  # the download racing it
    offer.refresh_from_db()
    assert offer.confirmation_pdf == stored and StoredFile.objects.count() == before


def test_the_confirmation_says_who_accepted_what_and_the_po_number(company_a, admin_a, offer):
    from django.template.loader import render_to_string

    from quotes import selectors

    services.offer_accept(offer_id=offer.pk, company=company_a, user=admin_a, po_number="PO-4500", note="Poarta <2>")
    context = selectors.offer_pdf_context(selectors.offer_for_pdf(pk=offer.pk))
    html = render_to_string("pdf/quotes_order_confirmation.html", context)
    offer.refresh_from_db()
    for text in (
        "Confirmare de comandă",
        offer.number,
        "revizia 1",
        "PO-4500",
        "Poarta &lt;2&gt;",  # the client's text is escaped
        "Ana Popescu",
        company_a.name,
        company_a.cui,
        "Furnizor ERP SRL",
        "4.840,00",
        timezone.localtime(offer.decided_at).strftime("%d.%m.%Y %H:%M"),
    ):
        assert text in html, text


def test_no_confirmation_for_an_offer_not_accepted(company_a, admin_a, offer):
    assert services.order_confirmation_render(offer_id=offer.pk) is None
    services.offer_reject(offer_id=offer.pk, company=company_a, user=admin_a)
    tasks.render_order_confirmation(offer.pk)
    offer.refresh_from_db()
    assert offer.confirmation_pdf is None


def test_the_download_says_it_is_being_generated_until_it_is_ready(
    client, member_a, admin_a, company_a, offer, django_capture_on_commit_callbacks
):
    services.offer_accept(offer_id=offer.pk, company=company_a, user=admin_a)  # no commit callbacks: no task ran
    client.force_login(member_a)  # any member reads it, like the offer's PDF
    page = client.get(offer.get_absolute_url()).content.decode()
    assert "Confirmarea de comandă se generează" in page and confirmation_url(offer) not in page
    response = client.get(confirmation_url(offer))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/html")
    assert "se generează" in response.content.decode()
    offer.refresh_from_db()
    assert offer.confirmation_pdf is None

    # The task looks lost: the download asks for it again (never renders it in the request), then serves it.
    with django_capture_on_commit_callbacks(execute=True):
        assert "se generează" in client.get(confirmation_url(offer)).content.decode()
    response = client.get(confirmation_url(offer))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert f"Confirmare-comanda-{offer.number}-rev-1.pdf" in response["Content-Disposition"]
    offer.refresh_from_db()
    assert offer.confirmation_pdf is not None
    assert AuditEntry.objects.filter(action="offer.confirmation_downloaded").count() == 1


def test_the_confirmation_of_an_offer_not_accepted_or_of_another_company_is_404(
    client, admin_a, member_b, company_a, offer
):
    client.force_login(admin_a)
    assert client.get(confirmation_url(offer)).status_code == 404  # sent, not accepted
    services.offer_accept(offer_id=offer.pk, company=company_a, user=admin_a)
    client.force_login(member_b)
    assert client.get(confirmation_url(offer)).status_code == 404


def test_admin_serves_the_confirmation_to_staff(client, staff, company_a, admin_a, offer):
    services.offer_accept(offer_id=offer.pk, company=company_a, user=admin_a, po_number="PO-3")
    client.force_login(staff)
    change = client.get(reverse("admin:quotes_offer_change", args=[offer.pk])).content.decode()
    assert "PO-3" in change and reverse("admin:quotes_offer_confirmation", args=[offer.pk]) in change
    response = client.get(reverse("admin:quotes_offer_confirmation", args=[offer.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert client.get(reverse("admin:quotes_offer_changelist") + "?q=PO-3").context["cl"].result_count == 1


# --- "Cere o ofertă nouă" ---------------------------------------------------------------------------------


def test_a_new_offer_is_asked_only_for_an_expired_or_rejected_current_offer(company_a, admin_a, staff):
    open_offer = OfferFactory(company=company_a)
    accepted = OfferFactory(company=company_a, status=Offer.Status.ACCEPTED)
    superseded = OfferFactory(company=company_a, status=Offer.Status.SUPERSEDED, is_current=False)
    withdrawn = OfferFactory(company=company_a, status=Offer.Status.WITHDRAWN)
    for offer in (open_offer, accepted, superseded, withdrawn):
        with pytest.raises(ValidationError):
            services.offer_request_new(offer_id=offer.pk, company=company_a, user=admin_a)
    assert not QuoteRequest.objects.exists()

    rejected = OfferFactory(company=company_a)
    services.offer_reject(offer_id=rejected.pk, company=company_a, user=admin_a)
    past = expired_offer(company_a)  # still "sent": the nightly task has not run
    marked = OfferFactory(company=company_a, status=Offer.Status.EXPIRED)
    for offer in (rejected, past, marked):
        assert services.offer_request_new(offer_id=offer.pk, company=company_a, user=admin_a).origin_offer == offer


def test_the_new_request_copies_the_lines_and_delivery_and_tells_staff(
    company_a, admin_a, mailoutbox, settings, django_capture_on_commit_callbacks
):
    settings.STAFF_NOTIFICATION_EMAILS = ["vanzari@furnizor.ro"]
    pump = ProductFactory(code="CP-900", name="Pompă CP-900")
    origin = QuoteRequestFactory(
        company=company_a, delivery_option="courier", delivery_address="Str. Gării 4\nArad", lines=0
    )
    offer = sent_offer(
        company_a,
        quote_request=origin,
        lines=[
            {"description": "Pompă CP-900", "quantity": "2", "unit_price": "900", "product": pump},
            {"description": "Montaj", "quantity": "1.5", "unit_price": "300", "unit": "h"},
        ],
    )
    Offer.objects.filter(pk=offer.pk).update(valid_until=timezone.localdate() - timedelta(days=1))
    with django_capture_on_commit_callbacks(execute=True):
        made = services.offer_request_new(
            offer_id=offer.pk, company=company_a, user=admin_a, remarks="Aceleași cantități."
        )
    assert made.origin_offer == offer and made.origin_contract is None and made.status == "submitted"
    assert (made.delivery_option, made.delivery_address, made.remarks) == (
        "courier",
        "Str. Gării 4\nArad",
        "Aceleași cantități.",
    )
    assert [(line.product, line.description, str(line.quantity), line.unit) for line in made.lines.all()] == [
        (pump, "Pompă CP-900", "2.000", "buc"),
        (None, "Montaj", "1.500", "h"),
    ]
    [mail] = [m for m in mailoutbox if m.to == ["vanzari@furnizor.ro"]]
    assert made.number in mail.subject and f"în locul ofertei {offer.number}" in mail.body


def test_without_a_request_the_delivery_is_to_the_company_address(company_a, admin_a):
    offer = expired_offer(company_a)
    made = services.offer_request_new(offer_id=offer.pk, company=company_a, user=admin_a)
    assert made.delivery_option == "address" and company_a.address in made.delivery_address


def test_a_second_open_request_for_the_same_offer_is_refused(company_a, admin_a, staff):
    offer = expired_offer(company_a)
    first = services.offer_request_new(offer_id=offer.pk, company=company_a, user=admin_a)
    with pytest.raises(services.FollowUpExists) as refused:
        services.offer_request_new(offer_id=offer.pk, company=company_a, user=admin_a)
    assert refused.value.existing == first
    services.request_cancel(quote_request=first, user=admin_a)  # cancelled: no longer open
    second = services.offer_request_new(offer_id=offer.pk, company=company_a, user=admin_a)
    assert second.origin_offer == offer and QuoteRequest.objects.filter(origin_offer=offer).count() == 2


def test_the_database_refuses_two_open_requests_for_one_origin(company_a, admin_a):
    from django.db import IntegrityError, transaction

    offer = expired_offer(company_a)
    QuoteRequestFactory(company=company_a, origin_offer=offer)
    with pytest.raises(IntegrityError), transaction.atomic():
        QuoteRequestFactory(company=company_a, origin_offer=offer, status="in_review")
    QuoteRequestFactory(company=company_a, origin_offer=offer, status="closed")  # a finished one may stay


def test_a_member_without_the_right_cannot_ask_in_the_service(company_a, member_a):
    offer = expired_offer(company_a)
    with pytest.raises(PermissionDenied):
        services.offer_request_new(offer_id=offer.pk, company=company_a, user=member_a)


def test_the_button_shows_only_when_allowed(client, admin_a, member_a, company_a, offer):
    expired = expired_offer(company_a)
    client.force_login(admin_a)
    assert new_offer_url(expired) in client.get(expired.get_absolute_url()).content.decode()
    assert new_offer_url(offer) not in client.get(offer.get_absolute_url()).content.decode()  # still open
    client.force_login(member_a)  # no right to decide offers
    assert new_offer_url(expired) not in client.get(expired.get_absolute_url()).content.decode()
    assert client.get(new_offer_url(expired)).status_code == 403
    assert client.post(new_offer_url(expired)).status_code == 403
    assert not QuoteRequest.objects.exists()


def test_another_company_gets_404(client, member_b, company_a):
    expired = expired_offer(company_a)
    client.force_login(member_b)
    assert client.get(new_offer_url(expired)).status_code == 404
    assert client.post(new_offer_url(expired)).status_code == 404
    assert not QuoteRequest.objects.exists()


def test_asking_confirms_first_then_links_both_ways(client, admin_a, company_a):
    offer = expired_offer(company_a)
    client.force_login(admin_a)
    page = client.get(new_offer_url(offer)).content.decode()
    assert "Cereți o ofertă nouă?" in page and "Robinet" not in page and 'name="remarks"' in page
    assert not QuoteRequest.objects.exists()  # the GET sends nothing
    response = client.post(new_offer_url(offer), {"remarks": "Livrare în martie."})
    made = QuoteRequest.objects.get()
    assert response.status_code == 302 and response["Location"] == made.get_absolute_url()
    page = client.get(made.get_absolute_url()).content.decode()
    assert "în locul ofertei" in page and offer.get_absolute_url() in page
    page = client.get(offer.get_absolute_url()).content.decode()
    assert made.get_absolute_url() in page and new_offer_url(offer) not in page  # no second button


def test_a_refused_or_second_post_explains_and_links(client, admin_a, company_a, offer):
    client.force_login(admin_a)
    response = client.post(new_offer_url(offer), follow=True)  # an open offer
    assert "doar pentru o ofertă expirată sau respinsă" in response.content.decode()
    assert not QuoteRequest.objects.exists()
    expired = expired_offer(company_a)
    first = services.offer_request_new(offer_id=expired.pk, company=company_a, user=admin_a)
    response = client.post(new_offer_url(expired), follow=True)
    assert response.redirect_chain[-1][0] == first.get_absolute_url()
    assert f"Există deja o cerere deschisă pentru această ofertă: {first.number}" in response.content.decode()
    assert QuoteRequest.objects.count() == 1


def test_an_origin_is_shown_in_admin(client, staff, company_a, admin_a):
    offer = expired_offer(company_a)
    made = services.offer_request_new(offer_id=offer.pk, company=company_a, user=admin_a)
    client.force_login(staff)
    page = client.get(reverse("admin:quotes_quoterequest_change", args=[made.pk])).content.decode()
    assert "ofertă nouă în locul ofertei" in page and reverse("admin:quotes_offer_change", args=[offer.pk]) in page
    listing = client.get(reverse("admin:quotes_quoterequest_changelist") + "?origin_offer__isempty=0")
    assert listing.context["cl"].result_count == 1


# --- queries ----------------------------------------------------------------------------------------------


def measure(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_pages_run_a_fixed_number_of_queries(client, admin_a, company_a, django_assert_max_num_queries):
    offer = expired_offer(company_a)
    accepted = OfferFactory(company=company_a)
    services.offer_accept(offer_id=accepted.pk, company=company_a, user=admin_a, po_number="PO-1")
    first = services.offer_request_new(offer_id=offer.pk, company=company_a, user=admin_a)
    client.force_login(admin_a)
    urls = [
        offer.get_absolute_url(),
        accepted.get_absolute_url(),
        accept_url(OfferFactory(company=company_a, lines=2)),
        first.get_absolute_url(),
    ]
    few = [measure(client, url) for url in urls]
    QuoteRequest.objects.filter(pk=first.pk).update(status="closed")
    for _ in range(30):
        QuoteRequestFactory(company=company_a, origin_offer=offer, status="closed", lines=3)
    OfferFactory(company=company_a, lines=40, number=offer.number, revision=2, is_current=False, status="superseded")
    urls[2] = accept_url(OfferFactory(company=company_a, lines=40))
    for _ in range(5):
        MembershipFactory(company=company_a, can_accept_offers=True)
    for url, count in zip(urls, few, strict=True):
        with django_assert_max_num_queries(count):
            assert client.get(url).status_code == 200, url
    expired_again = expired_offer(company_a, lines=40)
    few = measure(client, new_offer_url(expired_offer(company_a, lines=1)))
    with django_assert_max_num_queries(few):
        assert client.get(new_offer_url(expired_again)).status_code == 200


# --- the dashboard ----------------------------------------------------------------------------------------


def test_the_dashboard_links_the_last_order_confirmation_in_the_same_queries(
    client, member_a, admin_a, company_a, member_b, django_capture_on_commit_callbacks
):
    client.force_login(member_a)
    with CaptureQueriesContext(connection) as before:
        page = client.get("/").content.decode()
    assert "Confirmarea de comandă" not in page
    older, newer = OfferFactory(company=company_a), OfferFactory(company=company_a)
    services.offer_accept(offer_id=older.pk, company=company_a, user=admin_a)
    services.offer_accept(offer_id=newer.pk, company=company_a, user=admin_a)  # no task ran yet
    page = client.get("/").content.decode()
    assert f"Confirmarea de comandă pentru {newer.number} se generează" in page
    assert f'href="{newer.get_absolute_url()}"' in page
    tasks.render_order_confirmation(newer.pk)
    with CaptureQueriesContext(connection) as after:
        page = client.get("/").content.decode()
    assert f"Confirmarea de comandă pentru {newer.number} (PDF)" in page and confirmation_url(newer) in page
    assert f"pentru {older.number}" not in page  # the last accepted only (the feed still tells of both)
    assert len(after) == len(before)
    client.force_login(member_b)
    assert newer.number not in client.get("/").content.decode()  # nothing of another company
