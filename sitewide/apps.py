from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SitewideConfig(AppConfig):
    name = "sitewide"
    verbose_name = _("Site")

    def ready(self):
        # The one place that connects what follows a change.
        from sitewide import changes  # noqa: F401
