from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContractsConfig(AppConfig):
    name = "contracts"
    verbose_name = _("Contracte")

    def ready(self):
        from files.links import register

        register("contracts.Contract", _("Contract"))
        register("contracts.Annex", _("Act adițional"), select_related=("contract",))
