from django.utils.functional import SimpleLazyObject

from sitewide.metadata import listing_meta
from sitewide.models import SiteSettings


def site(request):
    # Lazy: pages that never print the site's name (the admin, feeds) never load it.
    site_settings = SimpleLazyObject(SiteSettings.load)
    return {"site": site_settings, "default_meta": SimpleLazyObject(lambda: default_meta(request))}


def default_meta(request):
    """What a page without its own description says about itself: the site's name and pitch."""
    site_settings = SiteSettings.load()
    return listing_meta(
        request, site_settings, site_settings.name, site_settings.tagline, schema_type="WebPage"
    )
