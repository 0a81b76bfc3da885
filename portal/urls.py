from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path

from portal import views

# Staff log in to admin through allauth's login: the same rate limits and two-factor.
admin.site.login = secure_admin_login(admin.site.login)
admin.site.site_header = "Portal clienți — administrare"
admin.site.site_title = "Portal clienți"


portal_patterns = [
    path("", views.dashboard, name="dashboard"),
]

urlpatterns = [
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
]
