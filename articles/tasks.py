"""The articles' consumers of `content_changed` (see sitewide/changes.py).

The search index is refreshed by the page invalidation itself, before its one bump
(articles.search_index.refresh_changed, in CONTENT_CHANGE_REFRESHES).
"""

from django.conf import settings

from articles import extensions, related
from articles.models import Article
from articles.social import make_article_images
from sitewide.changes import RENDERING_ONLY, changed, consumer, ids
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


@consumer
def refresh_related(keys):
    """The stored related reading of the articles a change may reorder (articles/related.py);
    the pages showing a list that changed are then invalidated by `related:<pk>`."""
    if "all" in keys:
        # A restore: anything may differ; each list is ranked again when next read.
        related.forget_all()
        return
    if RENDERING_ONLY in keys:
        return  # the ranking reads no rendered HTML
    article_pks = ids(keys, "article")
    grouped = extensions.grouped_articles(keys)
    if not article_pks and not grouped:
        return
    refreshed = related.refresh(sorted(related.affected(article_pks, grouped)))
    changed(*(f"related:{pk}" for pk in refreshed))
