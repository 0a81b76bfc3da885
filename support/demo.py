"""Demo tickets in every status, with Romanian conversations, attachments and an internal note.

Idempotent: a ticket is found again by company and subject; its conversation is rebuilt with
times relative to now, so deadlines ("răspuns așteptat până la …") stay meaningful.
"""

from datetime import timedelta

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from files.models import StoredFile
from files.services import store_upload
from portal.pdf import render_pdf
from support import conf
from support.models import Attachment, Message, StatusChange, Ticket
from support.services import next_ticket_number

S = Ticket.Status

LOG = (
    "2026-03-02 08:14:07 ERROR sync.stocuri: timeout la citirea gestiunii G02 (30 s)\n"
    "2026-03-02 08:14:37 ERROR sync.stocuri: reîncercare 1/3 eșuată\n"
    "2026-03-02 08:15:07 WARN  sync.stocuri: sincronizare parțială, 1.284 articole sărite\n"
)


def _pdf(title: str, *paragraphs: str) -> SimpleUploadedFile:
    content = render_pdf(
        "pdf/demo_document.html", {"title": title, "paragraphs": paragraphs, "supplier_name": settings.SUPPLIER["name"]}
    )
    return SimpleUploadedFile(f"{title[:40]}.pdf", content, content_type="application/pdf")


def _text(name: str, content: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content.encode(), content_type="text/plain")


def tickets_for(index: int):
    """(spec, conversation): each step is (hours ago, who, text | status, files, internal)."""
    if index == 1:
        return [
            (
                {
                    "subject": "Granulatorul G3 afișează eroarea E-217",
                    "category": Ticket.Category.TECHNICAL,
                    "priority": Ticket.Priority.HIGH,
                    "opener": "radu.stan@termoplast.ro",
                    "hours_ago": 30,
                    "description": "De azi-dimineață granulatorul G3 se oprește cu eroarea E-217 la pornire. "
                    "Am resetat panoul de comandă, fără rezultat. Linia 2 este oprită.",
                },
                [
                    (
                        29,
                        "staff",
                        "Bună ziua, E-217 indică o supratemperatură la motor. Vă rugăm să verificați dacă "
                        "ventilatorul de răcire pornește și să ne trimiteți o fotografie a plăcuței motorului.",
                        [],
                        False,
                    ),
                    (29, "status", S.WAITING, [], False),
                ],
            ),
            (
                {
                    "subject": "Actualizare date de facturare (adresă nouă)",
                    "category": Ticket.Category.BILLING,
                    "priority": Ticket.Priority.LOW,
                    "opener": "elena.dumitru@termoplast.ro",
                    "hours_ago": 3,
                    "description": "Începând cu 1 aprilie, sediul social se mută pe Calea Turzii nr. 200, Cluj-Napoca. "
                    "Vă rugăm să actualizați adresa pe facturile viitoare.",
                },
                [],
            ),
        ]
    return [
        (
            {
                "subject": "Eroare la sincronizarea stocurilor în modulul ERP",
                "category": Ticket.Category.TECHNICAL,
                "priority": Ticket.Priority.HIGH,
                "opener": "mihai.ionescu@agroserv.ro",
                "hours_ago": 50,
                "link": ("contracts.contract", "CTR-2026-003"),
                "description": "De ieri dimineață, sincronizarea stocurilor dintre depozit și ERP se oprește cu "
                "„timeout la citirea gestiunii G02”. Comenzile noi nu mai văd stocul real.",
                "files": [_text("jurnal-sincronizare.txt", LOG)],
            },
            [
                (
                    48,
                    "staff",
                    "Bună ziua, domnule Ionescu. Am reprodus eroarea pe un mediu de test. Ne puteți spune "
                    "la ce oră rulează sincronizarea automată și dacă în acel interval se face și backup-ul?",
                    [],
                    False,
                ),
                (
                    47,
                    "note",
                    "Pare aceeași problemă ca la Termoplast: indexul pe tabela de mișcări lipsește după "
                    "actualizarea la 4.2.1. De verificat cu echipa de dezvoltare înainte să promitem un termen.",
                    [],
                    True,
                ),
                (47, "status", S.WAITING, [], False),
            ],
        ),
        (
            {
                "subject": "Pompa CP-200 se oprește după câteva secunde",
                "category": Ticket.Category.TECHNICAL,
                "priority": Ticket.Priority.URGENT,
                "opener": "ana.popescu@agroserv.ro",
                "hours_ago": 5,
                "description": "După revizia de săptămâna trecută, pompa CP-200 de la stația de irigații pornește și "
                "se oprește după 3–4 secunde. Avem nevoie de ea pentru udarea de mâine.",
            },
            [
                (
                    4,
                    "staff",
                    "Am preluat solicitarea. Un tehnician vă sună în următoarea oră pentru diagnoză la distanță.",
                    [],
                    False,
                ),
                (
                    3,
                    "client",
                    "Tehnicianul ne-a cerut raportul de revizie; îl atașez.",
                    [
                        lambda: _pdf(
                            "Raport revizie pompa CP-200",
                            "Revizie efectuată conform fișei tehnice.",
                            "Presiune la refulare: 4,2 bar. Curent absorbit: 11,8 A.",
                        )
                    ],
                    False,
                ),
            ],
        ),
        (
            {
                "subject": "Ofertă pentru 3 pompe suplimentare CP-200",
                "category": Ticket.Category.COMMERCIAL,
                "priority": Ticket.Priority.NORMAL,
                "opener": "ana.popescu@agroserv.ro",
                "hours_ago": 1,
                "description": "Vă rugăm să ne trimiteți o ofertă pentru 3 pompe CP-200 cu montaj inclus, livrare "
                "la ferma din Ciulnița, până la sfârșitul lunii.",
            },
            [],
        ),
        (
            {
                "subject": "Factura nu corespunde cu avizul de însoțire",
                "category": Ticket.Category.BILLING,
                "priority": Ticket.Priority.HIGH,
                "opener": "cristina.dobre@agroserv.ro",
                "hours_ago": 7,
                "description": "Pe factura din 28 februarie apar 12 bucăți filtru FX-40, iar pe aviz și la recepție "
                "am primit 10. Vă rugăm o factură de stornare pentru diferență.",
            },
            [],
        ),
        (
            {
                "subject": "Livrare incompletă — lipsesc 2 colete",
                "category": Ticket.Category.DELIVERY,
                "priority": Ticket.Priority.HIGH,
                "opener": "ana.popescu@agroserv.ro",
                "hours_ago": 96,
                "description": "Comanda a sosit azi cu 4 colete din 6. Lipsesc coletele cu garniturile și "
                "manometrele. Atașez procesul-verbal de recepție.",
                "files": [
                    lambda: _pdf(
                        "Proces-verbal receptie",
                        "Colete primite: 4 din 6.",
                        "Lipsă: garnituri set G-12, manometre M-6.",
                    )
                ],
            },
            [
                (
                    94,
                    "staff",
                    "Ne cerem scuze. Coletele au rămas în depozitul curierului din Slobozia; le-am "
                    "redirecționat cu livrare mâine până la ora 12.",
                    [],
                    False,
                ),
                (82, "client", "Am primit coletele, totul este în regulă. Mulțumim!", [], False),
                (81, "staff", "Mulțumim pentru confirmare. Închidem tichetul ca rezolvat.", [], False),
                (81, "status", S.RESOLVED, [], False),
            ],
        ),
        (
            {
                "subject": "Acces în portal pentru un coleg nou",
                "category": Ticket.Category.OTHER,
                "priority": Ticket.Priority.LOW,
                "opener": "ana.popescu@agroserv.ro",
                "hours_ago": 24 * 25,
                "description": "Colegul nostru de la achiziții nu primește emailul de invitație în portal.",
            },
            [
                (
                    24 * 25 - 2,
                    "staff",
                    "Emailul a fost blocat de filtrul antispam al domeniului dvs. Am retrimis "
                    "invitația; vă rugăm să verificați și folderul Spam.",
                    [],
                    False,
                ),
                (24 * 25 - 3, "client", "A funcționat, colegul s-a conectat. Mulțumim!", [], False),
                (24 * 25 - 3, "status", S.CLOSED, [], False),
            ],
        ),
    ]


def _clear(ticket: Ticket) -> None:
    stored = list(Attachment.objects.filter(ticket=ticket).values_list("file_id", flat=True))
    Attachment.objects.filter(ticket=ticket).delete()
    for file in StoredFile.objects.filter(pk__in=stored):
        file.file.delete(save=False)
        file.delete()
    Message.objects.filter(ticket=ticket).delete()
    StatusChange.objects.filter(ticket=ticket).delete()


def _attach(ticket, message, files, user, at):
    for make in files:
        uploaded = make() if callable(make) else make
        Attachment.objects.create(
            company=ticket.company,
            ticket=ticket,
            message=message,
            created_at=at,
            file=store_upload(company=ticket.company, uploaded=uploaded, user=user),
        )


def _linked(company, link):
    if not link:
        return None, None
    label, number = link
    content_type = ContentType.objects.get_by_natural_key(*label.split("."))
    obj = content_type.model_class()._default_manager.filter(company=company, number=number).first()
    return (content_type, obj.pk) if obj else (None, None)


def seed(demo: dict) -> None:
    now = timezone.now()
    staff, users = demo["staff"], demo["users"]
    for index, company in enumerate(demo["companies"]):
        for spec, steps in tickets_for(index):
            spec = dict(spec)
            opener = users[spec.pop("opener")]
            opened = now - timedelta(hours=spec.pop("hours_ago"))
            files = spec.pop("files", [])
            linked_type, linked_id = _linked(company, spec.pop("link", None))
            response, resolution = conf.sla_targets(spec["priority"])
            ticket = Ticket.objects.filter(company=company, subject=spec["subject"]).first()
            defaults = {
                **spec,
                "opened_by": opener,
                "created_at": opened,
                "sla_started_at": opened,
                "first_response_due": opened + response,
                "resolution_due": opened + resolution,
                "status": S.OPEN,
                "last_activity_at": opened,
                "first_responded_at": None,
                "resolved_at": None,
                "closed_at": None,
                "waiting_since": None,
                "sla_paused": timedelta(0),
                "linked_type": linked_type,
                "linked_id": linked_id,
                "assigned_to": staff if steps else None,
                "rating": None,
                "rating_comment": "",
                "rated_at": None,
                "rated_by": None,
            }
            if ticket is None:
                ticket = Ticket.objects.create(company=company, number=next_ticket_number(now=opened), **defaults)
            else:
                _clear(ticket)
                for field, value in defaults.items():
                    setattr(ticket, field, value)
            _attach(ticket, None, files, opener, opened)
            for hours_ago, who, text, step_files, internal in steps:
                at = now - timedelta(hours=hours_ago)
                if who == "status":
                    by_staff = text != S.CLOSED  # in the demo, clients close their own tickets
                    StatusChange.objects.create(
                        ticket=ticket,
                        from_status=ticket.status,
                        to_status=text,
                        by=staff if by_staff else opener,
                        by_staff=by_staff,
                        created_at=at,
                    )
                    ticket.status = text
                    ticket.waiting_since = at if text == S.WAITING else None
                    if text == S.RESOLVED:
                        ticket.resolved_at = at
                    if text == S.CLOSED:
                        ticket.closed_at = at
                    ticket.last_activity_at = at
                    continue
                from_staff = who in ("staff", "note")
                author = staff if from_staff else opener
                message = Message.objects.create(
                    company=company,
                    ticket=ticket,
                    author=author,
                    body=text,
                    from_staff=from_staff,
                    is_internal=internal,
                    created_at=at,
                )
                _attach(ticket, message, step_files, author, at)
                if internal:
                    continue
                ticket.last_activity_at = at
                if from_staff:
                    if ticket.first_responded_at is None:
                        ticket.first_responded_at = at
                    if ticket.status == S.OPEN:
                        StatusChange.objects.create(
                            ticket=ticket,
                            from_status=S.OPEN,
                            to_status=S.IN_PROGRESS,
                            by=staff,
                            by_staff=True,
                            created_at=at,
                        )
                        ticket.status = S.IN_PROGRESS
            if ticket.status == S.CLOSED and index == 0:
                ticket.rating, ticket.rating_comment = 5, "Răspuns rapid și foarte clar. Mulțumim!"
                ticket.rated_at, ticket.rated_by = ticket.closed_at, opener
            ticket.save()
