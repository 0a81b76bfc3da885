from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from files.admin import document_links
from portal.admin_actions import run_service_for_each
from portal.forms import NUMBER_FIELD_OVERRIDES
from shipments import services
from shipments.models import Carrier, Shipment, ShipmentItem, TrackingEvent


@admin.register(Carrier)
class CarrierAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "tracking_url_pattern", "phone", "is_active")
    list_filter = ("is_active",)
    search_fields = ("name", "code")
    prepopulated_fields = {"code": ("name",)}


class ShipmentItemInline(admin.TabularInline):
    model = ShipmentItem
    formfield_overrides = NUMBER_FIELD_OVERRIDES
    extra = 0
    fields = ("position", "product", "code", "quantity", "unit")


class TrackingEventForm(forms.ModelForm):
    class Meta:
        model = TrackingEvent
        fields = ("occurred_at", "status", "place", "note")

    def clean_occurred_at(self):
        occurred_at = self.cleaned_data["occurred_at"]
        if occurred_at and occurred_at > timezone.now() + timezone.timedelta(minutes=10):
            raise ValidationError(_("Ora evenimentului este în viitor."))
        return occurred_at


class TrackingEventInline(admin.TabularInline):
    model = TrackingEvent
    form = TrackingEventForm
    extra = 0
    fields = ("occurred_at", "status", "place", "note", "source", "external_id", "created_by")
    readonly_fields = ("source", "external_id", "created_by")
    ordering = ("-occurred_at", "-id")
    verbose_name_plural = _("evenimente de urmărire (starea expedierii urmează ultimul eveniment, după oră)")


class ShipmentForm(forms.ModelForm):
    class Meta:
        model = Shipment
        fields = (
            "company",
            "number",
            "contract",
            "project",
            "offer",
            "invoice",
            "carrier",
            "awb",
            "packages",
            "weight_kg",
            "delivery_address",
            "delivery_city",
            "delivery_county",
            "contact_name",
            "contact_phone",
            "notes",
            "planned_ship_date",
            "planned_delivery_date",
        )

    def clean(self):
        data = super().clean()
        company = data.get("company")
        for field in ("contract", "project", "offer", "invoice"):
            linked = data.get(field)
            if linked is not None and company is not None and linked.company_id != company.pk:
                self.add_error(field, _("Aparține altei companii decât expedierea."))
        carrier, awb = data.get("carrier"), data.get("awb")
        if awb and carrier is None:
            self.add_error("carrier", _("Alegeți transportatorul care a emis AWB-ul."))
        return data


class IsSetFilter(admin.SimpleListFilter):
    field = ""

    def lookups(self, request, model_admin):
        return [("da", _("da")), ("nu", _("nu"))]

    def queryset(self, request, queryset):
        if self.value() in ("da", "nu"):
            return queryset.filter(**{f"{self.field}__isnull": self.value() == "nu"})
        return queryset


class ReceivedFilter(IsSetFilter):
    title = _("primire confirmată de client")
    parameter_name = "primita"
    field = "received_at"


class ProblemFilter(IsSetFilter):
    title = _("problemă raportată")
    parameter_name = "problema"
    field = "problem_ticket_id"


@admin.register(Shipment)
class ShipmentAdmin(admin.ModelAdmin):
    formfield_overrides = NUMBER_FIELD_OVERRIDES
    form = ShipmentForm
    list_display = (
        "number",
        "company",
        "status",
        "carrier",
        "awb",
        "delivery_city",
        "shipped_at",
        "delivered_at",
        "received_at",
        "receipt_kind",
    )
    list_filter = ("status", "carrier", ReceivedFilter, "receipt_kind", ProblemFilter)
    search_fields = ("number", "awb", "company__name", "company__cui", "delivery_city")
    list_select_related = ("company", "carrier")
    autocomplete_fields = ("company", "contract")
    raw_id_fields = ("project", "offer", "invoice")
    date_hierarchy = "created_at"
    readonly_fields = (
        "status",
        "last_event_at",
        "shipped_at",
        "delivered_at",
        "tracking_link",
        "received_at",
        "received_by",
        "receipt_kind",
        "problem_ticket_id",
        "problem_reported_at",
        "documents_link",
        "created_at",
        "updated_at",
    )
    fieldsets = (
        (None, {"fields": ("company", "number", ("contract", "project"), ("offer", "invoice"), "status")}),
        (_("Transport"), {"fields": (("carrier", "awb"), "tracking_link", ("packages", "weight_kg"))}),
        (
            _("Livrare"),
            {
                "fields": (
                    "delivery_address",
                    ("delivery_city", "delivery_county"),
                    ("contact_name", "contact_phone"),
                    "notes",
                )
            },
        ),
        (
            _("Date"),
            {
                "fields": (
                    ("planned_ship_date", "planned_delivery_date"),
                    ("shipped_at", "delivered_at"),
                    "last_event_at",
                )
            },
        ),
        (
            _("Clientul"),
            {"fields": (("received_at", "received_by", "receipt_kind"), ("problem_ticket_id", "problem_reported_at"))},
        ),
        (None, {"fields": ("documents_link", ("created_at", "updated_at"))}),
    )
    inlines = [ShipmentItemInline, TrackingEventInline]
    actions = ["mark_shipped", "mark_delivered"]

    @admin.display(description=_("urmărire la curier"))
    def tracking_link(self, obj):
        url = obj.tracking_url if obj.pk else ""
        if not url:
            return "—"
        return format_html('<a href="{}" target="_blank" rel="noopener noreferrer">{}</a>', url, url)

    @admin.display(description=_("documente de livrare"))
    def documents_link(self, obj):
        if not obj.pk:
            return _("Salvați expedierea, apoi atașați avizul, dovada de livrare sau fotografii.")
        return document_links(obj, category="livrare", listing_label=_("Vezi documentele expedierilor"))

    def save_formset(self, request, form, formset, change):
        for row in formset.save(commit=False):
            if isinstance(row, TrackingEvent) and row.pk is None:
                row.created_by, row.source = request.user, TrackingEvent.Source.STAFF
            row.save()
        for row in formset.deleted_objects:
            row.delete()

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        shipment = form.instance
        if "company" in form.changed_data:  # rows the formsets did not touch follow the shipment too
            services.shipment_moved(shipment=shipment)
        services.shipment_refresh(shipment=shipment)

    @admin.action(description=_("Marchează expediate (predate curierului acum)"))
    def mark_shipped(self, request, queryset):
        run_service_for_each(
            self,
            request,
            queryset,
            services.shipment_mark_shipped,
            argument="shipment",
            message=lambda n: ngettext("%d expediere marcată expediată.", "%d expedieri marcate expediate.", n) % n,
        )

    @admin.action(description=_("Marchează livrate (acum)"))
    def mark_delivered(self, request, queryset):
        run_service_for_each(
            self,
            request,
            queryset,
            services.shipment_mark_delivered,
            argument="shipment",
            message=lambda n: ngettext("%d expediere marcată livrată.", "%d expedieri marcate livrate.", n) % n,
        )


@admin.register(TrackingEvent)
class TrackingEventAdmin(admin.ModelAdmin):
    """Every event, e.g. to check an import. Events change in their shipment's page (its status follows)."""

    list_display = ("shipment", "occurred_at", "status", "place", "source", "carrier", "external_id")
    list_filter = ("status", "source", "carrier")
    search_fields = ("shipment__number", "shipment__awb", "external_id", "place")
    list_select_related = ("shipment", "carrier")
    date_hierarchy = "occurred_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
