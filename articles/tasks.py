"""The articles' consumers of `content_changed` (see sitewide/changes.py).

The search index is refreshed by the page invalidation itself, before its one bump
(articles.search_index.refresh_changed, in CONTENT_CHANGE_REFRESHES).
"""

from django.conf import settings

from articles.models import Article
from articles.social import make_article_images
from sitewide.changes import consumer, ids
from sitewide.social import delete_images


@consumer
def draw_article_cards(keys):
    if not settings.SOCIAL_IMAGES:
        return
    for pk in ids(keys, "article"):
        if Article.objects.filter(pk=pk).exists():
            make_article_images(pk)
        else:
            delete_images("article", pk)


@consumer
def make_article_renditions(keys):
    """Cover and body renditions; a page shows the original until they exist."""
    for article in Article.objects.filter(pk__in=ids(keys, "article")):
        if article.cover_renditions_missing:
            Article.update_cover_renditions(article.pk)
        # Rendered bodies point at an original only while its renditions are missing.
        if article.body_images():
            Article.update_body_renditions(article.pk)
