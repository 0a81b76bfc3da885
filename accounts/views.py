import uuid

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language

from accounts import selectors, services
from accounts.forms import InvitationForm, InvitationSignupForm, MembershipForm, ProfileForm
from accounts.models import Invitation, Membership, User
from portal.paging import paginate
from portal.tenancy import choose_company, company_member_required, current_membership

MEMBERS_PER_PAGE = 50


@login_required
def pending(request: HttpRequest) -> HttpResponse:
    if current_membership(request):
        return redirect("dashboard:home")
    memberships = selectors.memberships_of(user=request.user, order_by="-created_at")
    return render(request, "accounts/pending.html", {"memberships": memberships})


@company_member_required(right="manage_members")
def members(request: HttpRequest) -> HttpResponse:
    company = request.company
    form = InvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.invitation_create(company=company, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error("email", error)
        else:
            messages.success(request, _("Invitația a fost trimisă la %(email)s.") % form.cleaned_data)
            return redirect("accounts:members")
    page = paginate(request, selectors.active_members(company=company), per_page=MEMBERS_PER_PAGE)
    waiting = selectors.membership_requests(company=company)
    invitations = selectors.open_invitations(company=company)
    return render(
        request,
        "accounts/members.html",
        {
            "page": page,
            "waiting": waiting,
            "invitations": invitations,
            "form": form,
            "invitation_days": settings.INVITATION_VALID_DAYS,
        },
    )


def _company_membership(request, public_id) -> Membership:
    return get_object_or_404(selectors.memberships_for_detail(company=request.company), public_id=public_id)


@company_member_required(right="manage_members")
def member_edit(request: HttpRequest, public_id) -> HttpResponse:
    membership = _company_membership(request, public_id)
    if membership.status != Membership.Status.ACTIVE:
        raise Http404
    initial = {
        "role": membership.role,
        "can_accept_offers": membership.can_accept_offers,
        "can_see_billing": membership.can_see_billing,
        "job_title": membership.job_title,
    }
    form = MembershipForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.membership_update(membership=membership, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Drepturile lui %(name)s au fost actualizate.") % {"name": membership.user})
            return redirect("accounts:members")
    return render(request, "accounts/member_edit.html", {"membership": membership, "form": form})


@require_POST
@company_member_required(right="manage_members")
def member_remove(request: HttpRequest, public_id) -> HttpResponse:
    membership = _company_membership(request, public_id)
    try:
        services.membership_remove(membership=membership, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("%(name)s nu mai are acces la companie.") % {"name": membership.user})
    return redirect("accounts:members")


@require_POST
@company_member_required(right="manage_members")
def member_approve(request: HttpRequest, public_id) -> HttpResponse:
    membership = _company_membership(request, public_id)
    try:
        services.membership_approve(membership=membership, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("%(name)s are acum acces la portal.") % {"name": membership.user})
    return redirect("accounts:members")


@require_POST
@company_member_required(right="manage_members")
def member_reject(request: HttpRequest, public_id) -> HttpResponse:
    membership = _company_membership(request, public_id)
    try:
        services.membership_reject(membership=membership, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Cererea lui %(name)s a fost respinsă.") % {"name": membership.user})
    return redirect("accounts:members")


@require_POST
@company_member_required(right="manage_members")
def invitation_revoke(request: HttpRequest, public_id) -> HttpResponse:
    invitation = get_object_or_404(Invitation.objects.for_company(request.company), public_id=public_id)
    services.invitation_revoke(invitation=invitation, by=request.user)
    messages.success(request, _("Invitația pentru %(email)s a fost anulată.") % {"email": invitation.email})
    return redirect("accounts:members")


def invitation(request: HttpRequest, token: str) -> HttpResponse:
    """The emailed link: join with the current account, or create one, or log in first."""
    invitation = services.invitation_for_token(token)
    if invitation is None or not invitation.is_open:
        return render(request, "accounts/invitation_invalid.html", status=404)
    user = request.user
    account_exists = User.objects.filter(email__iexact=invitation.email).exists()
    signup_form = None
    if user.is_authenticated:
        if request.method == "POST":
            return _join_invited_company(request, token)
    elif not account_exists:
        signup_form = InvitationSignupForm(request.POST or None, email=invitation.email)
        if request.method == "POST" and signup_form.is_valid():
            return _sign_up_and_join(request, token, signup_form.cleaned_data)
    return render(
        request,
        "accounts/invitation.html",
        {
            "invitation": invitation,
            "account_exists": account_exists,
            "form": signup_form,
            "email_matches": user.is_authenticated and user.email.lower() == invitation.email.lower(),
        },
    )


def _join_invited_company(request: HttpRequest, token: str) -> HttpResponse:
    try:
        membership = services.invitation_accept(token=token, user=request.user)
    except services.InvitationNotOpen as error:
        messages.error(request, str(error))
        return redirect("dashboard:home")
    choose_company(request, membership)
    messages.success(request, _("Bun venit în %(company)s!") % {"company": membership.company})
    return redirect("dashboard:home")


def _sign_up_and_join(request: HttpRequest, token: str, data: dict) -> HttpResponse:
    try:
        membership = services.invitation_signup(
            token=token,
            first_name=data["first_name"],
            last_name=data["last_name"],
            phone=data["phone"],
            password=data["password1"],
        )
    except services.InvitationNotOpen as error:
        messages.error(request, str(error))
        return redirect("account_login")
    login(request, membership.user, backend="django.contrib.auth.backends.ModelBackend")
    choose_company(request, membership)
    messages.success(request, _("Contul a fost creat. Bun venit în %(company)s!") % {"company": membership.company})
    return redirect("dashboard:home")


@require_POST
@login_required
def switch_company(request: HttpRequest) -> HttpResponse:
    try:
        company_id = uuid.UUID(request.POST.get("company", ""))
    except ValueError as error:
        raise Http404 from error
    membership = get_object_or_404(selectors.active_memberships_of(user=request.user), company__public_id=company_id)
    choose_company(request, membership)
    messages.success(request, _("Lucrați acum pentru %(company)s.") % {"company": membership.company})
    return redirect("dashboard:home")


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    user = request.user
    initial = {
        "first_name": user.first_name,
        "last_name": user.last_name,
        "phone": user.phone,
        "language": user.language,
    }
    form = ProfileForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        services.profile_update(user=user, **form.cleaned_data)
        messages.success(request, _("Profilul a fost salvat."))
        response = redirect("accounts:profile")
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            user.language,
            max_age=365 * 24 * 3600,
            secure=settings.LANGUAGE_COOKIE_SECURE,
            samesite=settings.LANGUAGE_COOKIE_SAMESITE,
        )
        return response
    memberships = selectors.memberships_of(user=user)
    return render(request, "accounts/profile.html", {"form": form, "memberships": memberships})


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Django's set_language, remembering the choice on the profile of a logged-in user."""
    if request.user.is_authenticated:
        services.set_language(user=request.user, language=request.POST.get("language", ""))
    return django_set_language(request)
