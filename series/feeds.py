from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from articles.feeds import AtomMixin, LatestArticlesFeed, feed_entries
from articles.models import Article
from series.models import Series
from sitewide.models import SiteSettings


class SeriesFeed(LatestArticlesFeed):
    def get_object(self, request, slug):
        return get_object_or_404(Series, slug=slug)

    def title(self, series):
        return f"{SiteSettings.load().name}: {series.title}"

    def link(self, series):
        return series.get_absolute_url()

    def description(self, series):
        return _("New parts of the series “%(series)s”.") % {"series": series.title}

    def items(self, series):
        return feed_entries(Article.objects.filter(series_part__series=series))


class SeriesAtomFeed(AtomMixin, SeriesFeed):
    pass
