"""Payment notices: the same payment is not announced twice, confirming one closes the others it settled,
the invoice page and the admin list show them."""

from decimal import Decimal

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from accounts.tests.factories import CompanyFactory, MembershipFactory
from billing import services
from billing.models import Payment, PaymentNotice
from billing.tests.factories import fresh, issued_invoice
from files.models import StoredFile
from files.tests.factories import pdf_upload, png_upload
from portal.models import AuditEntry, Notification

D = Decimal


def today():
    return timezone.localdate()


@pytest.fixture
def invoice(company_a):
    return issued_invoice(company_a, series="FRN", number=4233, lines=[("1000.00", 21)])


def announce(company, user, invoices, *, reference="OP 118", amount="1210.00", proof=None):
    return services.notice_create(
        company=company,
        user=user,
        paid_on=today(),
        amount=D(amount),
        currency="RON",
        reference=reference,
        proof=proof or pdf_upload("ordin.pdf", reference),
        invoices=invoices,
    )


def form_data(invoices, *, reference="OP 118", amount="1210.00", proof=None):
    return {
        "amount": amount,
        "currency": "RON",
        "paid_on": today().isoformat(),
        "reference": reference,
        "invoices": [str(invoice.public_id) for invoice in invoices],
        "proof": proof or pdf_upload("ordin.pdf", reference),
    }


# --- duplicates -----------------------------------------------------------------------------------


def test_the_same_invoice_amount_and_reference_is_refused_with_a_link_even_once_confirmed(
    client, admin_a, company_a, invoice, staff
):
    first = announce(company_a, admin_a, [invoice], amount="600.00")
    services.notice_confirm(notice=first, by=staff)  # the invoice is still partly open
    files = StoredFile.objects.count()
    client.force_login(admin_a)
    data = form_data([invoice], amount="600.00", proof=png_upload("alt.png"))
    response = client.post(reverse("billing:notice_create"), data)
    assert response.status_code == 400
    assert "Ați anunțat deja această plată" in " ".join(response.context["form"].errors["reference"])
    page = response.content.decode()
    assert f'href="{reverse("billing:notice_detail", args=[first.public_id])}"' in page
    assert "Vedeți anunțul existent (OP 118)" in page
    assert PaymentNotice.objects.count() == 1 and StoredFile.objects.count() == files  # the upload is not kept


def test_the_same_proof_file_is_refused_whatever_its_name_or_reference(client, admin_a, company_a, invoice):
    first = announce(company_a, admin_a, [invoice], proof=pdf_upload("ordin.pdf", "Ordin de plată 118"))
    colleague = MembershipFactory(company=company_a, can_see_billing=True).user
    client.force_login(colleague)
    data = form_data(
        [invoice], reference="BT 000118", amount="1000", proof=pdf_upload("scan.pdf", "Ordin de plată 118")
    )
    response = client.post(reverse("billing:notice_create"), data)
    assert response.status_code == 400
    assert "Această dovadă de plată a fost deja trimisă" in " ".join(response.context["form"].errors["proof"])
    assert reverse("billing:notice_detail", args=[first.public_id]) in response.content.decode()
    assert PaymentNotice.objects.count() == 1


def test_a_different_payment_or_one_announced_again_after_a_rejection_is_accepted(
    client, admin_a, company_a, invoice, staff
):
    first = announce(company_a, admin_a, [invoice], amount="600.00")
    # The rest of the invoice, paid later with another order: not a duplicate.
    second = announce(company_a, admin_a, [invoice], reference="OP 119", amount="610.00")
    services.notice_reject(notice=first, by=staff, reason="Nu apare încă în extras.")
    # The rejected one, sent again with the same proof once the money shows: accepted.
    third = announce(company_a, admin_a, [invoice], amount="600.00", proof=pdf_upload("ordin.pdf", "OP 118"))
    assert {second.status, third.status} == {"pending"}


def test_another_companys_announcements_are_not_duplicates(member_b, company_b, company_a, admin_a, invoice):
    announce(company_a, admin_a, [invoice])
    other = issued_invoice(company_b)
    assert announce(company_b, member_b, [other], proof=pdf_upload("ordin.pdf", "OP 118")).company == company_b


# --- confirming one closes the others -----------------------------------------------------------------


def test_confirming_one_closes_the_pending_ones_it_settled_in_the_same_transaction(
    admin_a, company_a, invoice, staff, django_capture_on_commit_callbacks
):
    colleague = MembershipFactory(
        company=company_a, can_see_billing=True, user__first_name="Ion", user__language="en"
    ).user
    other_invoice = issued_invoice(company_a, series="FRN", number=4240)
    confirmed = announce(company_a, admin_a, [invoice])
    same_by_colleague = announce(company_a, colleague, [invoice], reference="BT-118-bis", amount="1210")
    with_another_open = announce(company_a, colleague, [invoice, other_invoice], reference="OP 200", amount="2420")
    unrelated = announce(company_a, admin_a, [other_invoice], reference="OP 201")
    with django_capture_on_commit_callbacks(execute=True):
        payment = services.notice_confirm(notice=confirmed, by=staff)
    assert fresh(invoice).status == "platita"
    closed = fresh(same_by_colleague)
    assert closed.status == PaymentNotice.Status.REJECTED and closed.is_settled_elsewhere
    assert closed.settled_by == payment and closed.decided_by == staff and closed.payment is None
    # In the announcer's language (English): the catalogue may lack the string yet, the invoice and payment are there.
    assert "FRN 4233" in closed.rejection_reason and "OP 118" in closed.rejection_reason
    assert fresh(with_another_open).status == "pending"  # FRN 4240 is still open: maybe another payment
    assert fresh(unrelated).status == "pending"
    assert Payment.objects.count() == 1
    assert AuditEntry.objects.filter(action="payment_notice.settled", object_id=str(closed.public_id)).exists()
    told = Notification.objects.get(user=colleague, kind="payment_notice.decided")
    assert "BT-118-bis" in told.title and "nu a fost confirmat" not in told.title
    with translation.override("ro"):  # the email says the payment is recorded, not that it was refused
        email = next(m for m in mail.outbox if colleague.email in m.to)
        assert "Nu am putut confirma" not in email.body and "nu a fost confirmată" not in email.subject


def test_a_partial_payment_leaves_a_different_pending_one_but_closes_the_same_payment(admin_a, company_a, staff):
    invoice = issued_invoice(company_a, lines=[("1000.00", 21)])
    half = announce(company_a, admin_a, [invoice], amount="605.00")
    rest = announce(company_a, admin_a, [invoice], reference="OP 119", amount="605.00")
    # An announcement from before duplicates were refused: the same order, sent twice.
    twice = PaymentNotice.objects.create(
        company=company_a,
        announced_by=admin_a,
        paid_on=today(),
        amount=D("605.00"),
        reference="OP 118",
        proof=half.proof,
    )
    twice.invoice_links.create(company=company_a, invoice=invoice)
    services.notice_confirm(notice=half, by=staff)
    assert fresh(invoice).status == "partial"
    assert fresh(rest).status == "pending"
    twice = fresh(twice)
    assert twice.is_settled_elsewhere and "aceeași plată (OP 118)" in twice.rejection_reason


def test_a_failed_confirmation_closes_nothing(admin_a, company_a, invoice, staff):
    confirmed = announce(company_a, admin_a, [invoice])
    other = announce(company_a, admin_a, [invoice], reference="OP 300", amount="1210")
    services.notice_reject(notice=confirmed, by=staff, reason="Nu apare.")
    with pytest.raises(Exception, match="deja verificată"):
        services.notice_confirm(notice=confirmed, by=staff)
    assert fresh(other).status == "pending"


def test_the_client_sees_a_closed_announcement_as_closed_not_refused(client, admin_a, company_a, invoice, staff):
    confirmed = announce(company_a, admin_a, [invoice])
    other = announce(company_a, admin_a, [invoice], reference="OP 300", amount="1210")
    services.notice_confirm(notice=confirmed, by=staff)
    client.force_login(admin_a)
    page = client.get(reverse("billing:payment_list")).content.decode()
    assert "închisă" in page and "respinsă" not in page
    detail = client.get(reverse("billing:notice_detail", args=[other.public_id])).content.decode()
    assert "Închisă prin plata" in detail and "FRN 4233" in detail and "alert-secondary" in detail


# --- the invoice page and the notice page ------------------------------------------------------------


def test_the_invoice_page_lists_its_pending_announcements_with_who(client, admin_a, company_a, invoice, staff):
    colleague = MembershipFactory(
        company=company_a, can_see_billing=True, user__first_name="Ion", user__last_name="Vasilescu"
    ).user
    announce(company_a, admin_a, [invoice], amount="600.00")
    announce(company_a, colleague, [invoice], reference="OP 119", amount="610.00")
    decided = announce(company_a, admin_a, [invoice], reference="OP 120", amount="1.00")
    services.notice_reject(notice=decided, by=staff, reason="Nu.")
    client.force_login(admin_a)
    response = client.get(reverse("billing:invoice_detail", args=[invoice.public_id]))
    page = response.content.decode()
    assert "Plăți anunțate, în verificare" in page
    assert "OP 118" in page and "OP 119" in page and "OP 120" not in page
    assert "Ana Popescu" in page and "Ion Vasilescu" in page and "600,00 lei" in page


def test_the_notice_page_is_the_companys_own(client, admin_a, member_b, company_a, invoice):
    notice = announce(company_a, admin_a, [invoice])
    client.force_login(admin_a)
    page = client.get(reverse("billing:notice_detail", args=[notice.public_id])).content.decode()
    assert "Plată anunțată OP 118" in page and "în verificare" in page and "FRN 4233" in page
    client.force_login(member_b)
    assert client.get(reverse("billing:notice_detail", args=[notice.public_id])).status_code == 404


def test_the_notice_page_runs_a_fixed_number_of_queries(client, admin_a, company_a, django_assert_max_num_queries):
    invoices = [issued_invoice(company_a) for _ in range(12)]
    few = announce(company_a, admin_a, invoices[:1])
    many = announce(company_a, admin_a, invoices, reference="OP 2", amount="5000")
    client.force_login(admin_a)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("billing:notice_detail", args=[few.public_id])).status_code == 200
    with django_assert_max_num_queries(len(queries)):
        assert client.get(reverse("billing:notice_detail", args=[many.public_id])).status_code == 200


# --- admin -----------------------------------------------------------------------------------------


def test_the_admin_list_shows_invoices_and_company_and_filters_by_company(
    client, staff, admin_a, company_a, member_b, company_b, django_assert_max_num_queries
):
    invoice = issued_invoice(company_a, series="FRN", number=4233)
    announce(company_a, admin_a, [invoice])
    other = issued_invoice(company_b, series="FRN", number=4299)
    announce(company_b, member_b, [other], reference="OP B")
    url = reverse("admin:billing_paymentnotice_changelist")
    client.force_login(staff)
    page = client.get(url).content.decode()
    assert "FRN 4233" in page and "FRN 4299" in page and company_a.name in page and company_b.name in page
    assert reverse("admin:billing_invoice_change", args=[invoice.pk]) in page
    filtered = client.get(url, {"company__id__exact": company_b.pk}).content.decode()
    assert "FRN 4299" in filtered and "FRN 4233" not in filtered
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    for index in range(15):
        company = CompanyFactory()
        invoices = [issued_invoice(company) for _ in range(3)]
        user = MembershipFactory(company=company, can_see_billing=True).user
        announce(company, user, invoices, reference=f"OP M{index}", amount="100")
    with django_assert_max_num_queries(len(queries)):
        page = client.get(url).content.decode()
    assert "OP M14" in page
