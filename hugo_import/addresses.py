"""How Hugo spelled an address, and whether the site owns it: an imported old address is
never stored (the importer) nor answered (blogsite/redirects.py) over the site's own."""

from django.conf import settings
from django.urls import Resolver404, resolve
from django.utils import translation

from articles.models import Article, Author, Redirect, Tag
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
        or Redirect.objects.filter(old_slug=slug).exists()
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
