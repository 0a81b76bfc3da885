from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ShipmentsConfig(AppConfig):
    name = "shipments"
    verbose_name = _("Expedieri")

    def ready(self):
        from files.links import register

        register("shipments.Shipment", _("Expediere"))
