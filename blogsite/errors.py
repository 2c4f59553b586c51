"""The site's own error pages: what a reader who followed a wrong link can do next."""

import difflib

from django.core.exceptions import BadRequest
from django.http import JsonResponse
from django.shortcuts import render
from django.urls import Resolver404, resolve
from django.views import defaults
from modeltranslation.utils import build_localized_fieldname as localized

from articles.models import Article
from sitewide.languages import site_languages

RECENT = 5
# Slugs compared with a mistyped one: those sharing its first letters, newest first. A
# crawler's 404s must not read the whole archive.
CANDIDATES = 300
SAME_START = 3


API_PREFIX = "/api/"


def bad_request(request, exception=None):
    if request.path_info.startswith(API_PREFIX):
        # A program reads the answer: JSON, as the API's own errors are. Only our own
        # messages are repeated; Django's (a refused Host, say) name what the client sent.
        said = str(exception) if type(exception) is BadRequest else ""
        return JsonResponse({"detail": said or "The request could not be understood."}, status=400)
    return defaults.bad_request(request, exception)


def page_not_found(request, exception=None):
    if request.path_info.startswith(API_PREFIX):
        return JsonResponse({"detail": "No such address in the API."}, status=404)
    wanted = requested_slug(request.path_info)
    context = {
        "query": wanted.replace("-", " ") if wanted else "",
        "nearest": nearest_article(wanted) if wanted else None,
        "recent": recent_titles(),
    }
    return render(request, "404.html", context, status=404)


def recent_titles():
    """The newest articles' titles and addresses: all a 404 lists (crawlers ask for many
    addresses that are gone, so it reads no card, tag or author)."""
    titles = [localized("title", code) for code in site_languages()]
    return Article.objects.live().listed().only("slug", "published_at", *titles)[:RECENT]


def requested_slug(path):
    """The slug of an article address, whether or not it exists, else ''."""
    try:
        match = resolve(path)
    except Resolver404:
        return ""
    return match.kwargs.get("slug", "") if match.url_name == "detail" else ""


def nearest_article(slug):
    candidates = list(
        Article.objects.live()
        .listed()
        .filter(slug__startswith=slug[:SAME_START])
        .order_by("-published_at")
        .values_list("slug", flat=True)[:CANDIDATES]
    )
    close = difflib.get_close_matches(slug, candidates, n=1, cutoff=0.6)
    return Article.objects.listing().filter(slug=close[0]).first() if close else None
