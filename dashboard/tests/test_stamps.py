"""The company's change stamps (dashboard/stamps.py): every way a row can change moves them, in the same
transaction, so the dashboard's cache and the members' unread counts are never read stale."""

import pytest
from django.db import connection, transaction

from accounts.models import Company, Membership
from accounts.tests.factories import MembershipFactory
from billing.models import Payment
from billing.tests.factories import InvoiceFactory, record_payment
from contracts.tests.factories import ContractFactory
from dashboard.stamps import STAMPED, install_triggers, trigger_statements
from files import selectors as files_selectors
from files import services as files_services
from files.models import CategoryAccess, Document, RequiredRight, UnreadDocuments
from files.tests.factories import DocumentFactory
from projects.tests.factories import ProjectFactory, TaskFactory
from quotes.tests.factories import OfferFactory, QuoteRequestFactory
from shipments.tests.factories import ShipmentFactory
from support.models import Ticket
from support.tests.factories import TicketFactory


def stamps(company) -> tuple[int, int]:
    return tuple(Company.objects.filter(pk=company.pk).values_list("data_stamp", "documents_stamp").get())


MAKERS = {
    "quotes.QuoteRequest": lambda company, user: QuoteRequestFactory(company=company, created_by=user),
    "quotes.Offer": lambda company, user: OfferFactory(company=company),
    "billing.Invoice": lambda company, user: InvoiceFactory(company=company),
    "billing.Payment": lambda company, user: record_payment(company, "10.00"),
    "projects.Project": lambda company, user: ProjectFactory(company=company),
    "projects.Task": lambda company, user: TaskFactory(project=ProjectFactory(company=company)),
    "support.Ticket": lambda company, user: TicketFactory(company=company, opened_by=user),
    "shipments.Shipment": lambda company, user: ShipmentFactory(company=company),
    "contracts.Contract": lambda company, user: ContractFactory(company=company),
    "accounts.Membership": lambda company, user: MembershipFactory(company=company),
    "files.Document": lambda company, user: DocumentFactory(company=company),
}


def test_every_stamped_model_has_a_maker_here():
    """A model added to STAMPED gets its insert, update and delete proved below."""
    labels = {label for group in STAMPED.values() for label in group}
    assert labels - {"billing.PaymentNotice"} == set(MAKERS)


@pytest.mark.parametrize("label", sorted(MAKERS))
def test_insert_update_and_delete_move_the_stamp(label, company_a, company_b, admin_a):
    which = [index for index, stamp in enumerate(STAMPED) if label in STAMPED[stamp]]
    before = stamps(company_a)
    row = MAKERS[label](company_a, admin_a)
    inserted = stamps(company_a)
    assert all(inserted[i] != before[i] for i in which), (before, inserted)

    # A queryset update runs no model code: the database moves the stamp anyway.
    model = type(row)
    field = "updated_at" if any(f.name == "updated_at" for f in model._meta.fields) else "company"
    value = {"updated_at": "2020-01-01T00:00:00+00:00", "company": company_a}[field]
    model.objects.filter(pk=row.pk).update(**{field: value})
    updated = stamps(company_a)
    assert all(updated[i] != inserted[i] for i in which) or field == "company", (inserted, updated)

    other = stamps(company_b)
    if label != "accounts.Membership" and not isinstance(row, Payment):
        model.objects.filter(pk=row.pk).delete()
        assert all(stamps(company_a)[i] != updated[i] for i in which)
    assert stamps(company_b) == other  # another company's cache is left alone


def test_moving_a_row_to_another_company_moves_both_stamps(company_a, company_b, admin_a):
    ticket = TicketFactory(company=company_a, opened_by=admin_a)
    a, b = stamps(company_a), stamps(company_b)
    Ticket.objects.filter(pk=ticket.pk).update(company=company_b)
    assert stamps(company_a)[0] != a[0] and stamps(company_b)[0] != b[0]


def test_a_category_rule_moves_every_companys_documents_stamp(company_a, company_b):
    a, b = stamps(company_a), stamps(company_b)
    CategoryAccess.objects.update_or_create(
        category=Document.Category.FINANCIAL, defaults={"required_right": RequiredRight.MANAGE_MEMBERS}
    )
    assert stamps(company_a)[1] != a[1] and stamps(company_b)[1] != b[1]
    assert stamps(company_a)[0] == a[0]  # the cards are not about documents


def test_a_persons_new_name_moves_the_stamp_of_each_of_their_companies(admin_a, company_a, company_b):
    a, b = stamps(company_a), stamps(company_b)
    admin_a.first_name = "Alt nume"
    admin_a.save()
    assert stamps(company_a)[0] != a[0]
    assert stamps(company_b) == b
    admin_a.save()  # nothing the cards show changed (only last_login, password...)
    moved = stamps(company_a)
    admin_a.last_login = None
    admin_a.save()
    assert stamps(company_a) == moved


@pytest.mark.django_db(transaction=True)
def test_the_stamp_moves_with_the_transaction_not_before_its_commit(company_a):
    before = stamps(company_a)
    with pytest.raises(RuntimeError), transaction.atomic():
        InvoiceFactory(company=company_a)
        raise RuntimeError
    assert stamps(company_a) == before


def test_installing_the_triggers_again_changes_nothing(company_a):
    install_triggers()
    install_triggers()
    before = stamps(company_a)
    TicketFactory(company=company_a)
    assert stamps(company_a)[0] != before[0]
    assert len(trigger_statements(connection.vendor)) > len(MAKERS)


# --- the members' unread documents --------------------------------------------------------------------


def unread(membership):
    membership = Membership.objects.select_related("company").get(pk=membership.pk)
    return files_selectors.unread_documents(membership)


def test_the_unread_count_follows_publishing_opening_and_rights(admin_a, member_a, company_a):
    admin, member = (m.memberships.get(company=company_a) for m in (admin_a, member_a))
    assert unread(member).count == 0
    DocumentFactory(company=company_a, title="Fișă tehnică", category=Document.Category.TECHNICAL)
    manual = DocumentFactory(company=company_a, title="Manual", category=Document.Category.OTHER)
    assert unread(member).count == 2 and unread(admin).count == 2
    assert unread(member).newest_title == "Manual"

    files_services.document_mark_seen(document=manual, user=member_a)
    assert unread(member).count == 1 and unread(member).newest_title == "Fișă tehnică"
    assert unread(admin).count == 2  # another member's count is theirs

    CategoryAccess.objects.update_or_create(
        category=Document.Category.TECHNICAL, defaults={"required_right": RequiredRight.BILLING}
    )
    assert unread(member).count == 0 and unread(admin).count == 2


def test_a_count_made_before_an_open_is_not_stored_as_current(member_a, company_a, monkeypatch):
    member = member_a.memberships.get(company=company_a)
    document = DocumentFactory(company=company_a)
    assert unread(member).count == 1
    DocumentFactory(company=company_a)  # the stored count is now out of date
    real_filter, calls = UnreadDocuments.objects.filter, []

    def open_between_count_and_store(*args, **kwargs):
        calls.append(kwargs)
        if len(calls) == 2:  # counted (2 unread); the member opens one in another request before it is stored
            files_services.document_mark_seen(document=document, user=member_a)
        return real_filter(*args, **kwargs)

    monkeypatch.setattr(UnreadDocuments.objects, "filter", open_between_count_and_store)
    assert unread(member).count == 2  # shown once, as counted...
    monkeypatch.undo()
    assert unread(member).count == 1  # ...but not kept


def test_the_dashboard_shows_a_change_made_by_a_queryset_update_at_once(client, admin_a, company_a):
    client.force_login(admin_a)
    TicketFactory(company=company_a, opened_by=admin_a, status=Ticket.Status.WAITING, number="T-ASTEAPTA")
    assert "T-ASTEAPTA" in client.get("/").content.decode()
    assert "T-ASTEAPTA" in client.get("/").content.decode()  # from the cache
    Ticket.objects.filter(company=company_a).update(status=Ticket.Status.CLOSED)
    assert "T-ASTEAPTA" not in client.get("/").content.decode()


def test_the_cache_is_per_rights(client, admin_a, member_a, company_a):
    InvoiceFactory(company=company_a)
    client.force_login(admin_a)
    assert 'data-card="billing"' in client.get("/").content.decode()
    client.force_login(member_a)  # no billing right, same company, same stamp
    assert 'data-card="billing"' not in client.get("/").content.decode()
