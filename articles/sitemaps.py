"""Every public address, per language, with hreflang alternates; an article only in the
languages it is written in, and not in one whose listings an editor keeps it off (the page then
says noindex)."""

from django.contrib.sitemaps import Sitemap
from django.db.models import Count, Max
from django.db.models.functions import ExtractYear
from django.urls import reverse
from modeltranslation.utils import build_localized_fieldname as localized

from articles.models import Article, Author, Tag
from articles.querysets import live_q
from sitewide.languages import site_languages


class I18nSitemap(Sitemap):
    i18n = True
    alternates = True
    x_default = True


class ArticleSitemap(I18nSitemap):
    def items(self):
        titles = [localized("title", code) for code in site_languages()]
        return (
            Article.objects.live()
            .only("slug", "updated_at", "hidden_languages", *titles)
            .order_by("pk")
        )

    def get_languages_for_item(self, article):
        # Only the languages it is written in: a page showing another language's text is
        # not an alternate, and one kept off a language's listings says noindex.
        return [code for code in article.languages if code not in article.hidden_languages]

    def lastmod(self, article):
        return article.updated_at


class WithLiveArticles(I18nSitemap):
    """Tags and authors with at least one live article, last changed when their newest did."""

    model = None

    def items(self):
        return (
            self.model.objects.annotate(
                live_articles=Count("articles", filter=live_q("articles__")),
                latest=Max("articles__updated_at", filter=live_q("articles__")),
            )
            .filter(live_articles__gt=0)
            .only("slug")
            .order_by("pk")
        )

    def lastmod(self, item):
        return item.latest


class TagSitemap(WithLiveArticles):
    model = Tag


class AuthorSitemap(WithLiveArticles):
    model = Author


class ArchiveSitemap(I18nSitemap):
    def items(self):
        return list(
            Article.objects.live()
            .annotate(year=ExtractYear("published_at"))
            .values("year")
            .annotate(latest=Max("updated_at"))
            .order_by("year")
        )

    def location(self, entry):
        return reverse("articles:archive_year", args=[entry["year"]])

    def lastmod(self, entry):
        return entry["latest"]


class PagesSitemap(I18nSitemap):
    """The hub and the indexes: they change when any live article does."""

    def items(self):
        return ["home", "articles:tags", "articles:authors", "articles:archive"]

    def location(self, name):
        return reverse(name)

    def lastmod(self, name):
        if not hasattr(self, "_latest"):
            self._latest = Article.objects.live().aggregate(latest=Max("updated_at"))["latest"]
        return self._latest
