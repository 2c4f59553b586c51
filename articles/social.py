"""The social preview card of an article (drawn by `sitewide.social`)."""

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils import translation
from django.utils.translation import gettext as _

from articles.models import Article
from sitewide.models import SiteSettings
from sitewide.social import Card, after_commit, delete_images, image_name, languages, save_card


def article_card(article, language, site):
    """The card of an article in a language; its series and part when it has one."""
    with translation.override(language):
        part = getattr(article, "series_part", None)
        eyebrow = ""
        if part is not None:
            eyebrow = _("%(series)s · Part %(number)s") % {
                "series": part.series.title,
                "number": part.position,
            }
        return Card(
            title=article.title,
            eyebrow=eyebrow,
            footer=site.name,
            cover_name=article.cover_image.name or "",
        )


def make_article_images(article_id):
    # The reverse one-to-one of the series app, by name: articles imports no other app.
    article = (
        Article.objects.select_related("series_part__series").filter(pk=article_id).first()
        if hasattr(Article, "series_part")
        else Article.objects.filter(pk=article_id).first()
    )
    if article is None:
        return
    site = SiteSettings.load()
    for language in languages():
        save_card(
            image_name("article", article.pk, language), article_card(article, language, site)
        )


@receiver(post_save, sender=Article, dispatch_uid="social-article-saved")
def article_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        pk = instance.pk
        after_commit(lambda: make_article_images(pk))


@receiver(post_delete, sender=Article, dispatch_uid="social-article-deleted")
def article_deleted(sender, instance, **kwargs):
    pk = instance.pk
    transaction.on_commit(lambda: delete_images("article", pk))
