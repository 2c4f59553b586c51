"""The social preview card of an article (drawn by `sitewide.social`)."""

from django.utils import translation

from articles import extensions
from articles.models import Article
from sitewide.models import SiteSettings
from sitewide.social import Card, image_name, languages, save_card


def article_card(article, language, site):
    """The card of an article in a language; its series and part when it has one."""
    with translation.override(language):
        return Card(
            title=article.title,
            eyebrow=extensions.card_eyebrow(article),
            footer=site.name,
            cover_name=article.cover_image.name or "",
        )


def make_article_images(article_id):
    article = extensions.shape(Article.objects.filter(pk=article_id)).first()
    if article is None:
        return
    site = SiteSettings.load()
    for language in languages():
        save_card(
            image_name("article", article.pk, language), article_card(article, language, site)
        )
