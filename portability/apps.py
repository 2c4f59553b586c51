from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortabilityConfig(AppConfig):
    """Everything that lets content leave: JSON Feed, the Content API, exports and backups.

    Sits above the content apps: it reads them, none of them knows it.
    """

    name = "portability"
    verbose_name = _("Portability")
