"""The series' consumer of `content_changed` (see sitewide/changes.py)."""

from django.conf import settings

from series.models import Series
from series.social import make_series_images
from sitewide.changes import consumer, ids
from sitewide.social import delete_images


@consumer
def draw_series_cards(keys):
    if not settings.SOCIAL_IMAGES:
        return
    for pk in ids(keys, "series"):
        if Series.objects.filter(pk=pk).exists():
            make_series_images(pk)
        else:
            delete_images("series", pk)
