"""Opening, the conversation, the status machine, reopen window, rating and service levels."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from contracts.models import Contract
from contracts.tests.factories import ContractFactory
from files.models import StoredFile
from portal.models import AuditEntry
from support import services
from support.models import Attachment, Message, StatusChange, Ticket
from support.tests.factories import TicketFactory

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
XSS = "<script>alert(1)</script>"


def pdf(name="raport.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def open_ticket(company, user, **kwargs):
    defaults = {"subject": "Pompa nu pornește", "description": "Se oprește după 3 secunde."}
    return services.ticket_open(company=company, user=user, **{**defaults, **kwargs})


def test_open_numbers_targets_attachments_and_audit(company_a, admin_a):
    year = timezone.localdate().year
    before = timezone.now()
    first = open_ticket(company_a, admin_a, priority=Ticket.Priority.URGENT, attachments=[pdf(), pdf("b.pdf")])
    second = open_ticket(company_a, admin_a, priority=Ticket.Priority.LOW)
    assert first.number == f"T-{year}-00001" and second.number == f"T-{year}-00002"
    assert first.status == Ticket.Status.OPEN and first.opened_by == admin_a
    assert timedelta(hours=2) <= first.first_response_due - before < timedelta(hours=2, minutes=1)
    assert timedelta(hours=8) <= first.resolution_due - before < timedelta(hours=8, minutes=1)
    assert timedelta(hours=24) <= second.first_response_due - before < timedelta(hours=24, minutes=1)
    assert timedelta(hours=120) <= second.resolution_due - before < timedelta(hours=120, minutes=1)
    assert sorted(a.file.original_name for a in first.attachments.all()) == ["b.pdf", "raport.pdf"]
    assert all(a.message_id is None and a.file.company == company_a for a in first.attachments.all())
    assert AuditEntry.objects.filter(action="ticket.opened", object_id=str(first.public_id)).exists()


def test_open_links_an_object_of_the_same_company_only(company_a, company_b, admin_a):
    own, other = ContractFactory(company=company_a), ContractFactory(company=company_b)
    ticket = open_ticket(company_a, admin_a, linked=own)
    assert ticket.linked == own
    with pytest.raises(ValidationError):
        open_ticket(company_a, admin_a, linked=other)
    assert Ticket.objects.count() == 1


def test_a_refused_attachment_saves_nothing(company_a, admin_a):
    with pytest.raises(ValidationError):
        open_ticket(company_a, admin_a, attachments=[pdf(), SimpleUploadedFile("virus.exe", b"MZ\x90\x00")])
    assert not Ticket.objects.exists() and not StoredFile.objects.exists()


@pytest.mark.parametrize(
    "bad", [{"subject": "  "}, {"description": ""}, {"category": "x"}, {"priority": "max"}, {"subject": "x" * 201}]
)
def test_open_validates(company_a, admin_a, bad):
    with pytest.raises(ValidationError):
        open_ticket(company_a, admin_a, **bad)
    assert not Ticket.objects.exists()


def test_only_members_open_tickets_for_their_company(company_a, member_b, pending_user):
    for user in (member_b, pending_user):
        with pytest.raises(ValidationError):
            open_ticket(company_a, user)


def test_create_view_opens_a_ticket_with_attachments_and_link(client, admin_a, company_a):
    contract = ContractFactory(company=company_a, number="CTR-LINK")
    client.force_login(admin_a)
    page = client.get(reverse("support:create")).content.decode()
    assert "CTR-LINK" in page and "<optgroup" in page
    response = client.post(
        reverse("support:create"),
        {
            "subject": "Anexa lipsește",
            "category": "comercial",
            "priority": "ridicata",
            "linked": f"contracts.contract:{contract.public_id}",
            "description": "Nu găsim anexa 2.",
            "attachments": [pdf("a.pdf"), pdf("b.pdf")],
        },
    )
    ticket = Ticket.objects.get()
    assert response.status_code == 302 and response["Location"] == ticket.get_absolute_url()
    assert ticket.linked == contract and ticket.priority == "ridicata" and ticket.attachments.count() == 2
    detail = client.get(ticket.get_absolute_url()).content.decode()
    assert "CTR-LINK" in detail and "a.pdf" in detail


def test_link_choices_offer_only_own_visible_objects_and_refuse_forged_values(client, admin_a, company_a, company_b):
    ContractFactory(company=company_a, number="CTR-OWN")
    ContractFactory(company=company_a, number="CTR-DRAFT", status=Contract.Status.DRAFT)
    other = ContractFactory(company=company_b, number="CTR-OTHER")
    client.force_login(admin_a)
    page = client.get(reverse("support:create")).content.decode()
    assert "CTR-OWN" in page and "CTR-OTHER" not in page and "CTR-DRAFT" not in page
    for forged in (
        f"contracts.contract:{other.public_id}",
        f"contracts.contract:{other.pk}",
        "accounts.company:1",
        "contracts.contract:nu-e-uuid",
    ):
        response = client.post(
            reverse("support:create"),
            {"subject": "Test", "category": "altele", "priority": "normala", "linked": forged, "description": "x"},
        )
        assert response.status_code == 400, forged
        assert "Alegeți un obiect din listă." in response.content.decode()
    assert not Ticket.objects.exists()


def test_create_view_prefills_a_link_from_the_url(client, admin_a, company_a):
    contract = ContractFactory(company=company_a, number="CTR-PRE")
    client.force_login(admin_a)
    page = client.get(
        reverse("support:create"), {"link": f"contracts.contract:{contract.public_id}", "category": "comercial"}
    ).content.decode()
    assert f'value="contracts.contract:{contract.public_id}" selected' in page


def test_create_view_shows_errors_and_saves_nothing(client, admin_a):
    client.force_login(admin_a)
    response = client.post(
        reverse("support:create"),
        {
            "subject": "",
            "category": "tehnic",
            "priority": "normala",
            "description": "",
            "attachments": [SimpleUploadedFile("x.exe", b"MZ")],
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "x.exe" in page and "Acest câmp este obligatoriu." in page
    assert not Ticket.objects.exists()


def test_client_reply_moves_waiting_to_in_progress(company_a, admin_a, member_a, staff):
    ticket = open_ticket(company_a, admin_a)
    services.ticket_staff_message(ticket=ticket, user=staff, body="Ce model de pompă aveți?")
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.IN_PROGRESS and ticket.first_responded_at
    services.ticket_set_status(ticket=ticket, status=Ticket.Status.WAITING, by=staff)
    services.ticket_reply(ticket=ticket, company=company_a, user=member_a, body="CP-200", attachments=[pdf()])
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.IN_PROGRESS
    message = ticket.messages.get(author=member_a)
    assert message.attachments.count() == 1 and not message.from_staff
    assert list(StatusChange.objects.filter(ticket=ticket).values_list("to_status", flat=True)) == [
        "in_lucru",
        "asteapta_client",
        "in_lucru",
    ]


def test_internal_note_changes_nothing_the_client_sees(company_a, admin_a, staff):
    ticket = open_ticket(company_a, admin_a)
    before = Ticket.objects.get(pk=ticket.pk)
    services.ticket_staff_message(ticket=ticket, user=staff, body="Clientul are garanția expirată.", is_internal=True)
    after = Ticket.objects.get(pk=ticket.pk)
    assert (after.status, after.last_activity_at, after.first_responded_at) == (
        before.status,
        before.last_activity_at,
        None,
    )


def test_only_staff_write_as_support(company_a, admin_a):
    ticket = open_ticket(company_a, admin_a)
    with pytest.raises(ValidationError):
        services.ticket_staff_message(ticket=ticket, user=admin_a, body="hack", is_internal=True)


def test_no_reply_on_a_closed_ticket(client, company_a, admin_a):
    ticket = open_ticket(company_a, admin_a)
    services.ticket_close(ticket=ticket, company=company_a, user=admin_a)
    with pytest.raises(ValidationError):
        services.ticket_reply(ticket=ticket, company=company_a, user=admin_a, body="încă ceva")
    client.force_login(admin_a)
    response = client.post(reverse("support:reply", args=[ticket.public_id]), {"body": "încă ceva"})
    assert response.status_code == 400 and not ticket.messages.exists()


def test_reply_view(client, company_a, admin_a):
    ticket = open_ticket(company_a, admin_a)
    client.force_login(admin_a)
    url = reverse("support:reply", args=[ticket.public_id])
    assert client.post(url, {"body": ""}).status_code == 400
    response = client.post(url, {"body": "Detalii: eroare E42.", "attachments": [pdf("poza.pdf")]})
    assert response.status_code == 302
    assert ticket.messages.get().attachments.get().file.original_name == "poza.pdf"


def test_close_reopen_window(client, company_a, admin_a, settings):
    settings.SUPPORT_REOPEN_DAYS = 14
    ticket = open_ticket(company_a, admin_a)
    client.force_login(admin_a)
    client.post(reverse("support:close", args=[ticket.public_id]))
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.CLOSED and ticket.closed_at
    assert ticket.can_reopen()
    client.post(reverse("support:reopen", args=[ticket.public_id]))
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.OPEN and ticket.closed_at is None and ticket.resolved_at is None

    Ticket.objects.filter(pk=ticket.pk).update(
        status=Ticket.Status.RESOLVED, resolved_at=timezone.now() - timedelta(days=15)
    )
    ticket.refresh_from_db()
    assert not ticket.can_reopen()
    response = client.post(reverse("support:reopen", args=[ticket.public_id]), follow=True)
    assert "nu mai poate fi redeschis" in response.content.decode()
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.RESOLVED

    settings.SUPPORT_REOPEN_DAYS = 30
    assert ticket.can_reopen()
    client.post(reverse("support:reopen", args=[ticket.public_id]))
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.OPEN


def test_reopen_restarts_the_resolution_clock(company_a, admin_a, staff):
    ticket = open_ticket(company_a, admin_a, priority=Ticket.Priority.URGENT)
    Ticket.objects.filter(pk=ticket.pk).update(created_at=timezone.now() - timedelta(days=3))
    services.ticket_set_status(ticket=ticket, status=Ticket.Status.RESOLVED, by=staff)
    services.ticket_reopen(ticket=ticket, company=company_a, user=admin_a)
    ticket.refresh_from_db()
    assert timedelta(hours=7) < ticket.resolution_due - timezone.now() <= timedelta(hours=8)


def test_rating_once_after_resolution(client, company_a, admin_a, member_a, staff):
    ticket = open_ticket(company_a, admin_a)
    client.force_login(admin_a)
    url = reverse("support:rate", args=[ticket.public_id])
    client.post(url, {"rating": "5"})
    ticket.refresh_from_db()
    assert ticket.rating is None
    services.ticket_set_status(ticket=ticket, status=Ticket.Status.RESOLVED, by=staff)
    assert client.post(url, {"rating": "9"}).status_code == 400
    assert client.post(url, {"rating": "4", "comment": "Rapid și clar."}).status_code == 302
    ticket.refresh_from_db()
    assert (ticket.rating, ticket.rating_comment, ticket.rated_by) == (4, "Rapid și clar.", admin_a)
    client.force_login(member_a)
    client.post(url, {"rating": "1", "comment": "altceva"})
    ticket.refresh_from_db()
    assert (ticket.rating, ticket.rated_by) == (4, admin_a)
    with pytest.raises(ValidationError):
        services.ticket_rate(ticket=ticket, company=company_a, user=member_a, rating=2)
    assert "Rapid și clar." in client.get(ticket.get_absolute_url()).content.decode()


def test_sla_breaches(company_a, admin_a, staff):
    now = timezone.now()
    h, d = (lambda n: now - timedelta(hours=n)), (lambda n: now - timedelta(days=n))
    on_time = TicketFactory(company=company_a, subject="la timp")
    late_answer = TicketFactory(company=company_a, subject="fără răspuns", first_response_due=h(1))
    answered_late = TicketFactory(
        company=company_a, subject="răspuns târziu", first_response_due=h(5), first_responded_at=h(1)
    )
    answered_on_time = TicketFactory(company=company_a, first_response_due=h(5), first_responded_at=h(6))
    late_resolution = TicketFactory(
        company=company_a, first_responded_at=d(4), first_response_due=d(3), resolution_due=h(2)
    )
    resolved_in_time = TicketFactory(
        company=company_a,
        status=Ticket.Status.RESOLVED,
        first_responded_at=d(4),
        first_response_due=d(3),
        resolved_at=d(2),
        resolution_due=d(1),
    )
    breached = set(Ticket.objects.breached().values_list("pk", flat=True))
    assert breached == {late_answer.pk, answered_late.pk, late_resolution.pk}
    assert set(Ticket.objects.not_breached().values_list("pk", flat=True)) == {
        on_time.pk,
        answered_on_time.pk,
        resolved_in_time.pk,
    }
    for ticket in Ticket.objects.with_breach():
        assert ticket.breached == ticket.is_breached(), ticket.subject


def test_waiting_for_the_client_stops_the_resolution_clock(company_a, admin_a, staff, monkeypatch):
    ticket = open_ticket(company_a, admin_a, priority=Ticket.Priority.URGENT)  # 8 h to resolve
    start = ticket.created_at
    services.ticket_staff_message(ticket=ticket, user=staff, body="Ce serie are aparatul?")
    services.ticket_set_status(ticket=ticket, status=Ticket.Status.WAITING, by=staff)
    Ticket.objects.filter(pk=ticket.pk).update(waiting_since=start + timedelta(hours=1))
    ticket.refresh_from_db()
    # Waiting for 20 hours (beyond the target) is not a breach: the clock stopped at hour 1.
    later = start + timedelta(hours=21)
    assert not ticket.resolution_late(later)
    assert not Ticket.objects.breached(now=later).filter(pk=ticket.pk).exists()
    with monkeypatch.context() as patch:
        patch.setattr(timezone, "now", lambda: later)
        services.ticket_reply(ticket=ticket, company=company_a, user=admin_a, body="Iată datele.")
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.IN_PROGRESS and ticket.waiting_since is None
    assert ticket.sla_paused == timedelta(hours=20)
    assert ticket.resolution_due == start + timedelta(hours=28)
    services.ticket_set_priority(ticket=ticket, priority=Ticket.Priority.LOW, by=staff)  # 120 h
    ticket.refresh_from_db()
    assert ticket.resolution_due == start + timedelta(hours=140)


def test_priority_change_sets_new_targets(company_a, admin_a, staff):
    ticket = open_ticket(company_a, admin_a, priority=Ticket.Priority.LOW)
    services.ticket_set_priority(ticket=ticket, priority=Ticket.Priority.URGENT, by=staff)
    ticket.refresh_from_db()
    assert ticket.first_response_due == ticket.created_at + timedelta(hours=2)
    assert ticket.resolution_due == ticket.created_at + timedelta(hours=8)


def test_expected_response_is_shown_to_the_client(client, company_a, admin_a, staff):
    ticket = open_ticket(company_a, admin_a, priority=Ticket.Priority.HIGH)
    client.force_login(admin_a)
    due = timezone.localtime(ticket.first_response_due).strftime("%d.%m.%Y %H:%M")
    assert f"Răspuns așteptat până la {due}" in client.get(ticket.get_absolute_url()).content.decode()
    assert f"răspuns așteptat până la {due}" in client.get(reverse("support:list")).content.decode()
    services.ticket_staff_message(ticket=ticket, user=staff, body="Ne uităm.")
    due = timezone.localtime(ticket.resolution_due).strftime("%d.%m.%Y %H:%M")
    assert f"Rezolvare estimată până la {due}" in client.get(ticket.get_absolute_url()).content.decode()
    late = TicketFactory(company=company_a, subject="Întârziat", first_response_due=timezone.now() - timedelta(hours=1))
    assert "a trecut; ne cerem scuze" in client.get(late.get_absolute_url()).content.decode()
    assert "răspunsul întârzie" in client.get(reverse("support:list")).content.decode()


def test_list_awaiting_reply_first_then_by_activity_and_filters(client, company_a, admin_a):
    now = timezone.now()
    TicketFactory(company=company_a, subject="Vechi", last_activity_at=now - timedelta(days=5))
    TicketFactory(company=company_a, subject="Recent", last_activity_at=now - timedelta(hours=1))
    TicketFactory(
        company=company_a, subject="Asteapta", status=Ticket.Status.WAITING, last_activity_at=now - timedelta(days=9)
    )
    TicketFactory(
        company=company_a,
        subject="Factura",
        category=Ticket.Category.BILLING,
        status=Ticket.Status.CLOSED,
        last_activity_at=now - timedelta(days=2),
    )
    client.force_login(admin_a)
    page = client.get(reverse("support:list")).content.decode()
    assert page.index("Asteapta") < page.index("Recent") < page.index("Factura") < page.index("Vechi")
    filtered = client.get(reverse("support:list"), {"category": "facturare"}).content.decode()
    assert "Factura" in filtered and "Recent" not in filtered
    active = client.get(reverse("support:list"), {"status": "active"}).content.decode()
    assert "Factura" not in active and "Vechi" in active
    waiting = client.get(reverse("support:list"), {"status": "asteapta_client"}).content.decode()
    assert "Asteapta" in waiting and "Vechi" not in waiting


def test_user_text_is_escaped_on_client_pages(client, company_a, admin_a, staff):
    ticket = open_ticket(company_a, admin_a, subject=XSS, description=XSS)
    services.ticket_staff_message(ticket=ticket, user=staff, body=XSS)
    services.ticket_reply(ticket=ticket, company=company_a, user=admin_a, body=XSS)
    client.force_login(admin_a)
    for url in (reverse("support:list"), ticket.get_absolute_url()):
        page = client.get(url).content.decode()
        assert XSS not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_attachment_download(client, company_a, admin_a):
    ticket = open_ticket(company_a, admin_a, attachments=[pdf("Raport service.pdf")])
    attachment = ticket.attachments.get()
    client.force_login(admin_a)
    response = client.get(reverse("support:attachment", args=[ticket.public_id, attachment.public_id]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Disposition"].startswith('attachment; filename="Raport-service.pdf"')
    assert response["X-Content-Type-Options"] == "nosniff"
    assert AuditEntry.objects.filter(action="ticket.attachment_downloaded").count() == 1


def test_attachment_of_another_ticket_is_404(client, company_a, admin_a):
    one = open_ticket(company_a, admin_a, attachments=[pdf()])
    two = open_ticket(company_a, admin_a)
    client.force_login(admin_a)
    url = reverse("support:attachment", args=[two.public_id, one.attachments.get().public_id])
    assert client.get(url).status_code == 404


def test_the_conversation_is_in_order_with_status_changes(client, company_a, admin_a, staff):
    ticket = open_ticket(company_a, admin_a, description="Descrierea inițială")
    services.ticket_staff_message(ticket=ticket, user=staff, body="Primul răspuns")
    services.ticket_reply(ticket=ticket, company=company_a, user=admin_a, body="Al doilea mesaj")
    services.ticket_set_status(ticket=ticket, status=Ticket.Status.RESOLVED, by=staff)
    client.force_login(admin_a)
    page = client.get(ticket.get_absolute_url()).content.decode()
    assert (
        page.index("Descrierea inițială")
        < page.index("Primul răspuns")
        < page.index("Al doilea mesaj")
        < page.index("Stare: rezolvat")
    )
    assert "Evaluați rezolvarea" in page and "Redeschide tichetul" in page and 'name="body"' not in page


def test_messages_keep_company_and_attachments_link_message(company_a, admin_a, staff):
    ticket = open_ticket(company_a, admin_a)
    message = services.ticket_staff_message(ticket=ticket, user=staff, body="Vezi schița.", attachments=[pdf()])
    assert message.company == company_a
    assert Attachment.objects.get(message=message).company == company_a
    assert Message.objects.for_company(company_a).count() == 1


def test_links_respect_the_sections_right(client, admin_a, member_a, company_a, monkeypatch):
    from files.links import LINKABLES, Linkable

    # Pretend contracts need the billing right, like invoices do.
    monkeypatch.setitem(LINKABLES, "contracts.contract", Linkable("contracts.Contract", "Contract", right="billing"))
    contract = ContractFactory(company=company_a, number="CTR-BILL")
    ticket = open_ticket(company_a, admin_a, linked=contract)
    client.force_login(member_a)
    assert "CTR-BILL" not in client.get(reverse("support:create")).content.decode()
    response = client.post(
        reverse("support:create"),
        {
            "subject": "x",
            "category": "altele",
            "priority": "normala",
            "description": "x",
            "linked": f"contracts.contract:{contract.public_id}",
        },
    )
    assert response.status_code == 400 and Ticket.objects.count() == 1
    assert "CTR-BILL" not in client.get(ticket.get_absolute_url()).content.decode()
    client.force_login(admin_a)
    assert "CTR-BILL" in client.get(ticket.get_absolute_url()).content.decode()
    assert "CTR-BILL" in client.get(reverse("support:create")).content.decode()
