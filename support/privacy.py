"""support's part of a person's data export: the messages they wrote (portal/privacy.py)."""

from portal.privacy import ExportPart
from support.models import Message


def export(user) -> ExportPart:
    # Internal notes are the supplier's staff's; a client's messages are never internal.
    messages = Message.objects.filter(author=user, is_internal=False).select_related("ticket").order_by("created_at")
    return ExportPart(
        records={
            "mesaje_suport": [
                {"tichet": message.ticket.number, "trimis_la": message.created_at, "mesaj": message.body}
                for message in messages
            ]
        }
    )
