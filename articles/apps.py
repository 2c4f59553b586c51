from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ArticlesConfig(AppConfig):
    name = "articles"
    verbose_name = _("Articles")

    def ready(self):
        # The search index and the social images follow saves once their transaction commits.
        from articles import search_index, social  # noqa: F401
