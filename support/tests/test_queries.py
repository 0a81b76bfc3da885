"""Every page runs a fixed number of queries, whatever the number of tickets, messages or files."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from contracts.tests.factories import ContractFactory
from support import services
from support.models import Ticket
from support.tests.factories import TicketFactory

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def count(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_list_runs_fixed_queries(client, admin_a, company_a, django_assert_max_num_queries):
    TicketFactory.create_batch(2, company=company_a, opened_by=admin_a)
    client.force_login(admin_a)
    client.get(reverse("support:list"))  # the first request after login writes the session once
    few = count(client, reverse("support:list"))
    TicketFactory.create_batch(60, company=company_a)
    TicketFactory.create_batch(5, company=company_a, status=Ticket.Status.WAITING)
    with django_assert_max_num_queries(few):
        response = client.get(reverse("support:list"))
    assert "Pagina 1 din 3" in response.content.decode()
    assert few <= 8, few


def conversation(ticket, staff, admin_a, n):
    for i in range(n):
        services.ticket_staff_message(
            ticket=ticket, user=staff, body=f"Răspuns {i}", attachments=[SimpleUploadedFile(f"s{i}.pdf", PDF)]
        )
        services.ticket_staff_message(ticket=ticket, user=staff, body=f"Notă {i}", is_internal=True)
        services.ticket_set_status(ticket=ticket, status=Ticket.Status.WAITING, by=staff)
        services.ticket_reply(
            ticket=ticket,
            company=ticket.company,
            user=admin_a,
            body=f"Mesaj {i}",
            attachments=[SimpleUploadedFile(f"c{i}.pdf", PDF)],
        )


def test_detail_with_a_long_conversation_runs_fixed_queries(
    client, admin_a, staff, company_a, django_assert_max_num_queries
):
    contract = ContractFactory(company=company_a)
    ticket = services.ticket_open(
        company=company_a,
        user=admin_a,
        subject="S",
        description="D",
        linked=contract,
        attachments=[SimpleUploadedFile("a.pdf", PDF)],
    )
    conversation(ticket, staff, admin_a, 1)
    client.force_login(admin_a)
    client.get(ticket.get_absolute_url())  # the first request after login writes the session once
    few = count(client, ticket.get_absolute_url())
    conversation(ticket, staff, admin_a, 30)
    with django_assert_max_num_queries(few):
        response = client.get(ticket.get_absolute_url())
    page = response.content.decode()
    assert "Mesaj 29" in page and "c29.pdf" in page and "Notă" not in page
    assert few <= 12, few


def test_new_ticket_form_runs_fixed_queries(client, admin_a, company_a, django_assert_max_num_queries):
    ContractFactory(company=company_a)
    client.force_login(admin_a)
    few = count(client, reverse("support:create"))
    ContractFactory.create_batch(70, company=company_a)
    with django_assert_max_num_queries(few):
        page = client.get(reverse("support:create")).content.decode()
    # Each group lists the 50 most recent of its type.
    assert page.count('value="contracts.contract:') == 50


def test_admin_pages_run_fixed_queries(client, staff, admin_a, company_a, django_assert_max_num_queries):
    ticket = services.ticket_open(company=company_a, user=admin_a, subject="S", description="D")
    conversation(ticket, staff, admin_a, 1)
    TicketFactory.create_batch(2, company=company_a, assigned_to=staff)
    client.force_login(staff)
    changelist = reverse("admin:support_ticket_changelist")
    change = reverse("admin:support_ticket_change", args=[ticket.pk])
    few_list, few_change = count(client, changelist), count(client, change)
    TicketFactory.create_batch(40, company=company_a)
    conversation(ticket, staff, admin_a, 20)
    with django_assert_max_num_queries(few_list):
        client.get(changelist)
    with django_assert_max_num_queries(few_change):
        page = client.get(change).content.decode()
    assert "Notă 19" in page and "Mesaj 19" in page
