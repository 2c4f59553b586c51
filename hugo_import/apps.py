from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HugoImportConfig(AppConfig):
    name = "hugo_import"
    verbose_name = _("Hugo import")
