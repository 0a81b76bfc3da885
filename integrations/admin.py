from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from integrations import keys, services
from integrations.models import SCOPE_CHOICES, Integration


class IntegrationForm(forms.ModelForm):
    scopes = forms.MultipleChoiceField(
        label=_("drepturi"), choices=SCOPE_CHOICES, widget=forms.CheckboxSelectMultiple, required=False
    )

    class Meta:
        model = Integration
        fields = ("name", "scopes", "allowed_networks")

    def clean_allowed_networks(self):
        value = self.cleaned_data["allowed_networks"]
        keys.parse_networks(value)
        return value.strip()


@admin.register(Integration)
class IntegrationAdmin(admin.ModelAdmin):
    """Staff create the ERP's key here: it is shown once, in the message after saving, and kept hashed."""

    form = IntegrationForm
    list_display = ("name", "key_prefix", "scope_list", "active", "last_used_at", "last_used_ip", "created_at")
    list_filter = ("revoked_at",)
    search_fields = ("name", "key_prefix")
    readonly_fields = ("key_prefix", "revoked_at", "last_used_at", "last_used_ip", "created_by", "created_at")
    actions = ["revoke", "rotate_key"]

    @admin.display(description=_("drepturi"))
    def scope_list(self, obj):
        return ", ".join(obj.scopes) or "—"

    @admin.display(description=_("activă"), boolean=True)
    def active(self, obj):
        return obj.is_active

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        integration, key = services.integration_create(
            name=obj.name,
            scopes=form.cleaned_data["scopes"],
            allowed_networks=obj.allowed_networks,
            by=request.user,
        )
        obj.pk, obj.key_prefix = integration.pk, integration.key_prefix
        self._show_key(request, integration, key)

    def _show_key(self, request, integration, key):
        self.message_user(
            request,
            format_html(
                "{} <code>{}</code>",
                _("Cheia integrării „%(name)s” (copiați-o acum: nu mai este afișată):") % {"name": integration.name},
                key,
            ),
            messages.WARNING,
        )

    @admin.action(description=_("Revocă cheile integrărilor selectate"))
    def revoke(self, request, queryset):
        for integration in queryset:
            services.integration_revoke(integration=integration, by=request.user)
        count = queryset.count()
        self.message_user(request, ngettext("%d integrare revocată.", "%d integrări revocate.", count) % count)

    @admin.action(description=_("Generează o cheie nouă (cea veche nu mai funcționează)"))
    def rotate_key(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, _("Alegeți o singură integrare."), messages.ERROR)
            return
        integration = queryset.get()
        try:
            key = services.integration_rotate_key(integration=integration, by=request.user)
        except ValidationError as error:
            self.message_user(request, error.messages[0], messages.ERROR)
            return
        self._show_key(request, integration, key)
