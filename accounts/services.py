"""Writes for accounts, companies, memberships and invitations."""

from __future__ import annotations

import secrets
from datetime import timedelta

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import tasks
from accounts.models import Company, Invitation, Membership, User, hash_token
from accounts.validators import normalize_cui, validate_cui
from portal import audit, events
from portal.db import retry_on_conflict
from portal.tasks_util import enqueue
from portal.tenancy import unscoped


@transaction.atomic
def register_company_user(*, user: User, first_name: str, last_name: str, phone: str, company_data: dict) -> Membership:
    """Attach a newly signed-up user to a company.

    A new CUI creates a company awaiting staff approval, with the user as its admin.
    A known CUI creates a membership awaiting the company admin's (or staff's) approval.
    The registrant is told the same either way ("the request was sent"): whether a CUI belongs to
    a client is not for whoever types it to learn. Nobody else hears of it yet: staff and the
    company's admins are told once the registrant has verified their email address
    (``registration_email_verified``).
    """
    user.first_name, user.last_name, user.phone = first_name, last_name, phone
    user.save(update_fields=["first_name", "last_name", "phone"])
    cui = normalize_cui(company_data["cui"])
    validate_cui(cui)
    company = Company.objects.with_cui(cui).first()
    created = False
    if company is None:
        try:
            with transaction.atomic():
                company = Company.objects.create(**{**company_data, "cui": cui, "status": Company.Status.PENDING})
                created = True
        except IntegrityError:  # the same CUI registered by someone else a moment ago: join it
            company = Company.objects.with_cui(cui).get()
    if created:
        return Membership.objects.create(
            user=user,
            company=company,
            role=Membership.Role.ADMIN,
            can_accept_offers=True,
            can_see_billing=True,
            status=Membership.Status.PENDING,
        )
    return Membership.objects.create(user=user, company=company, status=Membership.Status.PENDING)


@transaction.atomic
def registration_email_verified(*, user: User) -> list[Membership]:
    """The registrant proved their email address: their requests are now made.

    Staff hear of a new company, the company's admins of a request to join (in-app and email,
    enqueued after commit). Once: the requests are marked, so verifying again sends nothing.
    """
    now = timezone.now()
    requests = list(
        Membership.objects.select_for_update(of=("self",))
        .select_related("company")
        .filter(user=user, status=Membership.Status.PENDING, requested_at__isnull=True)
        .order_by("pk")
    )
    for membership in requests:
        membership.requested_at = now
        membership.save(update_fields=["requested_at"])
        company = membership.company
        if company.status == Company.Status.REJECTED:
            continue  # staff already said no: nothing left to ask
        if membership.role == Membership.Role.ADMIN and company.status == Company.Status.PENDING:
            audit.record(action="company.registered", company=company, user=user, obj=company)
            enqueue(tasks.notify_staff_of_registration, membership.pk)
            events.publish(
                "company.registered", company=company, obj=company, data=_registration_data(membership, user)
            )
        else:
            audit.record(action="membership.requested", company=company, user=user, obj=membership)
            enqueue(tasks.notify_admins_of_join_request, membership.pk)
            events.publish(
                "membership.requested", company=company, obj=membership, data=_registration_data(membership, user)
            )
    return requests


def _registration_data(membership: Membership, user: User) -> dict:
    """What the ERP needs to open the account or note the contact: the company's data and who asked."""
    company = membership.company
    return {
        "name": company.name,
        "cui": company.cui,
        "reg_com": company.reg_com,
        "address": company.address,
        "city": company.city,
        "county": company.county,
        "company_status": company.status,
        "user": {"email": user.email, "first_name": user.first_name, "last_name": user.last_name},
        "role": membership.role,
    }


@transaction.atomic
def company_approve(*, company: Company, by: User) -> Company:
    # NO KEY UPDATE: rows that refer to the company (audit entries, notifications) can still be written.
    company = Company.objects.select_for_update(no_key=True).get(pk=company.pk)
    if company.status == Company.Status.ACTIVE:
        return company
    company.status, company.approved_at = Company.Status.ACTIVE, timezone.now()
    company.save(update_fields=["status", "approved_at"])
    # The registrant(s) become active with the company: staff approved them together.
    pending = company.memberships.pending().select_for_update(of=("self",)).select_related("user").order_by("pk")
    for membership in pending:
        _activate(membership, by=by)
    audit.record(action="company.approved", company=company, user=by, obj=company)
    return company


@transaction.atomic
def company_reject(*, company: Company, by: User) -> Company:
    company = Company.objects.select_for_update(no_key=True).get(pk=company.pk)
    if company.status != Company.Status.PENDING:
        raise ValidationError(_("Doar o companie în așteptare poate fi respinsă."))
    company.status = Company.Status.REJECTED
    company.save(update_fields=["status"])
    audit.record(action="company.rejected", company=company, user=by, obj=company)
    for membership in company.memberships.requested():  # an unverified address is not written to
        enqueue(tasks.send_membership_rejected, membership.pk)
    return company


def _activate(membership: Membership, *, by: User | None) -> None:
    membership.status, membership.approved_at, membership.approved_by = Membership.Status.ACTIVE, timezone.now(), by
    membership.save(update_fields=["status", "approved_at", "approved_by"])
    enqueue(tasks.send_membership_approved, membership.pk)


@retry_on_conflict
@transaction.atomic
def membership_approve(*, membership: Membership, by: User) -> Membership:
    membership = _lock_one(membership)
    if membership.status == Membership.Status.ACTIVE:
        return membership
    if membership.company.status != Company.Status.ACTIVE:
        raise ValidationError(_("Compania %(company)s nu este încă aprobată.") % {"company": membership.company})
    _activate(membership, by=by)
    audit.record(action="membership.approved", company=membership.company, user=by, obj=membership)
    return membership


@retry_on_conflict
@transaction.atomic
def membership_reject(*, membership: Membership, by: User) -> Membership:
    membership = _lock_one(membership)
    if membership.status != Membership.Status.PENDING:
        raise ValidationError(_("Doar o cerere în așteptare poate fi respinsă."))
    membership.status = Membership.Status.REJECTED
    membership.save(update_fields=["status"])
    audit.record(action="membership.rejected", company=membership.company, user=by, obj=membership)
    enqueue(tasks.send_membership_rejected, membership.pk)
    return membership


def _lock_one(membership: Membership) -> Membership:
    """Lock this membership's row only (not its company's or user's: others refer to those)."""
    return Membership.objects.select_for_update(of=("self",)).select_related("company", "user").get(pk=membership.pk)


def _lock_company_members(membership: Membership, *, by: User) -> Membership:
    """Lock every membership of the company, in primary-key order, and return ``membership`` fresh.

    A change that may take away an administrator must see the other administrators as they are
    once it holds the lock (two admins demoting each other at once must not leave none), and
    every such change locks the same rows in the same order, so two of them wait for each other
    instead of deadlocking. ``by`` must still be an administrator once the lock is held (unless
    staff acting from outside the company).
    """
    locked = {
        m.pk: m
        for m in Membership.objects.select_for_update(of=("self",))
        .select_related("user")
        .filter(company_id=membership.company_id)
        .order_by("pk")
    }
    if membership.pk not in locked:
        raise Membership.DoesNotExist
    mine = next((m for m in locked.values() if m.user_id == by.pk), None)
    if mine is not None and not (mine.is_active and mine.is_admin) and not by.is_staff:
        raise PermissionDenied
    fresh = locked[membership.pk]
    fresh.company = Company.objects.get(pk=membership.company_id)
    fresh.company_members = list(locked.values())
    return fresh


def _ensure_an_admin_remains(membership: Membership, *, new_role: str | None) -> None:
    if membership.role != Membership.Role.ADMIN or new_role == Membership.Role.ADMIN:
        return
    other_admins = [
        m
        for m in membership.company_members
        if m.pk != membership.pk
        and m.role == Membership.Role.ADMIN
        and m.status == Membership.Status.ACTIVE
        and m.user.is_active
    ]
    if not other_admins:
        raise ValidationError(_("Compania trebuie să aibă cel puțin un administrator."))


@retry_on_conflict
@transaction.atomic
def membership_update(
    *, membership: Membership, by: User, role: str, can_accept_offers: bool, can_see_billing: bool, job_title: str = ""
) -> Membership:
    membership = _lock_company_members(membership, by=by)
    _ensure_an_admin_remains(membership, new_role=role)
    before = {
        "role": membership.role,
        "can_accept_offers": membership.can_accept_offers,
        "can_see_billing": membership.can_see_billing,
    }
    membership.role, membership.job_title = role, job_title
    membership.can_accept_offers, membership.can_see_billing = can_accept_offers, can_see_billing
    membership.save(update_fields=["role", "can_accept_offers", "can_see_billing", "job_title"])
    audit.record(
        action="membership.updated",
        company=membership.company,
        user=by,
        obj=membership,
        before=before,
        after={"role": role, "can_accept_offers": can_accept_offers, "can_see_billing": can_see_billing},
    )
    return membership


@retry_on_conflict
@transaction.atomic
def membership_remove(*, membership: Membership, by: User) -> None:
    membership = _lock_company_members(membership, by=by)
    if membership.user_id == by.pk:
        raise ValidationError(_("Nu vă puteți elimina singur din companie."))
    _ensure_an_admin_remains(membership, new_role=None)
    audit.record(
        action="membership.removed", company=membership.company, user=by, obj=membership, email=membership.user.email
    )
    membership.delete()


@retry_on_conflict
@transaction.atomic
def invitation_create(
    *, company: Company, by: User, email: str, role: str, can_accept_offers: bool, can_see_billing: bool
) -> tuple[Invitation, str]:
    """Invite ``email`` to ``company``; returns the invitation and the raw token (only emailed)."""
    email = email.strip().lower()
    members = Membership.objects.filter(company=company, user__email__iexact=email)
    if members.exclude(status=Membership.Status.REJECTED).exists():
        raise ValidationError(_("%(email)s face deja parte din companie.") % {"email": email})
    # A newer invitation replaces an older one for the same address.
    Invitation.objects.filter(company=company, email=email, accepted_at__isnull=True, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    token = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        company=company,
        email=email,
        role=role,
        can_accept_offers=can_accept_offers,
        can_see_billing=can_see_billing,
        token_hash=hash_token(token),
        invited_by=by,
        expires_at=timezone.now() + timedelta(days=settings.INVITATION_VALID_DAYS),
    )
    audit.record(action="invitation.sent", company=company, user=by, obj=invitation, email=email)
    enqueue(tasks.send_invitation, invitation.pk, token)
    return invitation, token


@retry_on_conflict
@transaction.atomic
def invitation_revoke(*, invitation: Invitation, by: User) -> None:
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at or invitation.revoked_at:
        return
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at"])
    audit.record(action="invitation.revoked", company=invitation.company, user=by, obj=invitation)


@unscoped("an invitation is found by its secret token, before its company is the user's")
def invitation_for_token(token: str) -> Invitation | None:
    return Invitation.objects.select_related("company", "invited_by").filter(token_hash=hash_token(token)).first()


class InvitationNotOpen(Exception):
    pass


@retry_on_conflict
@transaction.atomic
@unscoped("the invited person joins the invitation's company, which is not yet theirs")
def invitation_accept(*, token: str, user: User) -> Membership:
    """The invited person (logged in with the invited email) joins the company."""
    invitation = Invitation.objects.select_for_update().filter(token_hash=hash_token(token)).first()
    if invitation is None or not invitation.is_open:
        raise InvitationNotOpen(_("Invitația a expirat, a fost anulată sau a fost deja folosită."))
    if invitation.email.lower() != user.email.lower():
        raise InvitationNotOpen(_("Invitația a fost trimisă pe altă adresă de email."))
    membership, _created = Membership.objects.update_or_create(
        user=user,
        company=invitation.company,
        defaults={
            "role": invitation.role,
            "can_accept_offers": invitation.can_accept_offers,
            "can_see_billing": invitation.can_see_billing,
            "status": Membership.Status.ACTIVE,
            "approved_at": timezone.now(),
            "approved_by": invitation.invited_by,
        },
    )
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at"])
    _mark_email_verified(user)
    audit.record(action="invitation.accepted", company=invitation.company, user=user, obj=membership)
    return membership


@retry_on_conflict
@transaction.atomic
@unscoped("the invited person joins the invitation's company, which is not yet theirs")
def invitation_signup(*, token: str, first_name: str, last_name: str, phone: str, password: str) -> Membership:
    """A person without an account accepts an invitation: the emailed link proves the address."""
    invitation = Invitation.objects.select_for_update().filter(token_hash=hash_token(token)).first()
    if invitation is None or not invitation.is_open:
        raise InvitationNotOpen(_("Invitația a expirat, a fost anulată sau a fost deja folosită."))
    if User.objects.filter(email__iexact=invitation.email).exists():
        raise InvitationNotOpen(_("Există deja un cont cu această adresă: autentificați-vă pentru a accepta."))
    user = User.objects.create_user(
        email=invitation.email,
        password=password,
        first_name=first_name,
        last_name=last_name,
        phone=phone,
    )
    return invitation_accept(token=token, user=user)


def _mark_email_verified(user: User) -> None:
    EmailAddress.objects.update_or_create(
        user=user,
        email=user.email,
        defaults={"verified": True, "primary": True},
    )


def set_language(*, user: User, language: str) -> None:
    if language in dict(settings.LANGUAGES) and user.language != language:
        user.language = language
        user.save(update_fields=["language"])


@retry_on_conflict
@transaction.atomic
def profile_update(*, user: User, first_name: str, last_name: str, phone: str, language: str) -> User:
    user.first_name, user.last_name, user.phone = first_name, last_name, phone
    if language in dict(settings.LANGUAGES):
        user.language = language
    user.save(update_fields=["first_name", "last_name", "phone", "language"])
    return user


# --- from the ERP -----------------------------------------------------------------------------

COMPANY_FIELDS = ("name", "reg_com", "address", "city", "county", "iban")


@transaction.atomic
def company_upsert(*, cui: str, fields: dict, approve: bool) -> str:
    """A client company as the ERP knows it, keyed by its CUI (with or without RO: the ERP's spelling wins,
    it knows who pays VAT). Checked like the admin's form (the CUI's check digit, Reg. Com., IBAN, the
    county); ``approve`` makes a pending company active, its registrants with it. "created", "updated" or
    "unchanged"."""
    company = Company.objects.with_cui(cui).select_for_update(no_key=True).first()
    created = company is None
    company = company or Company(status=Company.Status.ACTIVE if approve else Company.Status.PENDING)
    values = {"cui": normalize_cui(cui), **fields}
    differs = created or any(getattr(company, name) != value for name, value in values.items())
    if differs:
        for name, value in values.items():
            setattr(company, name, value)
        if created and approve:
            company.approved_at = timezone.now()
        company.full_clean(validate_constraints=False)
        company.save()
        audit.record(action="company.imported", company=company, obj=company, created=created)
    if approve and company.status == Company.Status.PENDING:
        company_approve(company=company, by=None)
        differs = True
    if not differs:
        return "unchanged"
    return "created" if created else "updated"
