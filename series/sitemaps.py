from django.contrib.sitemaps import Sitemap

from series.models import Series


class SeriesSitemap(Sitemap):
    i18n = True
    alternates = True
    x_default = True

    def items(self):
        return Series.objects.with_live_stats().order_by("pk")

    def lastmod(self, series):
        return series.latest_published_at
