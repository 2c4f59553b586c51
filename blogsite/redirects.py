"""Every redirect the site keeps (articles.Redirect) is answered here, and only for a 404: an old
address never shadows a page, and a page that is found costs no redirect query.

Here rather than in `articles` because an imported old address may lead to a series' page.
"""

import math

from django.db.models import Exists, F, OuterRef, Q
from django.http import HttpResponsePermanentRedirect
from django.urls import reverse
from django.utils import translation

from articles.models import Article, Redirect
from articles.views import PAGE_SIZE
from hugo_import.addresses import candidate_paths, taken_by_site


def live_page(queryset, first_item):
    """?page= for the page of a list here that holds the entry the old page started with."""
    if first_item <= 0:
        return ""
    last = max(1, math.ceil(queryset.count() / PAGE_SIZE))
    number = min(first_item // PAGE_SIZE + 1, last)
    return f"?page={number}" if number > 1 else ""


def list_target(old):
    """Our page for one of Hugo's list pages or feeds, or None when it shows nothing now."""
    kind, slug, Kind = old.kind, old.slug, Redirect.Kind  # noqa: N806 (the enum)
    live = Article.objects.live()
    if kind == Kind.HOME:
        return reverse("home") + live_page(live, old.first_item)
    simple = {
        Kind.FEED: "articles:feed",
        Kind.ARCHIVE: "articles:archive",
        Kind.SEARCH: "articles:search",
        Kind.TAGS: "articles:tags",
        Kind.SERIES_LIST: "series:list",
        Kind.AUTHORS: "articles:authors",
    }
    if kind in simple:
        return reverse(simple[kind])
    if kind in {Kind.TAG, Kind.TAG_FEED}:
        articles = live.filter(tags__slug=slug)
        name = "articles:tag" if kind == Kind.TAG else "articles:tag_feed"
    elif kind in {Kind.AUTHOR, Kind.AUTHOR_FEED}:
        articles = live.filter(author__slug=slug)
        name = "articles:author" if kind == Kind.AUTHOR else "articles:author_feed"
    elif kind in {Kind.SERIES, Kind.SERIES_FEED}:
        articles = live.filter(series_part__series__slug=slug)
        name = "series:detail" if kind == Kind.SERIES else "series:feed"
    else:
        return None
    if not articles.exists():
        return None  # a list with nothing live in it is a 404 here too
    page = live_page(articles, old.first_item) if kind in {Kind.TAG, Kind.AUTHOR} else ""
    return reverse(name, kwargs={"slug": slug}) + page


def old_slug_target(old):
    """The article's page in the language asked for; None for an article not live."""
    if not old.article.is_live:
        return None  # never a redirect to a draft, a scheduled or a withdrawn article
    return old.article.get_absolute_url()


def path_target(old, path):
    if taken_by_site(path):
        return None  # the site's own address (a draft's, a tag's with no article yet)
    with translation.override(old.language):
        if old.kind == Redirect.Kind.ARTICLE:
            return old.article.get_absolute_url() if old.article.is_live else None
        return list_target(old)


def new_address(request):
    """Where the 404's address leads now, or None: one query for both kinds of row."""
    path = request.path
    match = request.resolver_match
    slug = match.kwargs.get("slug") if match and match.view_name == "articles:detail" else None
    keys = Q(path__in=candidate_paths(path))
    if slug:
        # Not where a live article holds the slug now: its page said 404 itself (not written
        # in this language), and an old slug never shadows a page.
        holder = Article.objects.live().filter(slug=OuterRef("old_slug"))
        keys |= Q(old_slug=slug) & ~Exists(holder)
    old = (
        Redirect.objects.filter(keys)
        .select_related("article")
        # An article's old slug first: its address is the site's, not an imported one.
        .order_by(F("old_slug").asc(nulls_last=True), "path")
        .first()
    )
    if old is None:
        return None
    url = old_slug_target(old) if old.old_slug else path_target(old, path)
    return None if url == path else url


class RedirectFallbackMiddleware:
    """Like django.contrib.redirects' fallback: consulted only for a 404.

    Listed after LocaleMiddleware and CommonMiddleware so that it answers before they
    turn the 404 into a language (302) or trailing-slash redirect, and under the early page
    cache middleware, which gives the 301 a proxy lifetime of a second.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code != 404:
            return response
        url = new_address(request)
        return HttpResponsePermanentRedirect(url) if url else response
