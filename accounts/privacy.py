"""Privacy (GDPR): a person's own data export and account closure, used by the portal and the admin.

- ``export_request`` asks for a ZIP of the person's data; ``export_build`` (a task, on commit) writes
  it to private storage and tells the person with a notification whose link downloads it. Asking
  again while one is being built gives that one. The ZIP is deleted after ``RETENTION_EXPORT_DAYS``.
- ``account_close`` anonymises the person: the name becomes "fost utilizator", the address a unique
  one that cannot receive mail, the password unusable, two-factor removed, memberships ended,
  sessions ended (an unusable password and an inactive account end every session). What the person
  did for their company (tickets, messages, decisions, the activity log) stays, signed "fost utilizator".

This module is also accounts' part of the export and of retention (``portal/privacy.py``).
"""

from __future__ import annotations

import io
import json
import uuid
import zipfile
from datetime import datetime, timedelta

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import tasks
from accounts.models import DataExport, Invitation, Membership, User
from portal import audit
from portal.models import AuditEntry, Notification, NotificationPreference, OutboundEmail
from portal.notifications import notify
from portal.privacy import ExportPart, collect_export
from portal.tasks_util import enqueue
from portal.tenancy import unscoped

FORMER_USER_NAME = "fost utilizator"
# RFC 2606: .invalid never resolves, so nothing can be delivered to a closed account.
FORMER_USER_DOMAIN = "anonimizat.invalid"


# --- export -----------------------------------------------------------------------------------------


@transaction.atomic
def export_request(*, user: User, requested_by: User | None = None) -> DataExport:
    """A new export of ``user``'s data, or the one already being prepared (a double click asks once)."""
    User.objects.select_for_update().filter(pk=user.pk).first()  # two requests at once make one export
    pending = DataExport.objects.filter(user=user, status=DataExport.Status.PENDING).first()
    if pending is not None:
        return pending
    export = DataExport.objects.create(
        user=user,
        requested_by=requested_by or user,
        expires_at=timezone.now() + timedelta(days=settings.RETENTION_EXPORT_DAYS),
    )
    audit.record(action="privacy.export_requested", user=requested_by or user, obj=export)
    enqueue(tasks.build_data_export, export.pk)
    return export


def export_build(*, export_id: int) -> DataExport | None:
    """Writes the ZIP once (a second run finds it ready) and notifies whoever asked for it."""
    with transaction.atomic():
        export = DataExport.objects.select_for_update().select_related("user").filter(pk=export_id).first()
        if export is None or export.status != DataExport.Status.PENDING:
            return export
        content = export_zip(export.user)
        export.file.save(f"{export.public_id}.zip", ContentFile(content), save=False)
        export.status, export.size, export.ready_at = DataExport.Status.READY, len(content), timezone.now()
        export.save(update_fields=["file", "status", "size", "ready_at"])
        _notify_ready(export)
    return export


def _notify_ready(export: DataExport) -> None:
    recipient = export.requested_by or export.user
    notify(
        user=recipient,
        company=None,
        kind="account.data_export",
        message="account.data_export",
        params={"days": settings.RETENTION_EXPORT_DAYS},
        url=reverse("accounts:data_export_download", kwargs={"public_id": export.public_id}),
        key=f"data-export:{export.pk}",
    )


def export_zip(user: User) -> bytes:
    part = collect_export(user)
    data = {"generated_at": timezone.now().isoformat(), **part.records}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("date.json", json.dumps(data, ensure_ascii=False, indent=2, default=str))
        archive.writestr("CITESTE.txt", _readme())
        for item in part.files:
            try:
                with item.open() as handle:
                    archive.writestr(item.path, handle.read())
            except FileNotFoundError:  # lost from storage: the list in date.json still names it
                continue
    return buffer.getvalue()


def _readme() -> str:
    return (
        "Datele dumneavoastră personale din Portalul clienți / Your personal data from the client portal\n\n"
        "date.json: profilul, companiile, mesajele de suport scrise de dumneavoastră, fișierele încărcate "
        "și jurnalul acțiunilor dumneavoastră.\n"
        "fisiere/: fișierele încărcate de dumneavoastră.\n"
    )


def export(user: User) -> ExportPart:
    """accounts' part: the profile, two-factor methods (not their secrets), memberships, own audit entries."""
    with unscoped("a person's own data export covers every company they belong to"):
        memberships = list(Membership.objects.filter(user=user).select_related("company").order_by("created_at"))
    return ExportPart(
        records={
            "profil": _profile(user),
            "companii": [_membership_row(m) for m in memberships],
            "preferinte_notificari": list(
                NotificationPreference.objects.filter(user=user).values("topic", "delivery").order_by("topic")
            ),
            "jurnal_activitate": _audit_rows(user),
        }
    )


def _profile(user: User) -> list[dict]:
    return [
        {
            "email": user.email,
            "prenume": user.first_name,
            "nume": user.last_name,
            "telefon": user.phone,
            "limba": user.language,
            "cont_creat_la": user.date_joined,
            "ultima_autentificare": user.last_login,
            "autentificare_in_doi_pasi": sorted(Authenticator.objects.filter(user=user).values_list("type", flat=True)),
        }
    ]


def _membership_row(membership: Membership) -> dict:
    return {
        "companie": membership.company.name,
        "cui": membership.company.cui,
        "rol": membership.role,
        "poate_accepta_oferte": membership.can_accept_offers,
        "vede_facturi": membership.can_see_billing,
        "functie": membership.job_title,
        "stare": membership.status,
        "creat_la": membership.created_at,
        "aprobat_la": membership.approved_at,
    }


def _audit_rows(user: User) -> list[dict]:
    # The object's description and details may name colleagues: the action, its object type and id only.
    rows = AuditEntry.objects.filter(user=user).select_related("company").order_by("created_at", "id")
    return [
        {
            "moment": entry.created_at,
            "actiune": entry.action,
            "companie": entry.company.name if entry.company_id else "",
            "tip_obiect": entry.object_type,
            "id_obiect": entry.object_id,
            "adresa_ip": entry.ip,
        }
        for entry in rows
    ]


def retention(now: datetime) -> dict[str, int]:
    """Exports past their date are deleted with their file."""
    deleted = 0
    for export_row in DataExport.objects.filter(expires_at__lt=now):
        if export_row.file:
            export_row.file.delete(save=False)
        export_row.delete()
        deleted += 1
    return {"data_exports": deleted}


# --- account closure --------------------------------------------------------------------------------


class AccountNotClosable(ValidationError):
    pass


@transaction.atomic
@unscoped("closing an account ends the person's memberships in every company")
def account_close(*, user: User, by: User) -> User:
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.is_staff:
        raise AccountNotClosable(_("Conturile personalului furnizorului se închid din administrare, de un superuser."))
    memberships = list(Membership.objects.filter(user=user).select_related("company"))
    _ensure_companies_keep_an_admin(user, memberships)
    for membership in memberships:
        audit.record(action="account.closed", company=membership.company, user=by)
    if not memberships:
        audit.record(action="account.closed", user=by)
    Membership.objects.filter(user=user).delete()
    _forget_person(user)
    return user


def _ensure_companies_keep_an_admin(user: User, memberships: list[Membership]) -> None:
    for membership in memberships:
        if not (membership.is_admin and membership.is_active):
            continue
        others = Membership.objects.active().filter(company=membership.company).exclude(user=user)
        if others.exists() and not others.filter(role=Membership.Role.ADMIN).exists():
            raise AccountNotClosable(
                _("Sunteți singurul administrator al companiei %(company)s. Numiți mai întâi un alt administrator.")
                % {"company": membership.company.name}
            )


def _forget_person(user: User) -> None:
    old_email = user.email
    new_email = f"fost-utilizator-{uuid.uuid4().hex[:16]}@{FORMER_USER_DOMAIN}"
    Invitation.objects.filter(email__iexact=old_email).update(email=new_email)
    OutboundEmail.objects.filter(to__iexact=old_email).update(to=new_email)
    EmailAddress.objects.filter(user=user).delete()
    Authenticator.objects.filter(user=user).delete()
    Notification.objects.filter(user=user).delete()
    NotificationPreference.objects.filter(user=user).delete()
    AuditEntry.objects.filter(user=user).update(ip=None)
    for export_row in DataExport.objects.filter(user=user):
        if export_row.file:
            export_row.file.delete(save=False)
        export_row.delete()
    user.first_name, user.last_name, user.phone, user.email = FORMER_USER_NAME, "", "", new_email
    user.set_unusable_password()
    user.is_active, user.last_login = False, None
    user.save()
