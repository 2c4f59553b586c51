from django.contrib.sitemaps import Sitemap

from articles.models import Article


class ArticleSitemap(Sitemap):
    i18n = True
    alternates = True
    x_default = True

    def items(self):
        return Article.objects.live().order_by("pk")

    def lastmod(self, article):
        return article.updated_at
