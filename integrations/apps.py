from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntegrationsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "integrations"
    verbose_name = _("Integrare ERP")

    def ready(self):
        # The sections publish through the floor and know nothing of webhooks: the ERP side listens here.
        from integrations import webhooks
        from portal import events

        events.subscribe(webhooks.on_event)
