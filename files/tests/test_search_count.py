"""A search's count is cached under the company's documents stamp and the member's rights: it is right
after every change, and paging does not count again."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from files.models import CategoryAccess, Document, RequiredRight
from files.tests.factories import DocumentFactory, pdf_upload


def count_shown(client, **params) -> str:
    page = client.get(reverse("files:list"), {"q": "pompa", **params}).content.decode()
    return page.split("<caption", 1)[1].split("</caption>", 1)[0]


def test_the_count_follows_new_documents_and_rights(client, member_a, company_a, company_b):
    for _ in range(3):
        DocumentFactory(company=company_a, title="Fișă pompă", category=Document.Category.TECHNICAL)
    DocumentFactory(company=company_b, title="Pompă", category=Document.Category.TECHNICAL)
    client.force_login(member_a)
    assert "3 documente" in count_shown(client)
    DocumentFactory(
        company=company_a, title="Manual pompă", category=Document.Category.TECHNICAL, file=pdf_upload("manual.pdf")
    )
    assert "4 documente" in count_shown(client)
    Document.objects.filter(company=company_a, title="Manual pompă").update(title="Manual motor")
    assert "3 documente" in count_shown(client)
    CategoryAccess.objects.update_or_create(
        category=Document.Category.TECHNICAL, defaults={"required_right": RequiredRight.BILLING}
    )
    page = client.get(reverse("files:list"), {"q": "pompa"}).content.decode()
    assert "Fișă pompă" not in page and "3 documente" not in page


def test_the_second_page_does_not_count_again(client, member_a, company_a, settings):
    for i in range(30):
        DocumentFactory(company=company_a, title=f"Pompă {i}", category=Document.Category.TECHNICAL)
    client.force_login(member_a)
    client.get(reverse("files:list"), {"q": "pompa"})
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("files:list"), {"q": "pompa", "page": 2})
    assert response.status_code == 200 and "30 de documente" in response.content.decode()
    assert not [q for q in captured.captured_queries if q["sql"].startswith("SELECT COUNT")]


def test_a_ticket_search_count_follows_the_tickets(client, member_a, company_a):
    from support.models import Ticket
    from support.tests.factories import TicketFactory

    for _ in range(2):
        TicketFactory(company=company_a, opened_by=member_a, subject="Stație oprită")
    client.force_login(member_a)
    assert "2 tichete" in client.get(reverse("support:list"), {"q": "statie"}).content.decode()
    Ticket.objects.filter(company=company_a).update(subject="Altceva")  # behind the ORM's back
    assert "2 tichete" not in client.get(reverse("support:list"), {"q": "statie"}).content.decode()
