import re
from datetime import timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import MembershipFactory
from files.tests.factories import pdf_upload
from portal.models import AuditEntry, Notification
from quotes import selectors, services
from quotes.models import Offer, OfferLine, QuoteRequest
from quotes.tests.factories import OfferFactory, ProductFactory, QuoteRequestFactory, sent_offer
from quotes.tests.pdf_text import font_names, mapped_characters, page_count


def today():
    return timezone.localdate()


def accept_url(offer):
    return reverse("quotes:offer_accept", args=[offer.public_id])


def reject_url(offer):
    return reverse("quotes:offer_reject", args=[offer.public_id])


@pytest.fixture
def offer(company_a):
    return OfferFactory(company=company_a)


# --- sending ----------------------------------------------------------------------------------------------


def test_an_offer_from_a_request_is_prefilled_and_sending_shows_it_to_the_company(
    company_a, admin_a, member_a, member_b, staff, mailoutbox, django_capture_on_commit_callbacks
):
    quote_request = QuoteRequestFactory(company=company_a, created_by=admin_a, lines=2)
    draft = services.offer_create(company=company_a, by=staff, quote_request=quote_request)
    quote_request.refresh_from_db()
    assert quote_request.status == QuoteRequest.Status.IN_REVIEW
    assert draft.status == Offer.Status.DRAFT and draft.number.startswith(f"OF-{today().year}-")
    assert draft.valid_until == today() + timedelta(days=30)
    lines = list(draft.lines.order_by("position"))
    assert [(line.description, line.quantity, line.unit_price, line.vat_rate) for line in lines] == [
        ("Robinet sferic DN25", Decimal("4"), Decimal("0"), 21),
        ("Robinet sferic DN50", Decimal("4"), Decimal("0"), 21),
    ]
    OfferLine.objects.filter(offer=draft).update(unit_price=Decimal("312.40"), discount_percent=Decimal("5"))

    with django_capture_on_commit_callbacks(execute=True):
        services.offer_send(offer=draft, by=staff)
    draft.refresh_from_db()
    quote_request.refresh_from_db()
    assert draft.status == Offer.Status.SENT and draft.is_current and draft.sent_by == staff
    assert draft.total_net == Decimal("2374.24")  # 2 × round(4 × 312.40 × 0.95) = 2 × 1187.12
    # VAT once per rate (EN 16931 BR-CO-17): round(2374.24 × 0.21) = 498.59, not 2 × round(1187.12 × 0.21) = 498.60
    assert draft.total_vat == Decimal("498.59") and draft.total_gross == Decimal("2872.83")
    assert quote_request.status == QuoteRequest.Status.OFFERED
    assert draft.pdf is not None and draft.pdf.file.open("rb").read(5) == b"%PDF-"
    assert sorted(m.to[0] for m in mailoutbox) == sorted([admin_a.email, member_a.email])
    assert all(draft.number in m.subject for m in mailoutbox)
    assert Notification.objects.filter(kind="offer.sent", user=member_a).count() == 1
    assert AuditEntry.objects.filter(action="offer.sent", company=company_a).exists()


def test_sending_twice_or_an_empty_or_stale_offer_is_refused(company_a, staff):
    empty = services.offer_create(company=company_a, by=staff)
    with pytest.raises(services.ValidationError, match="niciun rând"):
        services.offer_send(offer=empty, by=staff)
    offer = sent_offer(company_a, by=staff)
    with pytest.raises(services.ValidationError, match="ciornă"):
        services.offer_send(offer=offer, by=staff)
    late = services.offer_create(company=company_a, by=staff, valid_until=today() - timedelta(days=1))
    OfferLine.objects.create(company=company_a, offer=late, position=1, description="x", quantity=1, unit_price=1)
    with pytest.raises(services.ValidationError, match="în trecut"):
        services.offer_send(offer=late, by=staff)


def test_the_tasks_are_safe_to_run_twice(offer, admin_a, member_a, mailoutbox):
    from quotes.tasks import notify_offer_sent, render_offer_pdf

    notify_offer_sent(offer.pk)
    notify_offer_sent(offer.pk)
    assert len(mailoutbox) == 2
    render_offer_pdf(offer.pk)
    offer.refresh_from_db()
    first = offer.pdf_id
    render_offer_pdf(offer.pk)
    offer.refresh_from_db()
    assert first and offer.pdf_id == first


def test_drafts_stay_in_admin(client, admin_a, company_a):
    draft = services.offer_create(company=company_a, by=None)
    client.force_login(admin_a)
    assert draft.number not in client.get(reverse("quotes:offer_list")).content.decode()
    for name in ("quotes:offer_detail", "quotes:offer_pdf"):
        assert client.get(reverse(name, args=[draft.public_id])).status_code == 404
    assert client.post(accept_url(draft)).status_code == 404


# --- the client's pages -----------------------------------------------------------------------------------


def test_list_filters_by_what_the_client_sees(client, admin_a, company_a):
    OfferFactory(company=company_a, number="OF-OPEN")
    OfferFactory(company=company_a, number="OF-LATE", valid_until=today() - timedelta(days=1))  # task not run yet
    OfferFactory(company=company_a, number="OF-EXP", status=Offer.Status.EXPIRED)
    OfferFactory(company=company_a, number="OF-YES", status=Offer.Status.ACCEPTED)
    OfferFactory(company=company_a, number="OF-NO", status=Offer.Status.REJECTED)
    client.force_login(admin_a)
    url = reverse("quotes:offer_list")
    expected = {
        "open": {"OF-OPEN"},
        "expired": {"OF-LATE", "OF-EXP"},
        "accepted": {"OF-YES"},
        "rejected": {"OF-NO"},
        "": {"OF-OPEN", "OF-LATE", "OF-EXP", "OF-YES", "OF-NO"},
    }
    for status, numbers in expected.items():
        page = client.get(url, {"status": status}).content.decode()
        assert {n for n in expected[""] if f">{n}<" in page} == numbers, status
    page = client.get(url, {"status": "expired"}).content.decode()
    assert page.count("expirată") >= 2


def test_detail_shows_lines_totals_and_the_decision_buttons(client, admin_a, company_a):
    offer = sent_offer(
        company_a,
        lines=[
            {
                "description": "Pompă submersibilă 4 kW",
                "quantity": "3",
                "unit_price": "2450.50",
                "discount_percent": "10",
            },
            {"description": "Kit montaj țeavă", "quantity": "1", "unit_price": "199.99", "vat_rate": 11},
        ],
    )
    client.force_login(admin_a)
    response = client.get(offer.get_absolute_url())
    page = response.content.decode()
    assert "Pompă submersibilă 4 kW" in page and "Kit montaj țeavă" in page
    totals = response.context["totals"]
    assert (totals.net, totals.vat, totals.gross) == (offer.total_net, offer.total_vat, offer.total_gross)
    assert totals.net == Decimal("6816.34")  # 6616.35 + 199.99
    assert (
        "6.816,34 lei" in page
        and f"{offer.total_gross:,.2f}".replace(",", "X").replace(".", ",").replace("X", ".") + " lei" in page
    )
    assert accept_url(offer) in page and reject_url(offer) in page and "data-confirm" in page
    assert 'name="reason"' in page


def test_a_member_without_the_right_sees_who_can_decide_and_gets_403(client, member_a, admin_a, company_a, offer):
    MembershipFactory(company=company_a, can_accept_offers=True, user__first_name="Radu", user__last_name="Stan")
    client.force_login(member_a)
    page = client.get(offer.get_absolute_url()).content.decode()
    assert accept_url(offer) not in page and reject_url(offer) not in page
    assert "Ofertele pot fi acceptate sau respinse de:" in page
    assert "Ana Popescu" in page and "Radu Stan" in page and "Mihai Ionescu" not in page.split("respinse de:")[1]
    assert client.post(accept_url(offer)).status_code == 403
    assert client.post(reject_url(offer)).status_code == 403
    with pytest.raises(services.PermissionDenied):
        services.offer_accept(offer_id=offer.pk, company=company_a, user=member_a)
    offer.refresh_from_db()
    assert offer.status == Offer.Status.SENT and offer.decided_at is None


def test_another_company_cannot_see_download_accept_or_reject(client, member_b, company_a, offer):
    client.force_login(member_b)
    assert offer.number not in client.get(reverse("quotes:offer_list")).content.decode()
    assert client.get(offer.get_absolute_url()).status_code == 404
    assert client.get(reverse("quotes:offer_pdf", args=[offer.public_id])).status_code == 404
    assert client.post(accept_url(offer)).status_code == 404
    assert client.post(reject_url(offer), {"reason": "x"}).status_code == 404
    offer.refresh_from_db()
    assert offer.status == Offer.Status.SENT and offer.decided_by is None and offer.pdf is None
    assert not AuditEntry.objects.filter(action__startswith="offer.", user=member_b).exists()


# --- deciding ---------------------------------------------------------------------------------------------


def test_accepting_records_who_when_ip_revision_and_totals(
    client, admin_a, company_a, settings, mailoutbox, django_capture_on_commit_callbacks
):
    settings.STAFF_NOTIFICATION_EMAILS = ["vanzari@furnizor.ro"]
    quote_request = QuoteRequestFactory(company=company_a, status=QuoteRequest.Status.OFFERED)
    offer = OfferFactory(company=company_a, request=quote_request)
    client.force_login(admin_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(accept_url(offer), REMOTE_ADDR="192.0.2.10")
    assert response.status_code == 302 and response["Location"] == offer.get_absolute_url()
    offer.refresh_from_db()
    quote_request.refresh_from_db()
    assert offer.status == Offer.Status.ACCEPTED and offer.decided_by == admin_a
    assert offer.decided_ip == "192.0.2.10" and offer.decided_total_gross == Decimal("4840.00")
    assert abs(offer.decided_at - timezone.now()) < timedelta(minutes=1)
    assert quote_request.status == QuoteRequest.Status.CLOSED
    entry = AuditEntry.objects.get(action="offer.accepted")
    assert (entry.user, entry.ip, entry.company) == (admin_a, "192.0.2.10", company_a)
    assert entry.data == {
        "number": offer.number,
        "revision": 1,
        "total_net": "4000.00",
        "total_vat": "840.00",
        "total_gross": "4840.00",
        "currency": "RON",
    }
    staff_mail = [m for m in mailoutbox if m.to == ["vanzari@furnizor.ro"]]
    assert len(staff_mail) == 1 and "a acceptat oferta" in staff_mail[0].subject
    assert "192.0.2.10" in staff_mail[0].body and "4.840,00 lei" in staff_mail[0].body
    assert offer.pdf is not None  # rendered again, with the acceptance
    page = client.get(offer.get_absolute_url()).content.decode()
    assert "Oferta %s a fost acceptată" % offer.number in page
    assert "Acceptată de Ana Popescu" in page and accept_url(offer) not in page


def test_rejecting_asks_an_optional_reason(
    client, admin_a, company_a, offer, settings, mailoutbox, django_capture_on_commit_callbacks
):
    settings.STAFF_NOTIFICATION_EMAILS = ["vanzari@furnizor.ro"]
    client.force_login(admin_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reject_url(offer), {"reason": "  Termenul de livrare este prea lung.  "})
    assert response.status_code == 302
    offer.refresh_from_db()
    assert offer.status == Offer.Status.REJECTED and offer.rejection_reason == "Termenul de livrare este prea lung."
    assert AuditEntry.objects.get(action="offer.rejected").data["reason"] == offer.rejection_reason
    assert "a respins oferta" in mailoutbox[0].subject and "prea lung" in mailoutbox[0].body
    assert offer.pdf is None  # the PDF as sent stays what it was; it says nothing about a rejection
    page = client.get(offer.get_absolute_url()).content.decode()
    assert "Respinsă de Ana Popescu" in page and "prea lung" in page

    other = OfferFactory(company=company_a)
    client.post(reject_url(other))
    other.refresh_from_db()
    assert other.status == Offer.Status.REJECTED and other.rejection_reason == ""


def test_get_is_not_a_decision(client, admin_a, offer):
    client.force_login(admin_a)
    # Accepting asks first: GET is the confirmation page (with the PO number and note), which decides nothing.
    page = client.get(accept_url(offer))
    assert page.status_code == 200 and 'name="po_number"' in page.content.decode()
    assert client.get(reject_url(offer)).status_code == 405
    offer.refresh_from_db()
    assert offer.status == Offer.Status.SENT


def test_a_decision_happens_once_and_the_others_are_told_why(client, admin_a, company_a, offer):
    colleague = MembershipFactory(company=company_a, can_accept_offers=True).user
    client.force_login(admin_a)
    client.post(accept_url(offer))
    client.force_login(colleague)
    for url in (accept_url(offer), reject_url(offer)):
        response = client.post(url, follow=True)
        assert "a fost deja acceptată de Ana Popescu" in response.content.decode()
    offer.refresh_from_db()
    assert offer.status == Offer.Status.ACCEPTED and offer.decided_by == admin_a
    assert AuditEntry.objects.filter(action__in=["offer.accepted", "offer.rejected"]).count() == 1


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"valid_until": "past"}, "a expirat la"),
        ({"status": Offer.Status.EXPIRED}, "a expirat la"),
        ({"status": Offer.Status.WITHDRAWN}, "retrasă de furnizor"),
        ({"status": Offer.Status.SUPERSEDED, "is_current": False}, "înlocuită de o revizie mai nouă"),
    ],
)
def test_an_offer_that_is_not_open_is_refused(client, admin_a, company_a, change, message):
    if change.get("valid_until") == "past":
        change = {"valid_until": today() - timedelta(days=1)}
    offer = OfferFactory(company=company_a, **change)
    client.force_login(admin_a)
    page = client.get(offer.get_absolute_url()).content.decode()
    assert accept_url(offer) not in page
    response = client.post(accept_url(offer), follow=True)
    assert "Oferta nu mai poate fi acceptată: a " in response.content.decode()
    assert message in response.content.decode()
    with pytest.raises(services.OfferNotOpen, match=message):
        services.offer_reject(offer_id=offer.pk, company=company_a, user=admin_a)
    offer.refresh_from_db()
    assert offer.decided_at is None


# --- revisions --------------------------------------------------------------------------------------------


def test_a_changed_offer_is_a_new_revision_and_the_client_sees_the_current_one(client, admin_a, company_a, staff):
    first = sent_offer(company_a, by=staff)
    draft = services.offer_new_revision(offer=first, by=staff, note="Preț redus cu 5%")
    assert (draft.number, draft.revision, draft.status) == (first.number, 2, Offer.Status.DRAFT)
    assert [(line.description, line.unit_price) for line in draft.lines.all()] == [
        ("Pompă submersibilă 4 kW", Decimal("2450.50"))
    ]
    with pytest.raises(services.ValidationError, match="deja o revizie în ciornă"):
        services.offer_new_revision(offer=first, by=staff)
    client.force_login(admin_a)
    assert client.get(draft.get_absolute_url()).status_code == 404  # drafts are staff's
    assert client.get(first.get_absolute_url()).context["offer"].status == Offer.Status.SENT

    draft.lines.update(unit_price=Decimal("2328.00"))
    services.offer_send(offer=draft, by=staff)
    first.refresh_from_db()
    draft.refresh_from_db()
    assert first.status == Offer.Status.SUPERSEDED and not first.is_current
    assert draft.status == Offer.Status.SENT and draft.is_current and draft.total_net == Decimal("6984.00")

    listing = client.get(reverse("quotes:offer_list")).content.decode()
    assert listing.count(f">{first.number}<") == 1 and "rev. 2" in listing
    page = client.get(draft.get_absolute_url()).content.decode()
    assert "Istoricul reviziilor" in page and first.get_absolute_url() in page and "Preț redus cu 5%" in page
    old = client.get(first.get_absolute_url()).content.decode()
    assert "înlocuită de revizia 2" in old and draft.get_absolute_url() in old and accept_url(first) not in old
    response = client.post(accept_url(first), follow=True)
    assert "înlocuită de o revizie mai nouă" in response.content.decode()
    assert client.post(accept_url(draft)).status_code == 302
    draft.refresh_from_db()
    assert draft.status == Offer.Status.ACCEPTED


def test_a_rejected_offer_can_be_revised_and_keeps_its_decision(company_a, admin_a, staff):
    first = sent_offer(company_a, by=staff)
    services.offer_reject(offer_id=first.pk, company=company_a, user=admin_a, reason="Prea scump")
    second = services.offer_send(offer=services.offer_new_revision(offer=first, by=staff), by=staff)
    first.refresh_from_db()
    assert first.status == Offer.Status.REJECTED and not first.is_current and second.is_current


def test_an_accepted_offer_is_not_revised(company_a, admin_a, staff):
    first = sent_offer(company_a, by=staff)
    draft = services.offer_new_revision(offer=first, by=staff)
    services.offer_accept(offer_id=first.pk, company=company_a, user=admin_a)
    with pytest.raises(services.ValidationError, match="acceptată"):
        services.offer_send(offer=draft, by=staff)
    with pytest.raises(services.ValidationError):
        services.offer_new_revision(offer=first, by=staff)


# --- expiry -----------------------------------------------------------------------------------------------


def test_offers_past_their_date_expire_once(company_a, admin_a):
    late = OfferFactory(company=company_a, valid_until=today() - timedelta(days=1))
    last_day = OfferFactory(company=company_a, valid_until=today())
    decided = OfferFactory(company=company_a, valid_until=today() - timedelta(days=3), status=Offer.Status.ACCEPTED)
    out = StringIO()
    call_command("expire_offers", stdout=out)
    assert "1 oferte expirate" in out.getvalue()
    for offer in (late, last_day, decided):
        offer.refresh_from_db()
    assert (late.status, last_day.status, decided.status) == (
        Offer.Status.EXPIRED,
        Offer.Status.SENT,
        Offer.Status.ACCEPTED,
    )
    assert services.expire_offers() == 0
    assert AuditEntry.objects.filter(action="offer.expired").count() == 1
    assert services.expire_offers(today=today() + timedelta(days=1)) == 1
    with pytest.raises(services.OfferNotOpen):
        services.offer_accept(offer_id=late.pk, company=company_a, user=admin_a)


def test_the_periodic_task_expires_offers(company_a):
    from quotes.tasks import expire_offers

    OfferFactory(company=company_a, valid_until=today() - timedelta(days=2))
    assert expire_offers() == 1
    assert expire_offers() == 0


# --- the PDF ----------------------------------------------------------------------------------------------


def test_the_pdf_opens_and_its_text_has_romanian_diacritics(company_a):
    offer = sent_offer(
        company_a,
        lines=[{"description": "Ștuț îmbinare țeavă — oțel galvanizat, ă/â", "quantity": "12", "unit_price": "18.35"}],
    )
    stored = services.offer_render_pdf(offer=offer)
    content = stored.file.open("rb").read()
    assert content.startswith(b"%PDF-") and b"%%EOF" in content[-32:]
    assert stored.content_type == "application/pdf" and stored.size == len(content) > 5000
    assert page_count(content) == 1
    fonts = font_names(content)
    assert fonts and all(name.startswith("DejaVu") for name in fonts), fonts
    assert set("ăâîșțĂȘȚ") <= mapped_characters(content)


def test_a_long_offer_flows_over_pages(company_a):
    offer = sent_offer(
        company_a, lines=[{"description": f"Articol {i}", "quantity": "1", "unit_price": "10"} for i in range(80)]
    )
    content = services.offer_render_pdf(offer=offer).file.open("rb").read()
    assert page_count(content) >= 3


def test_pdf_totals_equal_the_page_and_an_accepted_pdf_says_so(client, admin_a, company_a):
    offer = sent_offer(
        company_a,
        lines=[
            {"description": "Senzor presiune", "quantity": "7", "unit_price": "123.45", "discount_percent": "12.5"},
            {"description": "Manual tipărit", "quantity": "2", "unit_price": "45.00", "vat_rate": 11},
            {"description": "Instruire", "quantity": "1", "unit_price": "0.01", "vat_rate": 0},
        ],
    )
    client.force_login(admin_a)
    page_context = client.get(offer.get_absolute_url()).context
    pdf_context = selectors.offer_pdf_context(selectors.offer_for_pdf(pk=offer.pk))
    assert pdf_context["totals"] == page_context["totals"]
    assert [amounts for _line, amounts in pdf_context["rows"]] == [amounts for _line, amounts in page_context["rows"]]
    assert (pdf_context["totals"].net, pdf_context["totals"].gross) == (offer.total_net, offer.total_gross)
    html = render_to_string("pdf/quotes_offer.html", pdf_context)
    assert "OFERTĂ ACCEPTATĂ" not in html
    for value in ("756,13", "90,00", "0,01", "846,14", "158,79", "9,90", "1.014,83"):
        assert value in html, value

    client.post(accept_url(offer))
    offer = selectors.offer_for_pdf(pk=offer.pk)
    html = render_to_string("pdf/quotes_offer.html", selectors.offer_pdf_context(offer))
    assert "OFERTĂ ACCEPTATĂ" in html and "Ana Popescu" in html
    assert timezone.localtime(offer.decided_at).strftime("%d.%m.%Y %H:%M") in html


def test_download_serves_the_stored_pdf_and_has_it_generated_if_missing(
    client, admin_a, member_a, company_a, monkeypatch, django_capture_on_commit_callbacks
):
    offer = sent_offer(company_a)
    client.force_login(member_a)  # no right needed to read
    url = reverse("quotes:offer_pdf", args=[offer.public_id])
    with django_capture_on_commit_callbacks(execute=True):  # never rendered in the request: the task does it
        waiting = client.get(url)
    assert waiting.status_code == 200 and "se generează" in waiting.content.decode()
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="Oferta-{offer.number}-rev-1.pdf"'
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    offer.refresh_from_db()
    stored = offer.pdf
    assert stored is not None

    def refuse(*args, **kwargs):
        raise AssertionError("rendered again")

    monkeypatch.setattr("weasyprint.HTML.write_pdf", refuse)  # at the source: no import escapes it
    response = client.get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == stored.file.open("rb").read()
    assert AuditEntry.objects.filter(action="offer.pdf_downloaded", user=member_a).count() == 2


# --- admin ------------------------------------------------------------------------------------------------


@pytest.fixture
def valve():
    return ProductFactory(code="RS-25", name="Robinet sferic DN25")


@pytest.fixture
def valve_request(company_a, valve):
    """A one-line request for the valve, as the client sent it."""
    quote_request = QuoteRequestFactory(company=company_a, lines=1)
    quote_request.lines.update(product=valve)
    return quote_request


def priced_offer_form(quote_request, offer, line, product) -> dict:
    """The admin change form of the drafted offer: its line priced, a transport line added, and "send" pressed."""
    return {
        "request": quote_request.pk,
        "currency": "RON",
        "valid_until": (today() + timedelta(days=15)).strftime("%d.%m.%Y"),
        "payment_terms": "30 de zile",
        "delivery_terms": "5 zile",
        "notes": "",
        "revision_note": "",
        "lines-TOTAL_FORMS": "2",
        "lines-INITIAL_FORMS": "1",
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "1000",
        "lines-0-id": line.pk,
        "lines-0-offer": offer.pk,
        "lines-0-position": "1",
        "lines-0-product": product.pk,
        "lines-0-description": line.description,
        "lines-0-quantity": "4",
        "lines-0-unit": "buc",
        "lines-0-unit_price": "85.50",
        "lines-0-discount_percent": "0",
        "lines-0-vat_rate": "21",
        "lines-1-offer": offer.pk,
        "lines-1-position": "",
        "lines-1-product": "",
        "lines-1-description": "Transport",
        "lines-1-quantity": "1",
        "lines-1-unit": "cursă",
        "lines-1-unit_price": "150",
        "lines-1-discount_percent": "0",
        "lines-1-vat_rate": "21",
        "_send": "1",
    }


def test_staff_create_price_and_send_an_offer_in_admin(
    client, staff, admin_a, company_a, django_capture_on_commit_callbacks, valve, valve_request
):
    client.force_login(staff)
    response = client.post(
        reverse("admin:quotes_quoterequest_changelist"),
        {"action": "create_offer", "_selected_action": [valve_request.pk]},
    )
    offer = Offer.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("admin:quotes_offer_change", args=[offer.pk])
    line = offer.lines.get()
    url = reverse("admin:quotes_offer_change", args=[offer.pk])
    assert client.get(url).status_code == 200
    data = priced_offer_form(valve_request, offer, line, valve)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, data)
    assert response.status_code == 302, response.context["errors"]
    offer.refresh_from_db()
    assert offer.status == Offer.Status.SENT and offer.total_net == Decimal("492.00")
    assert [(line.position, line.company_id) for line in offer.lines.order_by("position")] == [
        (1, company_a.pk),
        (2, company_a.pk),
    ]
    assert offer.pdf is not None
    page = client.get(url).content.decode()
    assert "Creează o revizie nouă" in page and 'name="lines-0-unit_price"' not in page  # sent: read-only

    client.force_login(admin_a)
    client.post(accept_url(offer))
    client.force_login(staff)
    listing = client.get(reverse("admin:quotes_offer_changelist")).content.decode()
    assert "acceptată" in listing and "Ana Popescu" in listing
    pdf = client.get(reverse("admin:quotes_offer_pdf", args=[offer.pk]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"


def press(client, url: str, button: str):
    """Submit the admin change form as the browser would: its hidden fields plus the button pressed."""
    page = client.get(url).content.decode()
    assert f'name="{button}"' in page
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page))
    fields.pop("csrfmiddlewaretoken", None)
    return client.post(url, {**fields, button: "1"})


def test_admin_revision_and_withdraw_buttons_call_the_services(client, staff, company_a):
    offer = sent_offer(company_a, by=staff)
    client.force_login(staff)
    url = reverse("admin:quotes_offer_change", args=[offer.pk])
    response = press(client, url, "_new_revision")
    revision = Offer.objects.get(number=offer.number, revision=2)
    assert response["Location"] == reverse("admin:quotes_offer_change", args=[revision.pk])
    press(client, url, "_withdraw")
    offer.refresh_from_db()
    assert offer.status == Offer.Status.WITHDRAWN
    preview = client.get(reverse("admin:quotes_offer_pdf", args=[revision.pk]))
    assert preview.status_code == 200 and preview.content.startswith(b"%PDF-")
    revision.refresh_from_db()
    assert revision.pdf is None  # a draft's preview is never stored


# --- queries ----------------------------------------------------------------------------------------------


def measure(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("user", ["admin_a", "member_a"])
def test_offer_pages_run_a_fixed_number_of_queries(
    client, request, company_a, staff, user, django_assert_max_num_queries
):
    client.force_login(request.getfixturevalue(user))
    offer = sent_offer(company_a, by=staff)
    urls = [reverse("quotes:offer_list"), offer.get_absolute_url()]
    few = [measure(client, url) for url in urls]

    for _ in range(30):
        OfferFactory(company=company_a, lines=2, request=QuoteRequestFactory(company=company_a, lines=0))
    for i in range(25):
        OfferLine.objects.create(
            company=company_a,
            offer=offer,
            position=i + 2,
            description=f"Articol {i}",
            quantity=1,
            unit_price=10,
            product=ProductFactory(),
        )
    latest = offer
    for _ in range(4):
        latest = services.offer_send(offer=services.offer_new_revision(offer=latest, by=staff), by=staff)
    for _ in range(5):
        MembershipFactory(company=company_a, can_accept_offers=True)
    urls[1] = latest.get_absolute_url()
    for url, count in zip(urls, few, strict=True):
        with django_assert_max_num_queries(count):
            response = client.get(url)
        assert response.status_code == 200
    assert "Pagina 1 din 2" in client.get(urls[0]).content.decode()


def test_staff_add_a_standalone_offer_with_a_number_of_the_series(client, staff, company_a, company_b):
    client.force_login(staff)
    url = reverse("admin:quotes_offer_add")
    data = {
        "company": company_a.pk,
        "request": "",
        "currency": "EUR",
        "valid_until": (today() + timedelta(days=10)).strftime("%d.%m.%Y"),
        "payment_terms": "avans 30%",
        "delivery_terms": "",
        "notes": "",
        "lines-TOTAL_FORMS": "1",
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "1000",
        "lines-0-position": "",
        "lines-0-product": "",
        "lines-0-description": "Audit energetic stație de pompare",
        "lines-0-quantity": "1",
        "lines-0-unit": "buc",
        "lines-0-unit_price": "1200",
        "lines-0-discount_percent": "0",
        "lines-0-vat_rate": "21",
    }
    response = client.post(url, data)
    assert response.status_code == 302, response.context["errors"]
    offer = Offer.objects.get()
    assert offer.number.startswith(f"OF-{today().year}-") and offer.revision == 1 and offer.created_by == staff
    assert offer.status == Offer.Status.DRAFT and offer.total_gross == Decimal("1452.00")
    assert offer.lines.get().company == company_a

    other_request = QuoteRequestFactory(company=company_b)
    response = client.post(url, {**data, "request": other_request.pk})
    assert response.status_code == 200 and "aparține altei companii" in response.content.decode()
    assert Offer.objects.count() == 1


def test_admin_request_actions(client, staff, company_a):
    submitted = QuoteRequestFactory(company=company_a)
    client.force_login(staff)
    url = reverse("admin:quotes_quoterequest_changelist")
    client.post(url, {"action": "mark_in_review", "_selected_action": [submitted.pk]})
    submitted.refresh_from_db()
    assert submitted.status == QuoteRequest.Status.IN_REVIEW
    client.post(url, {"action": "close", "_selected_action": [submitted.pk]})
    submitted.refresh_from_db()
    assert submitted.status == QuoteRequest.Status.CLOSED
    response = client.post(url, {"action": "close", "_selected_action": [submitted.pk]}, follow=True)
    assert "deja închisă" in response.content.decode()
    attachment = services.store_upload(company=company_a, uploaded=pdf_upload("caiet.pdf"), user=None)
    submitted.attachments.add(attachment)
    page = client.get(reverse("admin:quotes_quoterequest_change", args=[submitted.pk])).content.decode()
    download = reverse("admin:quotes_quoterequest_attachment", args=[submitted.pk, attachment.pk])
    assert download in page and client.get(download).status_code == 200


def test_sent_offers_cannot_be_deleted_in_admin(client, staff, company_a):
    offer = OfferFactory(company=company_a)
    client.force_login(staff)
    assert client.get(reverse("admin:quotes_offer_delete", args=[offer.pk])).status_code == 403
    assert Offer.objects.filter(pk=offer.pk).exists()
