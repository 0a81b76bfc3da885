from django import forms
from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from contracts import services
from contracts.models import Annex, Contract, ExpiryNotice
from files.admin import document_links
from portal.admin_actions import run_service_for_each
from portal.admin_filters import display_status_filter
from portal.forms import NUMBER_FIELD_OVERRIDES
from portal.money import money_column


class ContractAdminForm(forms.ModelForm):
    class Meta:
        model = Contract
        fields = (
            "company",
            "number",
            "kind",
            "title",
            "status",
            "offer",
            "signed_on",
            "start_date",
            "end_date",
            "terminated_on",
            "value",
            "currency",
            "payment_terms",
            "description",
        )

    def clean(self):
        data = super().clean()
        offer, company = data.get("offer"), data.get("company")
        if offer is not None and company is not None and offer.company_id != company.pk:
            self.add_error("offer", _("Oferta aparține altei companii."))
        return data


class AnnexInline(admin.StackedInline):
    model = Annex
    formfield_overrides = NUMBER_FIELD_OVERRIDES
    extra = 0
    fields = (("number", "title"), ("signed_on", "effective_date"), ("value_change", "new_end_date"), "description")


@admin.register(Contract)
class ContractAdmin(admin.ModelAdmin):
    formfield_overrides = NUMBER_FIELD_OVERRIDES
    list_display = (
        "number",
        "title",
        "company",
        "kind",
        "status_label",
        "start_date",
        "current_end_date",
        money_column("current_value", _("valoare")),
    )
    list_filter = (display_status_filter(Contract, _("stare (după date)")), "status", "kind", "currency")
    search_fields = ("number", "title", "company__name", "company__cui")
    list_select_related = ("company",)
    autocomplete_fields = ("company",)
    raw_id_fields = ("offer",)
    form = ContractAdminForm
    date_hierarchy = "current_end_date"
    readonly_fields = (
        "current_end_date",
        "current_value",
        "documents_link",
        "renewal_links",
        "created_at",
        "updated_at",
    )
    fieldsets = (
        (None, {"fields": ("company", ("number", "kind"), "title", "status", "offer")}),
        (_("Perioadă"), {"fields": (("signed_on", "start_date", "end_date"), "terminated_on", "current_end_date")}),
        (_("Valoare"), {"fields": (("value", "currency"), "current_value", "payment_terms")}),
        (None, {"fields": ("description", "documents_link", "renewal_links")}),
    )
    inlines = [AnnexInline]
    actions = ["activate", "terminate"]

    @admin.display(description=_("stare"))
    def status_label(self, obj):
        return obj.display_status_label

    @admin.display(description=_("cereri de reînnoire"))
    def renewal_links(self, obj):
        if not obj.pk:
            return "—"
        requests = obj.renewal_requests.order_by("-created_at")
        return (
            format_html_join(
                mark_safe("<br>"),
                '<a href="{}">{}</a> — {}',
                (
                    (reverse("admin:quotes_quoterequest_change", args=[r.pk]), r.number, r.get_status_display())
                    for r in requests
                ),
            )
            or "—"
        )

    @admin.display(description=_("documente semnate"))
    def documents_link(self, obj):
        if not obj.pk:
            return _("Salvați contractul, apoi atașați documentele.")
        return document_links(obj, category="contractual", listing_label=_("Vezi documentele contractelor"))

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        services.contract_refresh(contract=form.instance)

    @admin.action(description=_("Activează contractele selectate (devin vizibile clientului)"))
    def activate(self, request, queryset):
        run_service_for_each(
            self,
            request,
            queryset,
            services.contract_activate,
            argument="contract",
            message=lambda n: ngettext("%d contract activat.", "%d contracte activate.", n) % n,
        )

    @admin.action(description=_("Reziliază contractele selectate (de azi)"))
    def terminate(self, request, queryset):
        run_service_for_each(
            self,
            request,
            queryset,
            services.contract_terminate,
            argument="contract",
            message=lambda n: ngettext("%d contract reziliat.", "%d contracte reziliate.", n) % n,
        )


@admin.register(ExpiryNotice)
class ExpiryNoticeAdmin(admin.ModelAdmin):
    formfield_overrides = NUMBER_FIELD_OVERRIDES
    list_display = ("contract", "days_before", "end_date", "created_at")
    list_filter = ("days_before",)
    search_fields = ("contract__number", "contract__company__name")
    list_select_related = ("contract",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
