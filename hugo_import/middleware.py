"""Old Hugo addresses answer 301 to their article, but only where nothing else matched."""

from django.http import HttpResponsePermanentRedirect
from django.utils import translation

from articles.models import Article
from hugo_import.models import OldAddress


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
        url = new_address(request.path)
        return HttpResponsePermanentRedirect(url) if url else response
