from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("Portal")

    def ready(self):
        from portal import scope, search, security_log  # noqa: F401 (search registers its lookup)

        security_log.connect()
        scope.install()
