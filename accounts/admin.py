from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts import services
from accounts.models import Company, Invitation, Membership, User
from accounts.validators import normalize_cui, normalize_iban, normalize_reg_com
from portal.admin_actions import run_service_for_each


class MembershipInline(admin.TabularInline):
    model = Membership
    fk_name = "company"
    extra = 0
    fields = ("user", "role", "can_accept_offers", "can_see_billing", "status", "approved_at")
    readonly_fields = ("approved_at",)
    autocomplete_fields = ("user",)


class CompanyAdminForm(forms.ModelForm):
    """The identifiers as staff type or paste them, normalised before the checks (portal.normalize)."""

    class Meta:
        model = Company
        fields = "__all__"  # noqa: DJ007 - the admin's fieldsets decide what is shown

    def clean_cui(self):
        return normalize_cui(self.cleaned_data["cui"])

    def clean_reg_com(self):
        return normalize_reg_com(self.cleaned_data["reg_com"])

    def clean_iban(self):
        return normalize_iban(self.cleaned_data["iban"])


@admin.register(Company)
class CompanyAdmin(admin.ModelAdmin):
    form = CompanyAdminForm
    list_display = ("name", "cui", "reg_com", "city", "county", "status", "created_at")
    list_filter = ("status", "county")
    search_fields = ("name", "cui", "reg_com", "city")
    readonly_fields = ("public_id", "created_at", "approved_at")
    inlines = [MembershipInline]
    actions = ["approve", "reject"]

    @admin.action(description=_("Aprobă companiile selectate (și pe cei care le-au înregistrat)"))
    def approve(self, request, queryset):
        run_service_for_each(
            self,
            request,
            queryset,
            services.company_approve,
            argument="company",
            message=lambda n: ngettext("%d companie aprobată.", "%d companii aprobate.", n) % n,
        )

    @admin.action(description=_("Respinge companiile selectate"))
    def reject(self, request, queryset):
        run_service_for_each(
            self,
            request,
            queryset,
            services.company_reject,
            argument="company",
            message=lambda n: ngettext("%d companie respinsă.", "%d companii respinse.", n) % n,
        )


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "company", "role", "can_accept_offers", "can_see_billing", "status", "created_at")
    list_filter = ("status", "role", "can_accept_offers", "can_see_billing", "company__status")
    search_fields = ("user__email", "user__first_name", "user__last_name", "company__name", "company__cui")
    list_select_related = ("user", "company")
    autocomplete_fields = ("user", "company")
    readonly_fields = ("public_id", "created_at", "approved_at", "approved_by")
    actions = ["approve", "reject"]

    @admin.action(description=_("Aprobă cererile selectate"))
    def approve(self, request, queryset):
        run_service_for_each(
            self,
            request,
            queryset.select_related("company", "user"),
            services.membership_approve,
            argument="membership",
            message=lambda n: ngettext("%d cerere aprobată.", "%d cereri aprobate.", n) % n,
        )

    @admin.action(description=_("Respinge cererile selectate"))
    def reject(self, request, queryset):
        run_service_for_each(
            self,
            request,
            queryset.select_related("company", "user"),
            services.membership_reject,
            argument="membership",
            message=lambda n: ngettext("%d cerere respinsă.", "%d cereri respinse.", n) % n,
        )


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ("email", "company", "role", "invited_by", "created_at", "expires_at", "accepted_at", "revoked_at")
    list_filter = ("role", ("accepted_at", admin.EmptyFieldListFilter), ("revoked_at", admin.EmptyFieldListFilter))
    search_fields = ("email", "company__name")
    list_select_related = ("company", "invited_by")
    readonly_fields = ("public_id", "token_hash", "invited_by", "created_at", "accepted_at", "revoked_at")

    def has_add_permission(self, request):
        return False  # invitations carry a token that is only emailed: they are made by the service


class MembershipOfUserInline(MembershipInline):
    fk_name = "user"
    fields = ("company", "role", "can_accept_offers", "can_see_billing", "status", "approved_at")
    autocomplete_fields = ("company",)


@admin.register(User)
class UserAdmin(admin.ModelAdmin):
    list_display = ("email", "first_name", "last_name", "phone", "is_active", "is_staff", "last_login")
    list_filter = ("is_active", "is_staff", "is_superuser", "language")
    search_fields = ("email", "first_name", "last_name", "phone")
    ordering = ("email",)
    readonly_fields = ("last_login", "date_joined", "password")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Date personale"), {"fields": ("first_name", "last_name", "phone", "language")}),
        (_("Acces"), {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        (_("Date importante"), {"fields": ("last_login", "date_joined")}),
    )
    filter_horizontal = ("groups", "user_permissions")
    inlines = [MembershipOfUserInline]
