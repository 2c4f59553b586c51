from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SeriesConfig(AppConfig):
    name = "series"
    verbose_name = _("Series")

    def ready(self):
        # Series cards are drawn after their save commits.
        from series import social  # noqa: F401
