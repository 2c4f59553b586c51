from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ArticlesConfig(AppConfig):
    name = "articles"
    verbose_name = _("Articles")

    def ready(self):
        # The search index follows saved articles and tags once their transaction commits.
        from articles import search_index  # noqa: F401
