from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _install_stamp_triggers(sender, using, **kwargs):
    from dashboard.stamps import install_triggers

    install_triggers(using)


class DashboardConfig(AppConfig):
    name = "dashboard"
    verbose_name = _("Tablou de bord")

    def ready(self):
        # After every migrate, on every database it touched (see dashboard/stamps.py).
        post_migrate.connect(_install_stamp_triggers, sender=self, dispatch_uid="dashboard.stamp_triggers")
