from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def next_scheduled_article():
    from django.db.models import Min

    from articles.models import Article

    return Article.objects.scheduled().aggregate(next_at=Min("published_at"))["next_at"]


class ArticlesConfig(AppConfig):
    name = "articles"
    verbose_name = _("Articles")

    def ready(self):
        from sitewide.caching import register_schedule

        # The page cache keeps no copy past the next scheduled article.
        register_schedule(next_scheduled_article)
        # The search index and the social images follow saves once their transaction commits.
        from articles import profiles, search_index, social  # noqa: F401
