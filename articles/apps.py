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
        from django.db.models.signals import post_migrate

        from articles import search_index
        from sitewide.caching import register_schedule

        # A language added to LANGUAGES gets its search index after the next `migrate`.
        post_migrate.connect(search_index.ensure_storage, sender=self)

        # The page cache keeps no copy past the next scheduled article.
        register_schedule(next_scheduled_article)
        # An invited person gets an Author profile.
        from articles import profiles  # noqa: F401
