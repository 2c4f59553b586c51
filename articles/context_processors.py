from django.utils.functional import SimpleLazyObject

from articles.models import SiteSettings


def site(request):
    # Lazy: pages that never print the site's name (the admin, feeds) never load it.
    return {"site": SimpleLazyObject(SiteSettings.load)}
