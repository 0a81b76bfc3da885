from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from portal.models import AuditEntry, Notification, OutboundEmail, PendingTask


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records of what happened: staff read them, nobody edits them."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "action", "object_repr", "company", "user", "ip")
    list_filter = ("action", "created_at")
    search_fields = ("action", "object_repr", "object_id", "user__email", "company__name", "ip")
    list_select_related = ("company", "user")
    date_hierarchy = "created_at"


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "user", "company", "kind", "text", "read_at")
    list_filter = ("kind", ("read_at", admin.EmptyFieldListFilter))
    # The title is the text in Romanian at creation: what staff search for.
    search_fields = ("title", "user__email", "company__name")
    list_select_related = ("company", "user")
    fields = ("created_at", "user", "company", "kind", "text", "message", "params", "title", "url", "read_at", "key")
    readonly_fields = ("created_at", "text")

    @admin.display(description=_("text"))
    def text(self, notification: Notification) -> str:
        return notification.text


@admin.register(OutboundEmail)
class OutboundEmailAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "template", "to", "subject", "sent_at")
    list_filter = ("template", ("sent_at", admin.EmptyFieldListFilter))
    search_fields = ("to", "subject", "key")
    exclude = ("text", "html")  # an unsent message may hold a password reset or verification link


@admin.register(PendingTask)
class PendingTaskAdmin(ReadOnlyAdmin):
    """The outbox: tasks the broker refused (Redis down), re-sent by ``retry_pending_tasks``."""

    list_display = ("created_at", "task", "args", "attempts", "last_error")
    list_filter = ("task",)
    search_fields = ("task",)
