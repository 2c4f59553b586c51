from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from articles.feeds import FEED_SIZE, LatestArticlesFeed
from articles.models import Article, SiteSettings
from series.models import Series


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
        return Article.objects.live().for_cards().filter(series_part__series=series)[:FEED_SIZE]
