"""Rights that hold everywhere: a document category can need a membership right ("Acces pe categorie").

The finding: member_a, without the billing right, gets 403 on /facturi/ but opened and downloaded
"Situație de plăți trimestrul III 2026" (category "financiar") in Fișiere. Financial documents now need
the billing right wherever a member can reach a document: the list and its search, the detail, the
preview, every download, a new version, the dashboard (card and activity feed), the notification and
its email, and the documents shown on other sections' pages.

404, not 403, for an existing document of the member's own company that a right hides: that is what
the portal already answers for a document linked to an invoice (files.models.DocumentQuerySet.visible_to
leaves it out, the views answer 404, test_documents.py::test_a_link_needing_a_right_hides_the_document...),
and the document is absent from every list the member sees, so the page does not confirm it exists.
"""

import importlib

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Membership
from accounts.tests.factories import MembershipFactory
from billing.tests.factories import InvoiceFactory
from dashboard.tests.test_dashboard import DASHBOARD_QUERY_CEILING
from files.models import CategoryAccess, Document, RequiredRight, hidden_categories
from files.tests.factories import DocumentFactory, add_version, pdf_upload
from portal.models import Notification

pytestmark = pytest.mark.django_db

STATEMENT = "Situație de plăți trimestrul III 2026"
OBJECT_ROUTES = ("files:detail", "files:download", "files:preview")


@pytest.fixture(autouse=True)
def financial_rule(db):
    """The rule the data migration sets (checked below); set again here because a transactional test
    elsewhere in the run may have flushed the table."""
    CategoryAccess.objects.update_or_create(
        category=Document.Category.FINANCIAL, defaults={"required_right": RequiredRight.BILLING}
    )


@pytest.fixture
def statement(company_a):
    return DocumentFactory(
        company=company_a,
        title=STATEMENT,
        category=Document.Category.FINANCIAL,
        description="Facturi emise și încasări în perioada iulie–septembrie.",
        file=pdf_upload("SP-T3-2026.pdf", "Sold la 30.09.2026"),
        versions=2,
    )


@pytest.fixture
def manual(company_a):
    return DocumentFactory(company=company_a, title="Manual de utilizare ERP", category=Document.Category.OTHER)


def membership(user) -> Membership:
    return user.memberships.get()


def list_titles(client, **params) -> list[str]:
    response = client.get(reverse("files:list"), params)
    assert response.status_code == 200
    return [document.title for document in response.context["page"].object_list]


def content(response) -> bytes:
    return b"".join(response.streaming_content)


# --- the reproduction -------------------------------------------------------------------------------


def test_a_member_without_billing_does_not_see_the_statement_in_the_list_or_search(client, member_a, statement, manual):
    client.force_login(member_a)
    assert list_titles(client) == ["Manual de utilizare ERP"]
    assert list_titles(client, q="Situație") == []
    assert list_titles(client, q="SP-T3") == []  # the file's name
    assert list_titles(client, q="încasări") == []  # the description
    # The category is not offered as a filter, and asking for it anyway filters nothing in.
    response = client.get(reverse("files:list"))
    assert "financiar" not in dict(response.context["filters"].fields["category"].choices)
    assert STATEMENT not in list_titles(client, category="financiar")
    assert STATEMENT not in client.get(reverse("files:list"), {"new": "1"}).content.decode()


def test_a_member_without_billing_gets_404_on_every_file_route(client, member_a, statement):
    """404 like a document linked to an invoice (see the module's docstring), on GET and on POST."""
    client.force_login(member_a)
    for name in OBJECT_ROUTES:
        assert client.get(reverse(name, args=[statement.public_id])).status_code == 404, name
    for number in (1, 2):
        url = reverse("files:download_version", args=[statement.public_id, number])
        assert client.get(url).status_code == 404
    assert statement.seen_by.count() == 0


def test_a_member_without_billing_cannot_add_a_version_to_a_clients_financial_document(
    client, admin_a, member_a, company_a
):
    order = DocumentFactory(
        company=company_a,
        title="Ordin de plată 318",
        category=Document.Category.FINANCIAL,
        source=Document.Source.CLIENT,
        user=admin_a,
    )
    client.force_login(member_a)
    response = client.post(
        reverse("files:add_version", args=[order.public_id]),
        {"file": pdf_upload("op-318-v2.pdf"), "comment": "corectat"},
    )
    assert response.status_code == 404
    assert order.versions.count() == 1


def test_a_member_without_billing_cannot_file_a_financial_document(client, member_a, company_a):
    """They would not see it afterwards: the category is not offered, and posting it is a form error."""
    client.force_login(member_a)
    form = client.get(reverse("files:upload")).context["form"]
    assert "financiar" not in dict(form.fields["category"].choices)
    assert "tehnic" in dict(form.fields["category"].choices)
    response = client.post(
        reverse("files:upload"), {"title": "Ordin de plată", "category": "financiar", "file": pdf_upload("op.pdf")}
    )
    assert response.status_code == 200
    assert "category" in response.context["form"].errors
    assert not Document.objects.filter(company=company_a).exists()


def test_the_billing_right_opens_everything(client, admin_a, company_a, statement, manual):
    cristina = MembershipFactory(company=company_a, can_see_billing=True, user__email="contabil@client-a.ro").user
    for user in (admin_a, cristina):
        client.force_login(user)
        assert set(list_titles(client)) == {STATEMENT, "Manual de utilizare ERP"}
        assert list_titles(client, q="Situație") == [STATEMENT]
        assert client.get(reverse("files:detail", args=[statement.public_id])).status_code == 200
        download = client.get(reverse("files:download", args=[statement.public_id]))
        assert download.status_code == 200 and content(download).startswith(b"%PDF")
        assert client.get(reverse("files:preview", args=[statement.public_id])).status_code == 200
        assert client.get(reverse("files:download_version", args=[statement.public_id, 1])).status_code == 200


def test_another_company_still_gets_404(client, member_b, statement):
    client.force_login(member_b)
    for name in OBJECT_ROUTES:
        assert client.get(reverse(name, args=[statement.public_id])).status_code == 404
    assert STATEMENT not in list_titles(client)


# --- the dashboard ----------------------------------------------------------------------------------


def test_the_dashboard_shows_a_member_without_billing_nothing_of_the_statement(
    client, member_a, admin_a, company_a, manual, statement
):
    client.force_login(member_a)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("dashboard:home"))
    page = response.content.decode()
    assert response.status_code == 200
    assert STATEMENT not in page  # neither the "new files" card nor the activity feed
    files_card = next(card for card in response.context["cards"] if card.key == "files")
    assert files_card.count == 1  # the manual only
    assert files_card.urgent.text == "Manual de utilizare ERP"
    assert [item.obj for item in response.context["activity"]] == ["Manual de utilizare ERP"]
    assert len(queries) <= DASHBOARD_QUERY_CEILING  # the rule costs a subquery, not a query

    client.force_login(admin_a)
    response = client.get(reverse("dashboard:home"))
    assert STATEMENT in response.content.decode()
    assert next(card for card in response.context["cards"] if card.key == "files").count == 2
    assert {item.obj for item in response.context["activity"]} == {STATEMENT, "Manual de utilizare ERP"}


def test_the_activity_feed_leaves_out_documents_linked_to_an_invoice_too(client, member_a, company_a):
    invoice = InvoiceFactory(company=company_a)
    DocumentFactory(company=company_a, title="Anexă factură TST", category=Document.Category.OTHER, linked=invoice)
    client.force_login(member_a)
    page = client.get(reverse("dashboard:home")).content.decode()
    assert "Anexă factură TST" not in page


# --- notifications ----------------------------------------------------------------------------------


def test_no_notification_nor_email_for_a_member_without_billing(
    company_a, admin_a, member_a, staff, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        document = DocumentFactory(company=company_a, title=STATEMENT, category=Document.Category.FINANCIAL, user=staff)
    with django_capture_on_commit_callbacks(execute=True):
        add_version(document, user=staff, comment="Sold corectat")

    assert not Notification.objects.filter(user=member_a).exists()
    assert not [message for message in mailoutbox if member_a.email in message.to]
    assert Notification.objects.filter(user=admin_a, kind="document.new").count() == 2
    assert [message.to for message in mailoutbox] == [[admin_a.email], [admin_a.email]]


# --- other sections' pages ----------------------------------------------------------------------------


def test_a_financial_document_on_a_project_page_is_hidden_from_a_member_without_billing(
    client, member_a, admin_a, company_a
):
    from projects.tests.factories import ProjectFactory

    project = ProjectFactory(company=company_a)
    DocumentFactory(
        company=company_a, title="Situație de plăți proiect", category=Document.Category.FINANCIAL, linked=project
    )
    DocumentFactory(company=company_a, title="Plan de proiect", category=Document.Category.CONTRACTUAL, linked=project)
    url = reverse("projects:detail", args=[project.public_id])
    client.force_login(member_a)
    page = client.get(url).content.decode()
    assert "Plan de proiect" in page and "Situație de plăți proiect" not in page
    client.force_login(admin_a)
    assert "Situație de plăți proiect" in client.get(url).content.decode()


def test_a_financial_annex_document_on_a_contract_page_is_hidden_from_a_member_without_billing(
    client, member_a, admin_a, company_a
):
    from contracts.tests.factories import AnnexFactory, ContractFactory

    contract = ContractFactory(company=company_a)
    annex = AnnexFactory(contract=contract, company=company_a)
    DocumentFactory(
        company=company_a, title="Grafic de plăți act adițional", category=Document.Category.FINANCIAL, linked=annex
    )
    DocumentFactory(
        company=company_a, title="Grafic de plăți contract", category=Document.Category.FINANCIAL, linked=contract
    )
    url = reverse("contracts:detail", args=[contract.public_id])
    client.force_login(member_a)
    page = client.get(url).content.decode()
    assert "Grafic de plăți" not in page
    client.force_login(admin_a)
    page = client.get(url).content.decode()
    assert "Grafic de plăți act adițional" in page and "Grafic de plăți contract" in page


# --- staff change the rules ------------------------------------------------------------------------


def test_a_rule_staff_set_in_admin_holds_from_the_next_request(client, staff, member_a, company_a, statement):
    technical = DocumentFactory(company=company_a, title="Fișă tehnică CP-200", category=Document.Category.TECHNICAL)
    buyer = MembershipFactory(company=company_a, can_accept_offers=True, user__email="achizitii@client-a.ro").user
    client.force_login(member_a)
    assert set(list_titles(client)) == {"Fișă tehnică CP-200"}

    # Technical documents now need the right to accept offers.
    client.force_login(staff)
    response = client.post(
        reverse("admin:files_categoryaccess_add"), {"category": "tehnic", "required_right": "accept_offers"}
    )
    assert response.status_code == 302, response.context and response.context["adminform"].form.errors
    client.force_login(member_a)
    assert list_titles(client) == []
    assert client.get(reverse("files:detail", args=[technical.public_id])).status_code == 404
    client.force_login(buyer)
    assert list_titles(client) == ["Fișă tehnică CP-200"]

    # And financial documents for every member: the rule emptied.
    rule = CategoryAccess.objects.get(category="financiar")
    client.force_login(staff)
    response = client.post(
        reverse("admin:files_categoryaccess_change", args=[rule.pk]), {"category": "financiar", "required_right": ""}
    )
    assert response.status_code == 302
    client.force_login(member_a)
    assert list_titles(client) == [STATEMENT]
    assert client.get(reverse("files:download", args=[statement.public_id])).status_code == 200


def test_a_category_can_need_each_membership_right():
    assert {right for right in RequiredRight.values if right} == set(Membership.RIGHTS)


def test_hidden_categories_is_the_one_answer(company_a, admin_a, member_a):
    CategoryAccess.objects.create(category="tehnic", required_right="manage_members")
    CategoryAccess.objects.create(category="livrare", required_right="")
    assert set(hidden_categories(membership(member_a))) == {"financiar", "tehnic"}
    assert set(hidden_categories(membership(admin_a))) == set()
    accountant = MembershipFactory(company=company_a, can_see_billing=True)
    assert set(hidden_categories(accountant)) == {"tehnic"}


def test_the_data_migration_makes_financial_documents_need_billing():
    migration = importlib.import_module("files.migrations.0004_financial_documents_need_billing")
    CategoryAccess.objects.all().delete()
    migration.create_rules(apps, None)
    assert dict(CategoryAccess.objects.values_list("category", "required_right")) == {"financiar": "billing"}
    # A rule staff changed is theirs: running it again does not overwrite it.
    CategoryAccess.objects.filter(category="financiar").update(required_right="")
    migration.create_rules(apps, None)
    assert CategoryAccess.objects.get(category="financiar").required_right == ""


# --- admin -------------------------------------------------------------------------------------------


def test_staff_see_which_right_a_document_needs(client, staff, statement, manual):
    client.force_login(staff)
    page = client.get(reverse("admin:files_categoryaccess_changelist")).content.decode()
    assert "Vede facturi, plăți și fișa de cont" in page
    response = client.get(reverse("admin:files_document_changelist"))
    assert response.status_code == 200
    rows = {row.title: row.category_right for row in response.context["cl"].result_list}
    assert rows == {STATEMENT: "billing", "Manual de utilizare ERP": None}
    page = response.content.decode()
    assert "vizibil pentru" in page.lower() and "orice membru" in page
    bulk = client.get(reverse("admin:files_document_bulk")).context["form"]
    assert "financiar → Vede facturi, plăți și fișa de cont" in str(bulk.fields["category"].help_text)


# --- demo ---------------------------------------------------------------------------------------------


def test_the_demo_member_without_billing_does_not_see_the_financial_documents(django_capture_on_commit_callbacks):
    CategoryAccess.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):  # the notifications, as after a real commit
        call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115 (idempotent)
    assert list(CategoryAccess.objects.values_list("category", "required_right")) == [("financiar", "billing")]
    mihai = Membership.objects.get(user__email="mihai.ionescu@agroserv.ro")
    ana = Membership.objects.get(user__email="ana.popescu@agroserv.ro")
    assert not mihai.has_right("billing")
    assert STATEMENT in Document.objects.visible_to(ana).values_list("title", flat=True)
    assert not Document.objects.visible_to(mihai).filter(category=Document.Category.FINANCIAL).exists()
    assert Document.objects.visible_to(mihai).exists()
    assert not Notification.objects.filter(user=mihai.user, title__contains=STATEMENT).exists()
    assert Notification.objects.filter(user=ana.user, title__contains=STATEMENT).exists()
