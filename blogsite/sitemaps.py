"""The sitemap: an index of every app's sections, each in pages of bounded size."""

from django.contrib.sitemaps import views

from articles.sitemaps import (
    ArchiveSitemap,
    ArticleSitemap,
    AuthorSitemap,
    PagesSitemap,
    TagSitemap,
)
from series.sitemaps import SeriesListSitemap, SeriesSitemap

SECTIONS = {
    "pages": PagesSitemap,
    "series-list": SeriesListSitemap,
    "articles": ArticleSitemap,
    "series": SeriesSitemap,
    "tags": TagSitemap,
    "authors": AuthorSitemap,
    "archive": ArchiveSitemap,
}


def index(request):
    """The sections with something in them: an empty sitemap file is not a valid one (a new
    site has no tags, series or archive yet; Django's index lists a page 1 of each). Made per
    request: each section is read once, for the check and for the index."""
    sections = {name: section() for name, section in SECTIONS.items()}
    shown = {name: s for name, s in sections.items() if s.paginator.page(1).object_list}
    return views.index(request, shown, sitemap_url_name="sitemap-section")


def section(request, section):
    return views.sitemap(request, SECTIONS, section=section)
