from django.urls import reverse

from articles.sitemaps import I18nSitemap
from series.models import Series


class SeriesSitemap(I18nSitemap):
    def items(self):
        return Series.objects.with_live_stats().order_by("pk")

    def lastmod(self, series):
        return max(series.updated_at, series.latest_published_at)


class SeriesListSitemap(I18nSitemap):
    def items(self):
        return list(Series.objects.with_live_stats().order_by("-latest_published_at")[:1])

    def location(self, series):
        return reverse("series:list")

    def lastmod(self, series):
        return series.latest_published_at
