from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Conturi și companii")

    def ready(self):
        from allauth.account.signals import email_confirmed

        from accounts import receivers

        email_confirmed.connect(receivers.email_confirmed, dispatch_uid="accounts.registration_email_verified")
