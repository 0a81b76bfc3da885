import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Invitation, Membership, User
from accounts.tests.factories import PASSWORD
from portal.models import AuditEntry

INVITED = "coleg.nou@client-a.ro"


def invite(client, django_capture_on_commit_callbacks, **overrides):
    data = {"email": INVITED, "role": Membership.Role.MEMBER, "can_accept_offers": "on"}
    data.update(overrides)
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(reverse("accounts:members"), data)


def link_in(message) -> str:
    match = re.search(r"https?://[^/\s]+(/cont/invitatie/[^\s/]+/)", message.body)
    assert match, message.body
    return match.group(1)


@pytest.fixture
def invitation_link(client, admin_a, django_capture_on_commit_callbacks, mailoutbox):
    """admin_a invites INVITED (member, may accept offers, no billing); then the client is anonymous."""
    client.force_login(admin_a)
    invite(client, django_capture_on_commit_callbacks)
    client.logout()
    link = link_in(mailoutbox[-1])
    mailoutbox.clear()
    return link


def signup_data(**overrides):
    data = {
        "first_name": "Radu",
        "last_name": "Stan",
        "phone": "0733 111 222",
        "password1": PASSWORD,
        "password2": PASSWORD,
    }
    data.update(overrides)
    return data


@pytest.mark.django_db
def test_admin_invites_a_colleague_by_email(client, admin_a, company_a, django_capture_on_commit_callbacks, mailoutbox):
    client.force_login(admin_a)
    response = invite(client, django_capture_on_commit_callbacks, can_see_billing="on")

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:members")
    invitation = Invitation.objects.get()
    assert (invitation.company, invitation.email, invitation.invited_by) == (company_a, INVITED, admin_a)
    assert invitation.can_accept_offers and invitation.can_see_billing
    assert invitation.role == Membership.Role.MEMBER
    assert invitation.is_open
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == [INVITED]
    assert company_a.name in message.subject
    link = link_in(message)
    # Only the hash of the token is stored.
    token = link.rstrip("/").rsplit("/", 1)[-1]
    assert token not in invitation.token_hash
    assert link in message.alternatives[0][0]
    assert AuditEntry.objects.filter(action="invitation.sent", company=company_a, user=admin_a).exists()
    assert INVITED in client.get(reverse("accounts:members")).content.decode()


@pytest.mark.django_db
def test_anonymous_visitor_sees_the_signup_form(client, invitation_link, company_a):
    response = client.get(invitation_link)

    assert response.status_code == 200
    page = response.content.decode()
    assert company_a.name in page
    assert INVITED in page
    assert response.context["form"] is not None
    assert 'name="password1"' in page


@pytest.mark.django_db
def test_signing_up_through_the_invitation_joins_the_company(client, invitation_link, company_a, admin_a):
    response = client.post(invitation_link, signup_data())

    assert response.status_code == 302
    assert response["Location"] == reverse("dashboard:home")
    user = User.objects.get(email=INVITED)
    assert (user.first_name, user.last_name, user.phone) == ("Radu", "Stan", "0733 111 222")
    assert user.check_password(PASSWORD)
    assert user.emailaddress_set.get(email=INVITED).verified
    membership = Membership.objects.get(user=user)
    assert membership.company == company_a
    assert membership.status == Membership.Status.ACTIVE
    assert membership.role == Membership.Role.MEMBER
    assert membership.can_accept_offers and not membership.can_see_billing
    assert membership.approved_by == admin_a
    assert Invitation.objects.get().accepted_at is not None
    assert int(client.session["_auth_user_id"]) == user.pk

    response = client.get(reverse("dashboard:home"))
    assert response.status_code == 200
    assert response.context["current_company"] == company_a


@pytest.mark.django_db
def test_invitation_signup_with_bad_input_saves_nothing(client, invitation_link):
    response = client.post(invitation_link, signup_data(password2="Alta-parola-2026", phone="12ab"))

    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"password2", "phone"}
    assert not User.objects.filter(email=INVITED).exists()
    assert Invitation.objects.get().accepted_at is None


@pytest.mark.django_db
def test_link_used_twice_is_invalid(client, invitation_link):
    client.post(invitation_link, signup_data())
    client.logout()

    response = client.get(invitation_link)
    assert response.status_code == 404
    assert "Invitația nu mai este valabilă" in response.content.decode()
    response = client.post(invitation_link, signup_data(first_name="Altcineva"))
    assert response.status_code == 404
    assert User.objects.filter(email=INVITED).count() == 1
    assert User.objects.get(email=INVITED).first_name == "Radu"


@pytest.mark.django_db
def test_expired_link_is_invalid(client, invitation_link):
    Invitation.objects.update(expires_at=timezone.now() - timedelta(minutes=1))

    response = client.get(invitation_link)
    assert response.status_code == 404
    assert "Invitația nu mai este valabilă" in response.content.decode()
    assert client.post(invitation_link, signup_data()).status_code == 404
    assert not User.objects.filter(email=INVITED).exists()


@pytest.mark.django_db
def test_unknown_token_is_invalid(client, db):
    response = client.get(reverse("accounts:invitation", args=["nu-exista"]))
    assert response.status_code == 404
    assert "Invitația nu mai este valabilă" in response.content.decode()


@pytest.mark.django_db
def test_revoked_link_is_invalid(client, invitation_link, admin_a, company_a):
    invitation = Invitation.objects.get()
    client.force_login(admin_a)
    response = client.post(reverse("accounts:invitation_revoke", args=[invitation.public_id]))
    assert response.status_code == 302
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None
    assert AuditEntry.objects.filter(action="invitation.revoked", company=company_a).exists()
    client.logout()

    assert client.get(invitation_link).status_code == 404
    assert client.post(invitation_link, signup_data()).status_code == 404
    assert not User.objects.filter(email=INVITED).exists()


@pytest.mark.django_db
def test_a_new_invitation_replaces_the_old_link(
    client, admin_a, invitation_link, django_capture_on_commit_callbacks, mailoutbox
):
    client.force_login(admin_a)
    invite(client, django_capture_on_commit_callbacks)
    client.logout()

    assert client.get(invitation_link).status_code == 404
    assert client.get(link_in(mailoutbox[0])).status_code == 200


@pytest.mark.django_db
def test_revoking_another_companys_invitation_is_404(client, member_b, invitation_link):
    invitation = Invitation.objects.get()
    client.force_login(member_b)
    assert client.post(reverse("accounts:invitation_revoke", args=[invitation.public_id])).status_code == 404
    invitation.refresh_from_db()
    assert invitation.revoked_at is None


@pytest.mark.django_db
@pytest.mark.parametrize("email", ["member.a@client-a.ro", "MEMBER.A@client-a.ro", "pending@client-a.ro"])
def test_inviting_an_existing_member_is_a_form_error(
    client, admin_a, member_a, pending_user, email, django_capture_on_commit_callbacks, mailoutbox
):
    client.force_login(admin_a)
    response = invite(client, django_capture_on_commit_callbacks, email=email)

    assert response.status_code == 200
    assert "face deja parte din companie" in " ".join(response.context["form"].errors["email"])
    assert not Invitation.objects.exists()
    assert mailoutbox == []


@pytest.mark.django_db
def test_invitation_with_bad_email_is_a_form_error(client, admin_a, django_capture_on_commit_callbacks, mailoutbox):
    client.force_login(admin_a)
    response = invite(client, django_capture_on_commit_callbacks, email="nu-e-email")
    assert response.status_code == 200
    assert "email" in response.context["form"].errors
    assert not Invitation.objects.exists()
    assert mailoutbox == []


@pytest.mark.django_db
def test_existing_user_joins_a_second_company_and_switches(
    client, admin_a, member_b, company_a, company_b, django_capture_on_commit_callbacks, mailoutbox
):
    client.force_login(admin_a)
    invite(client, django_capture_on_commit_callbacks, email=member_b.email.upper(), can_see_billing="on")
    link = link_in(mailoutbox[-1])

    client.force_login(member_b)
    response = client.get(link)
    assert response.status_code == 200
    assert response.context["email_matches"]
    assert response.context["form"] is None
    assert "Accept invitația" in response.content.decode()

    response = client.post(link)
    assert response.status_code == 302
    assert response["Location"] == reverse("dashboard:home")
    membership = Membership.objects.get(user=member_b, company=company_a)
    assert membership.status == Membership.Status.ACTIVE
    assert membership.role == Membership.Role.MEMBER
    assert membership.can_accept_offers and membership.can_see_billing
    # Still admin of company B.
    assert Membership.objects.get(user=member_b, company=company_b).role == Membership.Role.ADMIN
    # Accepting makes the invited company the active one.
    assert client.get(reverse("dashboard:home")).context["current_company"] == company_a

    response = client.post(reverse("accounts:switch_company"), {"company": str(company_b.public_id)})
    assert response.status_code == 302
    assert client.get(reverse("dashboard:home")).context["current_company"] == company_b
    response = client.post(reverse("accounts:switch_company"), {"company": str(company_a.public_id)})
    assert response.status_code == 302
    assert client.get(reverse("dashboard:home")).context["current_company"] == company_a


@pytest.mark.django_db
def test_existing_user_logged_out_is_asked_to_log_in(
    client, admin_a, member_b, django_capture_on_commit_callbacks, mailoutbox
):
    client.force_login(admin_a)
    invite(client, django_capture_on_commit_callbacks, email=member_b.email)
    link = link_in(mailoutbox[-1])
    client.logout()

    response = client.get(link)
    assert response.status_code == 200
    assert response.context["account_exists"]
    assert response.context["form"] is None
    assert f"{reverse('account_login')}?next=" in response.content.decode()
    # Posting a signup for an address that has an account creates nothing.
    response = client.post(link, signup_data())
    assert response.status_code == 200
    assert not Membership.objects.filter(user=member_b, company=admin_a.memberships.get().company).exists()


@pytest.mark.django_db
def test_member_without_manage_right_gets_403_on_the_members_page(
    client, member_a, django_capture_on_commit_callbacks, mailoutbox
):
    client.force_login(member_a)
    assert client.get(reverse("accounts:members")).status_code == 403
    assert invite(client, django_capture_on_commit_callbacks).status_code == 403
    assert not Invitation.objects.exists()
    assert mailoutbox == []


@pytest.mark.django_db
def test_logged_in_user_with_another_email_cannot_accept(client, invitation_link, member_a, company_a):
    client.force_login(member_a)

    response = client.get(invitation_link)
    assert response.status_code == 200
    assert not response.context["email_matches"]
    page = response.content.decode()
    assert "Sunteți autentificat ca member.a@client-a.ro" in page
    assert "Accept invitația" not in page

    memberships_before = list(Membership.objects.values_list("pk", "user_id", "company_id", "role", "status"))
    response = client.post(invitation_link, follow=True)
    assert response.redirect_chain[0] == (reverse("dashboard:home"), 302)
    assert "Invitația a fost trimisă pe altă adresă de email." in response.content.decode()
    assert list(Membership.objects.values_list("pk", "user_id", "company_id", "role", "status")) == memberships_before
    invitation = Invitation.objects.get()
    assert invitation.accepted_at is None
    assert not User.objects.filter(email=INVITED).exists()


@pytest.mark.django_db
def test_logged_in_user_with_another_email_from_another_company_does_not_join(
    client, invitation_link, member_b, company_a
):
    client.force_login(member_b)
    client.post(invitation_link)
    assert not Membership.objects.filter(user=member_b, company=company_a).exists()
    assert Invitation.objects.get().accepted_at is None


@pytest.mark.django_db
def test_a_rejected_requester_can_be_invited_later(
    client, admin_a, pending_user, company_a, django_capture_on_commit_callbacks, mailoutbox
):
    pending = Membership.objects.get(user=pending_user)
    client.force_login(admin_a)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("accounts:member_reject", args=[pending.public_id]))
    mailoutbox.clear()

    response = invite(client, django_capture_on_commit_callbacks, email=pending_user.email)

    assert response.status_code == 302
    assert Invitation.objects.filter(email=pending_user.email).exists()
    assert [message.to for message in mailoutbox] == [[pending_user.email]]
