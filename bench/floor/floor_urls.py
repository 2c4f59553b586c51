"""The site's addresses and the bench's own: the site's shell with nothing in it."""

from django.conf.urls.i18n import i18n_patterns
from django.shortcuts import render
from django.urls import path

from blogsite.urls import urlpatterns as site_urls


def shell(request):
    """base.html as every page draws it (header, footer, metadata, language links), through
    the 404 page's template, without a query: what any page costs before its own content."""
    return render(request, "404.html", {})


urlpatterns = i18n_patterns(path("bench-shell/", shell)) + site_urls
