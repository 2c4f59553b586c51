"""Old Hugo addresses answer 301 to their counterpart here, but only where nothing else matched
and never over an address the site itself routes."""

import math

from django.conf import settings
from django.http import HttpResponsePermanentRedirect
from django.urls import Resolver404, resolve, reverse
from django.utils import translation

from articles.models import Article, Author, SlugRedirect, Tag
from articles.views import PAGE_SIZE
from hugo_import.models import OldAddress
from series.models import Series

LANGUAGES = [code for code, _name in settings.LANGUAGES]
# Served or soon served by the site or by the server in front of it, whether Django routes
# them today or not: an imported alias never takes them over.
RESERVED_PREFIXES = (
    "/admin", "/api", "/.well-known", "/healthz", "/static", "/media", "/i18n", "/markdownx",
    "/anymail", "/robots.txt", "/sitemap", "/favicon", "/feed", "/ap/", "/users/", "/inbox",
    "/nodeinfo", "/preview",
)  # fmt: skip
# URL names whose slug is an object here: the address is the site's once that object exists,
# whatever its state (a draft, a scheduled article, a tag with no article yet).
SLUG_OWNERS = {
    "articles:detail": lambda slug: (
        Article.objects.filter(slug=slug).exists()
        or SlugRedirect.objects.filter(old_slug=slug).exists()
    ),
    "articles:tag": lambda slug: Tag.objects.filter(slug=slug).exists(),
    "articles:tag_feed": lambda slug: Tag.objects.filter(slug=slug).exists(),
    "articles:tag_atom_feed": lambda slug: Tag.objects.filter(slug=slug).exists(),
    "articles:author": lambda slug: Author.objects.filter(slug=slug).exists(),
    "articles:author_feed": lambda slug: Author.objects.filter(slug=slug).exists(),
    "articles:author_atom_feed": lambda slug: Author.objects.filter(slug=slug).exists(),
    "series:detail": lambda slug: Series.objects.filter(slug=slug).exists(),
    "series:feed": lambda slug: Series.objects.filter(slug=slug).exists(),
    "series:atom_feed": lambda slug: Series.objects.filter(slug=slug).exists(),
}


def candidate_paths(path):
    """The spellings of one old address: Hugo wrote lower-case paths and served index.html."""
    paths = set()
    for candidate in {path, path.lower()}:
        folder = candidate.removesuffix("index.html") if candidate.endswith("/index.html") else ""
        for spelling in filter(None, [candidate, folder]):
            paths.add(spelling)
            if spelling.endswith("/"):
                paths.add(spelling.rstrip("/") or "/")
            elif "." not in spelling.rsplit("/", 1)[-1]:
                paths.add(spelling + "/")
    return paths


def taken_by_site(path):
    """Whether the site routes this address (or will: its object exists in some state)."""
    lowered = path.lower()
    if lowered.startswith(RESERVED_PREFIXES):
        return True
    first = lowered.strip("/").split("/", 1)[0]
    languages = [first] if first in LANGUAGES else LANGUAGES
    for candidate in candidate_paths(path):
        for language in languages:
            # i18n_patterns resolve the active language's prefix only.
            with translation.override(language):
                try:
                    match = resolve(candidate)
                except Resolver404:
                    continue
            if lowered.removeprefix(f"/{language}").strip("/") == "":
                return True  # a language's home
            slug = match.kwargs.get("slug")
            owner = SLUG_OWNERS.get(match.view_name)
            if slug is None or owner is None or owner(slug):
                return True
    return False


def live_page(queryset, first_item):
    """?page= for the page of a list here that holds the entry Hugo's page started with."""
    if first_item <= 0:
        return ""
    last = max(1, math.ceil(queryset.count() / PAGE_SIZE))
    number = min(first_item // PAGE_SIZE + 1, last)
    return f"?page={number}" if number > 1 else ""


def list_target(old):
    """Our page for one of Hugo's list pages or feeds, or None when it shows nothing now."""
    kind, slug, Kind = old.kind, old.slug, OldAddress.Kind  # noqa: N806 (the enum)
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


def new_address(path):
    """Where an old Hugo address leads now, or None."""
    old = (
        OldAddress.objects.filter(path__in=candidate_paths(path))
        .select_related("article")
        .order_by("path")
        .first()
    )
    if old is None or taken_by_site(path):
        return None
    with translation.override(old.language):
        if old.kind == OldAddress.Kind.ARTICLE:
            if not old.article.is_live:
                return None  # never a redirect to a draft or a scheduled article
            url = old.article.get_absolute_url()
        else:
            url = list_target(old)
    return None if url == path else url


class OldAddressRedirectMiddleware:
    """Like django.contrib.redirects' fallback: consulted only for a 404.

    Listed after LocaleMiddleware and CommonMiddleware so that it answers before they
    turn the 404 into a language (302) or trailing-slash redirect.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code != 404:
            return response
        url = new_address(request.path)
        return HttpResponsePermanentRedirect(url) if url else response
