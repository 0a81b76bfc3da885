from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from support.models import Ticket
from support.services import ticket_open, ticket_staff_message
from tests.access import Route, everyone, object_page, section, section_action

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def objects(cast) -> dict:
    ticket = ticket_open(
        company=cast["company_a"],
        user=cast["admin_a"],
        subject="Factura nu apare în portal",
        description="Factura din 3 martie lipsește.",
        category=Ticket.Category.BILLING,
        attachments=[SimpleUploadedFile("extras.pdf", PDF)],
    )
    ticket_staff_message(ticket=ticket, user=cast["staff"], body="Verificăm.")
    resolved = ticket_open(
        company=cast["company_a"],
        user=cast["admin_a"],
        subject="Acces pentru un coleg",
        description="Vă rog un cont nou.",
    )
    Ticket.objects.filter(pk=resolved.pk).update(status=Ticket.Status.RESOLVED, resolved_at=timezone.now())
    return {"ticket": ticket, "resolved_ticket": resolved, "attachment": ticket.attachments.get()}


def ticket(o) -> dict:
    return {"public_id": o["ticket"].public_id}


def resolved(o) -> dict:
    return {"public_id": o["resolved_ticket"].public_id}


# Actions on one ticket redirect to its page (302) after the service ran or explained why not.
ROUTES = [
    Route("support:list", get=section(), post=everyone(405)),
    Route(
        "support:create",
        get=section(),
        post=section_action(302),
        data=lambda o: {
            "subject": "Livrare incompletă",
            "category": "livrare",
            "priority": "normala",
            "description": "Lipsesc două colete.",
        },
    ),
    Route("support:detail", get=object_page(200), post=everyone(405), kwargs=ticket),
    Route(
        "support:reply",
        get=everyone(405),
        post=object_page(302),
        kwargs=ticket,
        data=lambda o: {"body": "Am atașat extrasul."},
    ),
    Route("support:close", get=everyone(405), post=object_page(302), kwargs=ticket),
    Route("support:reopen", get=everyone(405), post=object_page(302), kwargs=resolved),
    Route(
        "support:rate",
        get=everyone(405),
        post=object_page(302),
        kwargs=resolved,
        data=lambda o: {"rating": "5", "comment": "Rapid."},
    ),
    Route(
        "support:attachment",
        get=object_page(200),
        post=everyone(405),
        kwargs=lambda o: {"public_id": o["ticket"].public_id, "attachment_id": o["attachment"].public_id},
    ),
]
