from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path

from portal import health, views

# Staff log in to admin through allauth's login: the same rate limits and two-factor.
admin.site.login = secure_admin_login(admin.site.login)
admin.site.site_header = "Portal clienți — administrare"
admin.site.site_title = "Portal clienți"


portal_patterns = [
    path("notificari/", views.notifications, name="notifications"),
    path("notificari/citite/", views.notifications_read_all, name="notifications_read_all"),
    path("notificari/preferinte/", views.notification_settings, name="notification_settings"),
    path("notificari/<uuid:public_id>/deschide/", views.notification_open, name="notification_open"),
    path("health/", health.health, name="health"),
    path("health/worker/", health.health_worker, name="health_worker"),
]

urlpatterns = [
    path("", include("dashboard.urls")),
    path("", include((portal_patterns, "portal"))),
    path("admin/", admin.site.urls),
    path("cont/", include("allauth.urls")),
    path("cont/", include("accounts.urls")),
    path("", include("quotes.urls")),
    path("proiecte/", include("projects.urls")),
    path("facturi/", include("billing.urls")),
    path("contracte/", include("contracts.urls")),
    path("suport/", include("support.urls")),
    path("expedieri/", include("shipments.urls")),
    path("fisiere/", include("files.urls")),
    path("", include("integrations.urls")),
]

handler403 = "portal.errors.permission_denied"
handler404 = "portal.errors.page_not_found"
handler500 = "portal.errors.server_error"
