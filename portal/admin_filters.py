"""Admin list filters the sections share."""

from django.contrib import admin


def display_status_filter(model, title) -> type[admin.SimpleListFilter]:
    """Filter on the status the client sees (``model.DisplayStatus``), through the queryset's
    ``with_display_status``: the section's one definition of each status, as its list pages use it."""

    class DisplayStatusFilter(admin.SimpleListFilter):
        parameter_name = "display_status"

        def lookups(self, request, model_admin):
            return model.DisplayStatus.choices

        def queryset(self, request, queryset):
            return queryset.with_display_status(self.value()) if self.value() else queryset

    DisplayStatusFilter.title = title
    return DisplayStatusFilter
