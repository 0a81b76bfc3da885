from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QuotesConfig(AppConfig):
    name = "quotes"
    verbose_name = _("Cereri de ofertă și oferte")

    def ready(self):
        from files.links import register

        register("quotes.Offer", _("Ofertă"))
