"""Social preview images for series, and for articles whose place in a series changes."""

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils import translation
from django.utils.translation import gettext as _

from articles.social import make_article_images
from series.models import Series, SeriesPart
from sitewide.models import SiteSettings
from sitewide.social import (
    Card,
    after_commit,
    delete_images,
    image_name,
    languages,
    save_card,
)


def make_series_images(series_id):
    series = Series.objects.filter(pk=series_id).first()
    if series is None:
        return
    site = SiteSettings.load()
    for language in languages():
        with translation.override(language):
            card = Card(
                title=series.title,
                eyebrow=_("Series"),
                footer=site.name,
                cover_name=series.cover_image.name or "",
            )
        save_card(image_name("series", series.pk, language), card)


@receiver(post_save, sender=Series, dispatch_uid="social-series-saved")
def series_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        pk = instance.pk
        after_commit(lambda: make_series_images(pk))


@receiver(post_delete, sender=Series, dispatch_uid="social-series-deleted")
def series_deleted(sender, instance, **kwargs):
    pk = instance.pk
    transaction.on_commit(lambda: delete_images("series", pk))


@receiver(post_save, sender=SeriesPart, dispatch_uid="social-part-saved")
@receiver(post_delete, sender=SeriesPart, dispatch_uid="social-part-deleted")
def part_changed(sender, instance, raw=False, **kwargs):
    # The article's card names its series and part number.
    if not raw:
        article_id = instance.article_id
        after_commit(lambda: make_article_images(article_id))
