from allauth.mfa.models import Authenticator
from django import forms
from django.contrib import admin
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts import privacy, services
from accounts.models import Company, DataExport, Invitation, Membership, User
from accounts.validators import normalize_cui, normalize_iban, normalize_reg_com
from portal.admin_actions import run_for_each, run_service_for_each
from portal.forms import NUMBER_FIELD_OVERRIDES
from portal.money import format_file_size


def name_authenticators_in_romanian() -> None:
    """allauth.mfa's Authenticator declares no verbose names, so its admin read "Authenticators",
    "Created at", "Last used at". Only the names the admin shows change: migrations read
    ``_meta.original_attrs`` and each field's ``_verbose_name``, which keep allauth's values."""
    meta = Authenticator._meta
    meta.verbose_name = _("metodă de autentificare în doi pași")
    meta.verbose_name_plural = _("metode de autentificare în doi pași")
    labels = {
        "user": _("utilizator"),
        "type": _("tip"),
        "data": _("date"),
        "created_at": _("adăugată la"),
        "last_used_at": _("folosită ultima dată la"),
    }
    for name, label in labels.items():
        meta.get_field(name).verbose_name = label


name_authenticators_in_romanian()


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
    actions = ["export_personal_data", "anonymise"]

    @admin.action(description=_("Exportă datele personale (ZIP)"))
    def export_personal_data(self, request, queryset):
        run_for_each(
            self,
            request,
            queryset,
            lambda user: privacy.export_request(user=user, requested_by=request.user),
            lambda n: (
                ngettext(
                    "%(n)d export cerut; îl găsiți în „Exporturi de date personale”.",
                    "%(n)d exporturi cerute; le găsiți în „Exporturi de date personale”.",
                    n,
                )
                % {"n": n}
            ),
        )

    @admin.action(description=_("Anonimizează (închide contul)"))
    def anonymise(self, request, queryset):
        if request.POST.get("confirm") != "yes":  # irreversible: a confirmation page first
            context = {**self.admin_site.each_context(request), "users": queryset, "opts": self.model._meta}
            return TemplateResponse(request, "admin/accounts/user/anonymise_confirm.html", context)
        run_for_each(
            self,
            request,
            queryset,
            lambda user: privacy.account_close(user=user, by=request.user),
            lambda n: ngettext("%(n)d persoană anonimizată.", "%(n)d persoane anonimizate.", n) % {"n": n},
        )
        return None


@admin.register(DataExport)
class DataExportAdmin(admin.ModelAdmin):
    formfield_overrides = NUMBER_FIELD_OVERRIDES
    list_display = ("user", "requested_by", "status", "file_size", "created_at", "expires_at", "download")
    list_filter = ("status",)
    search_fields = ("user__email", "user__last_name")
    list_select_related = ("user", "requested_by")
    readonly_fields = (
        "user",
        "requested_by",
        "status",
        "file_size",
        "created_at",
        "ready_at",
        "expires_at",
        "download",
    )
    exclude = ("file",)

    def has_add_permission(self, request):
        return False  # made by the export service (the user's page or the user admin's action)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # apply_retention deletes them with their file; a deleted row would leave the file behind

    @admin.display(description=_("mărime"), ordering="size")
    def file_size(self, obj):
        return format_file_size(obj.size)

    @admin.display(description=_("descărcare"))
    def download(self, obj):
        if not obj.is_ready:
            return "—"
        url = reverse("accounts:data_export_download", kwargs={"public_id": obj.public_id})
        return format_html('<a href="{}">{}</a>', url, _("Descarcă"))
