"""Every public address, per language, with hreflang alternates; an article only in the
languages it is written in, and not in one whose listings an editor keeps it off (the page then
says noindex)."""

from django.contrib.sitemaps import Sitemap
from django.core.paginator import Page, Paginator
from django.db.models import Count, F, Max
from django.db.models.functions import ExtractYear
from django.urls import reverse
from django.utils.functional import cached_property
from modeltranslation.utils import build_localized_fieldname as localized

from articles.models import Article, Author, Tag
from articles.querysets import live_q
from sitewide.changes import list_keys
from sitewide.languages import site_languages
from sitewide.pagestore import kept


class I18nSitemap(Sitemap):
    i18n = True
    alternates = True
    x_default = True

    @cached_property
    def paginator(self):
        # The index asks it twice (does the section have anything; how many pages): one
        # reading of the section. (Django's is a plain property.)
        return super().paginator


class IdBlocks(Paginator):
    """A sitemap's pages by blocks of ids: the live articles whose ids fall in one block of
    `per_page` ids, each once per language it is shown in; blocks without a live article are
    skipped. A page is one range read of the primary key (which blocks have a live article is
    kept between changes): Django's own pages would build every address of the section for
    each page, and an OFFSET would read every row before the page."""

    def __init__(self, articles, per_page, languages_for):
        super().__init__(articles, per_page)
        self.languages_for = languages_for

    @cached_property
    def blocks(self):
        def read():
            numbered = self.object_list.annotate(block=(F("pk") - 1) / self.per_page)
            return list(numbered.values_list("block", flat=True).order_by("block").distinct())

        # A hundred numbers at 100,000 articles, from one pass over the live ids (~0.1 s):
        # once per change to the site's lists, not at every request for a page.
        return kept(f"sitemap-blocks:{self.per_page}", list_keys(), read)

    @cached_property
    def num_pages(self):
        return max(1, len(self.blocks))  # page 1 of nothing, as Django's own

    def page(self, number):
        number = self.validate_number(number)
        if not self.blocks:
            return Page([], number, self)
        start = self.blocks[number - 1] * self.per_page
        block = self.object_list.filter(pk__gt=start, pk__lte=start + self.per_page)
        entries = [(article, code) for article in block for code in self.languages_for(article)]
        return Page(entries, number, self)


class ArticleSitemap(I18nSitemap):
    # Here the number of article ids a page covers (Django's own `limit` counts addresses):
    # one address per language shown, far below the protocol's 50,000 a file, and a page a
    # crawler gets in a fraction of a second.
    limit = 1000

    def items(self):
        titles = [localized("title", code) for code in site_languages()]
        return (
            Article.objects.live()
            .only("slug", "updated_at", "hidden_languages", *titles)
            .order_by("pk")
        )

    @cached_property
    def paginator(self):
        return IdBlocks(self.items(), self.limit, self.get_languages_for_item)

    def get_latest_lastmod(self):
        # For the index: Django's own reads every article to find it.
        return self.items().aggregate(latest=Max("updated_at"))["latest"]

    def get_languages_for_item(self, article):
        # Only the languages it is written in: a page showing another language's text is
        # not an alternate, and one kept off a language's listings says noindex.
        return [code for code in article.languages if code not in article.hidden_languages]

    def lastmod(self, article):
        return article.updated_at


class WithLiveArticles(I18nSitemap):
    """Tags and authors with at least one live article, last changed when their newest did."""

    model = None
    relation = None  # the articles' field that names one

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

    def get_latest_lastmod(self):
        # For the index: the newest live article that has one (Django's own would go over
        # every tag's articles a second time: the index has already counted them for the
        # section's pages).
        articles = Article.objects.live().filter(**{f"{self.relation}__isnull": False})
        return articles.aggregate(latest=Max("updated_at"))["latest"]


class TagSitemap(WithLiveArticles):
    model = Tag
    relation = "tags"


class AuthorSitemap(WithLiveArticles):
    model = Author
    relation = "author"


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
