from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BillingConfig(AppConfig):
    name = "billing"
    verbose_name = _("Facturi și plăți")

    def ready(self):
        from files.links import register

        # Documents linked to an invoice (delivery notes, reports) show only to members with the billing right.
        register("billing.Invoice", _("Factură"), right="billing")
