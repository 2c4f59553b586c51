from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed

from articles.models import Article, SiteSettings, Tag

FEED_SIZE = 20


class LatestArticlesFeed(Feed):
    def title(self):
        return SiteSettings.load().name

    def link(self):
        return reverse("home")

    def description(self):
        return SiteSettings.load().tagline

    def items(self):
        return Article.objects.listing()[:FEED_SIZE]

    def item_title(self, article):
        return article.title

    def item_description(self, article):
        return article.summary

    def item_pubdate(self, article):
        return article.published_at

    def item_updateddate(self, article):
        return article.updated_at

    def item_author_name(self, article):
        return article.author.name

    def item_categories(self, article):
        return [tag.name for tag in article.tags.all()]


class LatestArticlesAtomFeed(LatestArticlesFeed):
    feed_type = Atom1Feed
    subtitle = LatestArticlesFeed.description


class TagFeed(LatestArticlesFeed):
    def get_object(self, request, slug):
        return get_object_or_404(Tag, slug=slug)

    def title(self, tag):
        return f"{SiteSettings.load().name}: {tag.name}"

    def link(self, tag):
        return tag.get_absolute_url()

    def items(self, tag):
        return Article.objects.listing().filter(tags=tag)[:FEED_SIZE]
