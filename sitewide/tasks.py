"""The site-wide consumers of `content_changed` (see sitewide/changes.py)."""

from django.conf import settings

from sitewide.caching import bump_content_version
from sitewide.changes import consumer, refreshes
from sitewide.social import make_site_images


@consumer
def invalidate_pages(keys):
    # What pages read besides the rows (the search index) first: the one bump below then also
    # drops a search page rendered from the old index, and nobody bumps a second time.
    failed = None
    for refresh in refreshes():
        try:
            refresh(keys)
        except Exception as error:  # re-raised below, after the bump
            failed = error
    # One version for every page until pages are keyed on what they show (issue 23).
    bump_content_version()
    if failed is not None:
        # A broken index must not keep every page stale: bumped already; the queue retries
        # (refresh, then bump, again).
        raise failed


@consumer
def draw_site_cards(keys):
    if settings.SOCIAL_IMAGES and "settings" in keys:
        make_site_images()
