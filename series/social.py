"""Social preview images for series, and for articles whose place in a series changes."""

from django.utils import translation
from django.utils.translation import gettext as _

from series.models import Series
from sitewide.models import SiteSettings
from sitewide.social import (
    Card,
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
