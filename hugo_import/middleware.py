"""Old Hugo addresses answer 301 to their article, but only where nothing else matched."""

import re

from django.conf import settings
from django.http import HttpResponsePermanentRedirect
from django.urls import reverse
from django.utils import translation

from articles.models import Article, Tag
from hugo_import.models import OldAddress
from series.models import Series


def hugo_list(pattern):
    languages = "|".join(re.escape(code) for code, _name in settings.LANGUAGES)
    return re.compile(rf"^/(?:(?P<language>{languages})/)?{pattern}$")


def tags():
    return Tag.objects.all()


def live_series():
    return Series.objects.filter(parts__article__in=Article.objects.live())


# Hugo's list pages and feeds: (address, our URL name, where its slug must exist).
LIST_ADDRESSES = [
    (hugo_list(r"(?:tags|categories)/(?P<slug>[-\w]+)/index\.xml"), "articles:tag_feed", tags),
    (hugo_list(r"(?:tags|categories)/(?P<slug>[-\w]+)/?"), "articles:tag", tags),
    (hugo_list(r"series/(?P<slug>[-\w]+)/index\.xml"), "series:feed", live_series),
    (hugo_list(r"series/(?P<slug>[-\w]+)/?"), "series:detail", live_series),
    # The site's feed and the posts section's: subscribers follow a 301.
    (hugo_list(r"(?:posts/)?index\.xml"), "articles:feed", None),
]  # fmt: skip


def candidate_paths(path):
    """The spellings of one old address: Hugo wrote lower-case paths and served index.html."""
    paths = {path, path.lower()}
    for candidate in list(paths):
        if candidate.endswith("/index.html"):
            paths.add(candidate.removesuffix("index.html"))
        if candidate.endswith("/"):
            paths.add(candidate.rstrip("/") or "/")
        elif "." not in candidate.rsplit("/", 1)[-1]:
            paths.add(candidate + "/")
    return paths


def new_address(path):
    """The live article's address for an old Hugo path, or None."""
    old = (
        OldAddress.objects.filter(
            path__in=candidate_paths(path), article__in=Article.objects.live()
        )
        .select_related("article")
        .order_by("path")
        .first()
    )
    if old is None:
        return None
    with translation.override(old.language):
        url = old.article.get_absolute_url()
    return None if url == path else url


def list_address(path):
    """Our page for one of Hugo's tag, category or series pages or feeds, or None."""
    for pattern, name, existing in LIST_ADDRESSES:
        match = pattern.match(path.lower())
        if match is None:
            continue
        slug = match.groupdict().get("slug")
        if existing is not None and not existing().filter(slug=slug).exists():
            return None
        with translation.override(match.group("language") or settings.LANGUAGE_CODE):
            url = reverse(name, kwargs={"slug": slug} if slug else {})
        return None if url == path else url
    return None


class OldAddressRedirectMiddleware:
    """Like django.contrib.redirects' fallback: consulted only for a 404.

    Listed after LocaleMiddleware and CommonMiddleware so that it answers before they
    turn the 404 into a language or trailing-slash redirect.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code != 404:
            return response
        url = new_address(request.path) or list_address(request.path)
        return HttpResponsePermanentRedirect(url) if url else response
