"""The site-wide consumers of `content_changed` (see sitewide/changes.py)."""

from django.conf import settings

from sitewide.caching import bump_content_version
from sitewide.changes import consumer
from sitewide.social import make_site_images


@consumer
def invalidate_pages(keys):
    # One version for every page until pages are keyed on what they show (issue 23).
    bump_content_version()


@consumer
def draw_site_cards(keys):
    if settings.SOCIAL_IMAGES and "settings" in keys:
        make_site_images()
