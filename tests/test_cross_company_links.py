"""A link to an object of the user's other company (an email, a notification) switches the company.

The cast: ``member_b`` is administrator of company B and, here, also a member of company A, which is
active first (Agroserv < Termoplast by name). Objects of company B opened while A is active switch the
session to B with a notice; everyone who is not an active member of B keeps the 404 (portal/tenancy.py,
``CompanyMiddleware``).
"""

import logging

import pytest
from django.contrib import messages
from django.contrib.messages import get_messages
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.http import HttpResponse, HttpResponseNotFound
from django.shortcuts import get_object_or_404
from django.test.utils import CaptureQueriesContext
from django.urls import include, path, reverse

from accounts.models import Company, Membership
from accounts.tests.factories import MembershipFactory
from billing.tests.factories import issued_invoice
from files.models import DocumentSeen
from files.tests.factories import DocumentFactory
from portal import services as portal_services
from portal.models import AuditEntry, Notification
from portal.notifications import notify
from portal.tenancy import SESSION_KEY, company_member_required, probing
from quotes.models import Offer
from quotes.tests.factories import sent_offer
from support.tests.factories import TicketFactory

NOTICE = "Ați trecut la compania Termoplast Test SA."


@pytest.fixture
def two_companies(member_b, company_a):
    """member_b, also an administrator of company A; A is the active company at login."""
    MembershipFactory(
        user=member_b, company=company_a, role=Membership.Role.ADMIN, can_accept_offers=True, can_see_billing=True
    )
    return member_b


@pytest.fixture
def offer_b(company_b):
    return sent_offer(company_b)


def active_company(client) -> str | None:
    return client.session.get(SESSION_KEY)


def all_files(storage, path: str = "") -> set[str]:
    directories, files = storage.listdir(path)
    found = {f"{path}{name}" for name in files}
    for directory in directories:
        found |= all_files(storage, f"{path}{directory}/")
    return found


def object_url(name: str, company) -> str:
    """A URL of one of company B's objects, for each kind of page a link may name."""
    if name == "offer":
        return reverse("quotes:offer_detail", args=[sent_offer(company).public_id])
    if name == "invoice":
        return reverse("billing:invoice_detail", args=[issued_invoice(company).public_id])
    if name == "invoice_pdf":
        return reverse("billing:invoice_pdf", args=[issued_invoice(company).public_id])
    if name == "document":
        return reverse("files:detail", args=[DocumentFactory(company=company).public_id])
    if name == "download":
        return reverse("files:download", args=[DocumentFactory(company=company).public_id])
    if name == "ticket":
        return reverse("support:detail", args=[TicketFactory(company=company).public_id])
    raise AssertionError(name)


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["offer", "invoice", "invoice_pdf", "document", "download", "ticket"])
def test_a_link_to_the_other_company_switches_and_lands_on_the_object(client, two_companies, company_b, kind):
    url = object_url(kind, company_b)
    client.force_login(two_companies)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == url
    assert active_company(client) == str(company_b.public_id)
    response = client.get(url)
    assert response.status_code == 200
    assert [str(m) for m in get_messages(response.wsgi_request)] == [NOTICE]


@pytest.mark.django_db
def test_the_notice_shows_on_the_object_page_and_the_query_string_is_kept(client, two_companies, company_b, offer_b):
    url = reverse("quotes:offer_detail", args=[offer_b.public_id]) + "?tab=linii&x=%C8%99"
    client.force_login(two_companies)
    response = client.get(url, follow=True)
    assert response.redirect_chain == [(url, 302)]
    page = response.content.decode()
    assert NOTICE in page and offer_b.number in page
    assert response.context["current_company"] == company_b
    # The next page of company B says nothing more.
    assert NOTICE not in client.get(reverse("quotes:offer_list")).content.decode()


@pytest.mark.django_db
def test_head_switches_too(client, two_companies, company_b, offer_b):
    client.force_login(two_companies)
    url = reverse("quotes:offer_detail", args=[offer_b.public_id])
    response = client.head(url)
    assert (response.status_code, response["Location"]) == (302, url)
    assert active_company(client) == str(company_b.public_id)


@pytest.mark.django_db
def test_a_post_still_answers_404_and_changes_nothing(client, two_companies, company_a, offer_b):
    client.force_login(two_companies)
    response = client.post(reverse("quotes:offer_accept", args=[offer_b.public_id]))
    assert response.status_code == 404
    assert active_company(client) in (None, str(company_a.public_id))
    offer_b.refresh_from_db()
    assert offer_b.status == Offer.Status.SENT


@pytest.mark.django_db
def test_an_object_of_no_company_of_the_user_stays_404(client, two_companies, db):
    from accounts.tests.factories import CompanyFactory

    stranger = CompanyFactory(name="Zeta Străin SRL")
    url = reverse("quotes:offer_detail", args=[sent_offer(stranger).public_id])
    client.force_login(two_companies)
    assert client.get(url).status_code == 404
    assert active_company(client) is None


def _not_an_active_member_of_b(kind, company_b, member_a, pending_user, staff):
    """A user of company A whose place in company B is not an active membership (or staff)."""
    if kind == "non_member":
        return member_a
    if kind == "staff":
        return staff
    if kind == "pending":
        MembershipFactory(user=member_a, company=company_b, status=Membership.Status.PENDING, approved_at=None)
    if kind == "rejected":
        MembershipFactory(user=member_a, company=company_b, status=Membership.Status.REJECTED, approved_at=None)
    if kind == "suspended_company":
        MembershipFactory(user=member_a, company=company_b, role=Membership.Role.ADMIN)
        Company.objects.filter(pk=company_b.pk).update(status=Company.Status.SUSPENDED)
    return member_a


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["non_member", "pending", "rejected", "suspended_company", "staff"])
def test_everyone_who_is_not_an_active_member_of_the_other_company_gets_404(
    client, company_b, member_a, pending_user, staff, offer_b, kind
):
    user = _not_an_active_member_of_b(kind, company_b, member_a, pending_user, staff)
    client.force_login(user)
    for url in (
        reverse("quotes:offer_detail", args=[offer_b.public_id]),
        reverse("quotes:offer_pdf", args=[offer_b.public_id]),
    ):
        response = client.get(url)
        assert response.status_code == 404
        assert active_company(client) != str(company_b.public_id)
        assert NOTICE not in [str(m) for m in get_messages(response.wsgi_request)]


@pytest.mark.django_db
def test_a_deactivated_user_is_sent_to_log_in(client, two_companies, offer_b):
    client.force_login(two_companies)
    two_companies.is_active = False
    two_companies.save(update_fields=["is_active"])
    response = client.get(reverse("quotes:offer_detail", args=[offer_b.public_id]))
    assert response.status_code == 302 and reverse("account_login") in response["Location"]


@pytest.mark.django_db
def test_without_the_right_in_the_other_company_it_stays_404(client, admin_a, company_b):
    """admin_a is a plain member of B too (no billing right): B's invoice answers 403 there, so no switch."""
    MembershipFactory(user=admin_a, company=company_b)
    invoice = issued_invoice(company_b)
    client.force_login(admin_a)
    assert client.get(reverse("billing:invoice_detail", args=[invoice.public_id])).status_code == 404
    assert active_company(client) is None
    # A page they may see in B switches as usual.
    url = reverse("quotes:offer_detail", args=[sent_offer(company_b).public_id])
    assert client.get(url)["Location"] == url


@pytest.mark.django_db
def test_a_right_missing_in_the_active_company_but_held_in_the_other_switches(client, member_a, company_a, company_b):
    """member_a has no billing right in A (403 there, before any lookup) and has it in B: B's invoice opens;
    A's own invoice keeps its 403."""
    MembershipFactory(user=member_a, company=company_b, can_see_billing=True)
    url = reverse("billing:invoice_detail", args=[issued_invoice(company_b).public_id])
    own = reverse("billing:invoice_detail", args=[issued_invoice(company_a).public_id])
    client.force_login(member_a)
    assert client.get(own).status_code == 403
    assert client.get(url)["Location"] == url
    assert active_company(client) == str(company_b.public_id)
    assert client.get(url).status_code == 200
    assert client.get(own).status_code == 404  # from B, A's invoice: A has it, but A forbids it to them
    assert active_company(client) == str(company_b.public_id)


@pytest.mark.django_db
def test_a_list_or_a_missing_id_never_switches(client, two_companies, company_a):
    client.force_login(two_companies)
    assert client.get(reverse("quotes:offer_list") + "?page=999").status_code in (200, 404)
    missing = reverse("quotes:offer_detail", args=["6f1c2b1e-0000-4000-8000-000000000000"])
    assert client.get(missing).status_code == 404
    assert active_company(client) is None


@pytest.mark.django_db
def test_the_current_company_wins_when_it_has_the_object(client, two_companies, company_a, company_b):
    offer_a = sent_offer(company_a)
    client.force_login(two_companies)
    assert client.get(reverse("quotes:offer_detail", args=[offer_a.public_id])).status_code == 200
    assert active_company(client) is None


@pytest.mark.django_db
def test_the_switch_costs_a_fixed_number_of_queries(client, two_companies, company_b):
    """The try runs the object's own page once: as many queries for 60 lines as for one."""

    def switch_queries(lines: int) -> int:
        rows = [{"description": f"Articol {n}", "quantity": "1", "unit_price": "9"} for n in range(lines)]
        offer = sent_offer(company_b, lines=rows)
        client.logout()
        client.force_login(two_companies)  # a new session: company A active again
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("quotes:offer_detail", args=[offer.public_id])).status_code == 302
        return len(queries)

    switch_queries(1)  # caches filled once per process (content types)
    few = switch_queries(1)
    assert switch_queries(60) == few
    assert few <= 60


# --- the try leaves nothing behind ---------------------------------------------------------------------


@pytest.mark.django_db
def test_a_download_is_audited_and_marked_seen_once(client, two_companies, company_b, caplog):
    caplog.set_level(logging.INFO, logger="portal.security_log")
    document = DocumentFactory(company=company_b)
    url = reverse("files:download", args=[document.public_id])
    downloads = AuditEntry.objects.filter(action="document.downloaded")
    client.force_login(two_companies)

    assert client.get(url).status_code == 302
    assert not downloads.exists()
    assert not DocumentSeen.objects.filter(user=two_companies).exists()
    logged = [r.security.get("action") for r in caplog.records if r.name == "portal.security_log"]
    assert "document.downloaded" not in logged

    response = client.get(url)
    assert response.status_code == 200
    b"".join(response.streaming_content)
    assert downloads.count() == 1
    assert DocumentSeen.objects.filter(user=two_companies, document=document).count() == 1
    logged = [r.security.get("action") for r in caplog.records if r.name == "portal.security_log"]
    assert logged.count("document.downloaded") == 1


@pytest.mark.django_db
def test_a_pdf_not_kept_yet_is_asked_for_after_the_switch_not_by_the_try(
    client, two_companies, company_b, offer_b, django_capture_on_commit_callbacks
):
    """The offer's PDF is not rendered yet: the try renders and stores nothing (a download never renders in
    the request, files/generating.py); after the switch the page says it is being generated and its task runs."""
    assert offer_b.pdf is None
    before = all_files(default_storage)
    url = reverse("quotes:offer_pdf", args=[offer_b.public_id])
    client.force_login(two_companies)

    assert client.get(url).status_code == 302
    offer_b.refresh_from_db()
    assert offer_b.pdf is None
    assert all_files(default_storage) == before

    with django_capture_on_commit_callbacks(execute=True):
        waiting = client.get(url)
    assert waiting.status_code == 200 and "se generează" in waiting.content.decode()
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    offer_b.refresh_from_db()
    assert offer_b.pdf is not None
    assert len(all_files(default_storage) - before) == 1
    assert AuditEntry.objects.filter(action="offer.pdf_downloaded").count() == 1


@pytest.mark.django_db
def test_the_try_enqueues_nothing(client, two_companies, company_b, offer_b, django_capture_on_commit_callbacks):
    client.force_login(two_companies)
    with django_capture_on_commit_callbacks() as callbacks:
        assert client.get(reverse("quotes:offer_pdf", args=[offer_b.public_id])).status_code == 302
    assert callbacks == []


@pytest.mark.django_db
def test_a_switch_that_still_ends_in_404_is_not_tried_again(client, two_companies, company_a, company_b, offer_b):
    """Should the object move between the try and the visit, that visit answers 404: no redirect loop."""
    url = reverse("quotes:offer_detail", args=[offer_b.public_id])
    client.force_login(two_companies)
    assert client.get(url).status_code == 302
    Offer.objects.filter(pk=offer_b.pk).update(company=company_a)  # staff moved it meanwhile
    assert client.get(url).status_code == 404
    assert active_company(client) == str(company_b.public_id)
    assert client.get(url)["Location"] == url  # a later visit follows it to company A
    assert active_company(client) == str(company_a.public_id)


# A view that does everything a GET should not, to see the try undo each (this module is its URLconf).
VISITS: list[str] = []


@company_member_required
def busy_offer(request, public_id):
    offer = get_object_or_404(Offer.objects.for_company(request.company), public_id=public_id)
    for notification in Notification.objects.filter(user=request.user, company=request.company, read_at=None):
        portal_services.notification_mark_read(notification=notification)
    messages.warning(request, "Mesaj lăsat de pagină")
    request.session["vazut"] = offer.number
    transaction.on_commit(lambda: VISITS.append(offer.number))
    return HttpResponse(f"{offer.number} {'încercare' if probing() else 'vizită'}")


def not_found(request, exception):
    return HttpResponseNotFound("negăsit")


urlpatterns = [path("", include(([path("oferta/<uuid:public_id>/", busy_offer, name="busy_offer")], "portal")))]
handler404 = not_found


@pytest.mark.django_db
@pytest.mark.urls(__name__)
def test_the_try_keeps_no_read_mark_message_session_key_nor_task(
    client, two_companies, company_b, offer_b, django_capture_on_commit_callbacks
):
    notification = notify(
        user=two_companies,
        company=company_b,
        kind="offer.sent",
        message="offer.sent",
        params={"number": offer_b.number},
        url="/",
    )
    url = reverse("portal:busy_offer", args=[offer_b.public_id])
    client.force_login(two_companies)
    VISITS.clear()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.get(url)
    assert response.status_code == 302 and callbacks == [] and VISITS == []
    notification.refresh_from_db()
    assert notification.read_at is None
    assert [str(m) for m in get_messages(response.wsgi_request)] == [NOTICE]
    assert "vazut" not in client.session

    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(url)
    assert response.content.decode() == f"{offer_b.number} vizită"
    assert [offer_b.number] == VISITS
    notification.refresh_from_db()
    assert notification.read_at is not None
    assert client.session["vazut"] == offer_b.number
