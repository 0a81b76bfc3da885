import pytest
from django.contrib.admin import helpers
from django.urls import reverse

from accounts import tasks
from accounts.models import Company, Membership
from accounts.tests.factories import CompanyFactory, MembershipFactory
from portal.models import AuditEntry, OutboundEmail


def admin_action(client, model: str, action: str, objects):
    return client.post(
        reverse(f"admin:accounts_{model}_changelist"),
        {"action": action, helpers.ACTION_CHECKBOX_NAME: [obj.pk for obj in objects]},
    )


@pytest.fixture
def registrant(db):
    """A company that registered itself: pending company, pending admin membership."""
    company = CompanyFactory(name="Firma Nouă SRL", status=Company.Status.PENDING, approved_at=None)
    return MembershipFactory(
        company=company,
        role=Membership.Role.ADMIN,
        can_accept_offers=True,
        can_see_billing=True,
        status=Membership.Status.PENDING,
        approved_at=None,
        user__email="ioana@firma-noua.ro",
    )


@pytest.mark.django_db
def test_staff_approves_a_company_and_its_registrant(
    client, staff, registrant, django_capture_on_commit_callbacks, mailoutbox
):
    client.force_login(staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_action(client, "company", "approve", [registrant.company])

    assert response.status_code == 302
    registrant.refresh_from_db()
    registrant.company.refresh_from_db()
    assert registrant.company.status == Company.Status.ACTIVE
    assert registrant.company.approved_at is not None
    assert registrant.status == Membership.Status.ACTIVE
    assert registrant.approved_by == staff
    assert AuditEntry.objects.filter(action="company.approved", company=registrant.company, user=staff).exists()
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == ["ioana@firma-noua.ro"]
    assert "Firma Nouă SRL" in message.subject
    assert "a fost aprobat" in message.subject
    assert reverse("account_login") in message.body
    assert OutboundEmail.objects.get(template="membership_approved").sent_at is not None

    # Approving again (double click) sends nothing more.
    with django_capture_on_commit_callbacks(execute=True):
        admin_action(client, "company", "approve", [registrant.company])
    assert len(mailoutbox) == 1

    client.force_login(registrant.user)
    response = client.get(reverse("dashboard:home"))
    assert response.status_code == 200
    assert response.context["current_company"] == registrant.company


@pytest.mark.django_db
def test_staff_rejects_a_pending_company(client, staff, registrant, django_capture_on_commit_callbacks, mailoutbox):
    client.force_login(staff)
    with django_capture_on_commit_callbacks(execute=True):
        admin_action(client, "company", "reject", [registrant.company])

    registrant.company.refresh_from_db()
    assert registrant.company.status == Company.Status.REJECTED
    assert [message.to for message in mailoutbox] == [["ioana@firma-noua.ro"]]
    assert "nu a fost aprobat" in mailoutbox[0].subject
    client.force_login(registrant.user)
    assert client.get(reverse("dashboard:home"))["Location"] == reverse("accounts:pending")


@pytest.mark.django_db
def test_send_membership_approved_twice_sends_one_email(registrant, staff, mailoutbox):
    registrant.status = Membership.Status.ACTIVE
    registrant.save()

    tasks.send_membership_approved(registrant.pk)
    tasks.send_membership_approved(registrant.pk)

    assert len(mailoutbox) == 1
    record = OutboundEmail.objects.get()
    assert record.key == f"membership-approved:{registrant.pk}:user:{registrant.user.pk}"
    assert record.sent_at is not None


@pytest.mark.django_db
def test_send_membership_approved_skips_a_membership_that_is_not_active(registrant, mailoutbox):
    tasks.send_membership_approved(registrant.pk)
    assert mailoutbox == []
    assert not OutboundEmail.objects.exists()


@pytest.mark.django_db
def test_staff_approves_and_rejects_memberships(
    client, staff, pending_user, company_a, django_capture_on_commit_callbacks, mailoutbox
):
    other = MembershipFactory(company=company_a, status=Membership.Status.PENDING, approved_at=None)
    pending = Membership.objects.get(user=pending_user)
    client.force_login(staff)

    with django_capture_on_commit_callbacks(execute=True):
        admin_action(client, "membership", "approve", [pending])
        admin_action(client, "membership", "reject", [other])

    pending.refresh_from_db()
    other.refresh_from_db()
    assert pending.status == Membership.Status.ACTIVE
    assert pending.approved_by == staff
    assert other.status == Membership.Status.REJECTED
    assert sorted(message.to[0] for message in mailoutbox) == sorted([pending_user.email, other.user.email])
    assert AuditEntry.objects.filter(action="membership.approved", user=staff).count() == 1
    assert AuditEntry.objects.filter(action="membership.rejected", user=staff).count() == 1


@pytest.mark.django_db
def test_staff_cannot_approve_a_membership_of_a_company_not_yet_approved(
    client, staff, registrant, django_capture_on_commit_callbacks, mailoutbox
):
    client.force_login(staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_action(client, "membership", "approve", [registrant])

    assert response.status_code == 302
    registrant.refresh_from_db()
    assert registrant.status == Membership.Status.PENDING
    assert mailoutbox == []


@pytest.mark.django_db
def test_company_admin_approves_a_pending_member(
    client, admin_a, pending_user, django_capture_on_commit_callbacks, mailoutbox
):
    pending = Membership.objects.get(user=pending_user)
    client.force_login(admin_a)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("accounts:member_approve", args=[pending.public_id]))

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:members")
    pending.refresh_from_db()
    assert pending.status == Membership.Status.ACTIVE
    assert pending.approved_by == admin_a
    assert pending.role == Membership.Role.MEMBER
    assert [message.to for message in mailoutbox] == [[pending_user.email]]
    assert AuditEntry.objects.filter(
        action="membership.approved", user=admin_a, object_id=str(pending.public_id), ip="127.0.0.1"
    ).exists()

    client.force_login(pending_user)
    assert client.get(reverse("dashboard:home")).status_code == 200


@pytest.mark.django_db
def test_company_admin_rejects_a_pending_member(
    client, admin_a, pending_user, django_capture_on_commit_callbacks, mailoutbox
):
    pending = Membership.objects.get(user=pending_user)
    client.force_login(admin_a)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("accounts:member_reject", args=[pending.public_id]))

    pending.refresh_from_db()
    assert pending.status == Membership.Status.REJECTED
    assert [message.to for message in mailoutbox] == [[pending_user.email]]
    client.force_login(pending_user)
    response = client.get(reverse("accounts:pending"))
    assert "cerere respinsă" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("url_name", ["accounts:member_approve", "accounts:member_reject"])
def test_admin_of_another_company_gets_404(client, member_b, pending_user, url_name, mailoutbox):
    pending = Membership.objects.get(user=pending_user)
    client.force_login(member_b)

    response = client.post(reverse(url_name, args=[pending.public_id]))

    assert response.status_code == 404
    pending.refresh_from_db()
    assert pending.status == Membership.Status.PENDING
    assert mailoutbox == []


@pytest.mark.django_db
@pytest.mark.parametrize("url_name", ["accounts:member_approve", "accounts:member_reject"])
def test_plain_member_gets_403(client, member_a, pending_user, url_name, mailoutbox):
    pending = Membership.objects.get(user=pending_user)
    client.force_login(member_a)

    response = client.post(reverse(url_name, args=[pending.public_id]))

    assert response.status_code == 403
    pending.refresh_from_db()
    assert pending.status == Membership.Status.PENDING
    assert mailoutbox == []


@pytest.mark.django_db
@pytest.mark.parametrize("url_name", ["accounts:member_approve", "accounts:member_reject"])
def test_approve_and_reject_are_post_only(client, admin_a, pending_user, url_name):
    pending = Membership.objects.get(user=pending_user)
    client.force_login(admin_a)
    assert client.get(reverse(url_name, args=[pending.public_id])).status_code == 405
    pending.refresh_from_db()
    assert pending.status == Membership.Status.PENDING


@pytest.mark.postgres
@pytest.mark.django_db
def test_approval_survives_a_non_ip_forwarded_header(client, settings, admin_a, pending_user):
    settings.BEHIND_PROXY = True
    from django.db import connection

    from conftest import require

    require(connection.vendor == "postgresql", "PostgreSQL (DATABASE_URL)")
    pending = Membership.objects.get(user=pending_user)
    client.force_login(admin_a)
    client.raise_request_exception = False
    response = client.post(reverse("accounts:member_approve", args=[pending.public_id]), HTTP_X_FORWARDED_FOR="unknown")
    assert response.status_code == 302
    pending.refresh_from_db()
    assert pending.status == Membership.Status.ACTIVE
