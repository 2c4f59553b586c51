"""RSS and Atom feeds: the site's, a tag's and an author's (the series app adds its own).

Entries carry the whole article (sanitized HTML with absolute links) and the summary as plain
text: escaped once more, because feed readers read a description as HTML.
"""

import copy

from django.contrib.syndication.views import Feed
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed, rfc3339_date
from django.utils.html import escape
from django.utils.translation import gettext as _
from modeltranslation.utils import build_localized_fieldname as localized

from articles.models import Article, Author, Tag
from articles.rendering import with_absolute_urls
from sitewide.languages import shown_language, site_languages
from sitewide.models import SiteSettings
from sitewide.validators import NOT_XML

FEED_SIZE = 20
# What an entry never needs: the Markdown sources and the contents lists.
ENTRY_SKIPS = [
    localized(field, lang) for field in ("body", "toc_html") for lang in site_languages()
] + ["translation_source"]


def xml_safe(value):
    # Text saved before forms refused control characters: one would fail the whole feed.
    if isinstance(value, str):
        return NOT_XML.sub("", value)
    if isinstance(value, list | tuple):
        return type(value)(xml_safe(item) for item in value)
    return value


class SafeFeedMixin:
    """Text fit for XML, and the channel's description escaped as its items' are: feed
    readers show both as HTML, so a tag or author name must not become markup there."""

    def __init__(self, *args, **kwargs):
        kwargs = {key: xml_safe(value) for key, value in kwargs.items()}
        for key in ("description", "subtitle"):
            if kwargs.get(key):
                kwargs[key] = escape(kwargs[key])
        super().__init__(*[xml_safe(value) for value in args], **kwargs)

    def add_item(self, *args, **kwargs):
        kwargs = {key: xml_safe(value) for key, value in kwargs.items()}
        super().add_item(*[xml_safe(value) for value in args], **kwargs)


class FullContentRss(SafeFeedMixin, Rss201rev2Feed):
    """RSS 2.0 with the whole article (content:encoded) and its last change (dcterms)."""

    def rss_attributes(self):
        return {
            **super().rss_attributes(),
            "xmlns:content": "http://purl.org/rss/1.0/modules/content/",
            "xmlns:dcterms": "http://purl.org/dc/terms/",
        }

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        handler.addQuickElement("content:encoded", item["content_html"])
        if item["updateddate"] is not None:
            handler.addQuickElement("dcterms:modified", rfc3339_date(item["updateddate"]))


class FullContentAtom(SafeFeedMixin, Atom1Feed):
    def item_attributes(self, item):
        # An entry in another language than the feed's says so (xml:lang), as the page does.
        if item.get("language") and item["language"] != self.feed["language"]:
            return {**super().item_attributes(item), "xml:lang": item["language"]}
        return super().item_attributes(item)

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        handler.addQuickElement("content", item["content_html"], {"type": "html"})


def feed_entries(articles):
    """Live articles listed in this language, newest first, with what an entry shows."""
    return articles.live().listed().with_author_and_tags().defer(*ENTRY_SKIPS)[:FEED_SIZE]


def with_live_entries(subject, **articles):
    """A tag or author whose feed has an entry; one with nothing live is not public."""
    if not Article.objects.live().listed().filter(**articles).exists():
        raise Http404("Nothing live here.")
    return subject


class LatestArticlesFeed(Feed):
    feed_type = FullContentRss

    def __call__(self, request, *args, **kwargs):
        # One feed object serves every request: keep this request's host on a copy.
        feed = copy.copy(self)
        feed.request = request
        return Feed.__call__(feed, request, *args, **kwargs)

    def title(self):
        return SiteSettings.load().name

    def link(self):
        return reverse("home")

    def description(self):
        return SiteSettings.load().tagline

    def items(self):
        return feed_entries(Article.objects.all())

    def item_title(self, article):
        return article.title

    def item_description(self, article):
        return escape(article.description)

    def item_pubdate(self, article):
        return article.published_at

    def item_updateddate(self, article):
        return article.updated_at

    def item_author_name(self, article):
        return article.author.name

    def item_author_link(self, article):
        return self.request.build_absolute_uri(article.author.get_absolute_url())

    def item_categories(self, article):
        return [tag.name for tag in article.tags.all()]

    def item_extra_kwargs(self, article):
        page_url = self.request.build_absolute_uri(article.get_absolute_url())
        return {
            "content_html": with_absolute_urls(article.body_html, page_url),
            # The language of the entry's text: another one's for an untranslated article.
            "language": shown_language(article, "title"),
        }


class AtomMixin:
    feed_type = FullContentAtom

    def subtitle(self, obj):
        return self._get_dynamic_attr("description", obj)


class LatestArticlesAtomFeed(AtomMixin, LatestArticlesFeed):
    pass


class TagFeed(LatestArticlesFeed):
    def get_object(self, request, slug):
        return with_live_entries(get_object_or_404(Tag, slug=slug), tags__slug=slug)

    def title(self, tag):
        return f"{SiteSettings.load().name}: {tag.name}"

    def link(self, tag):
        return tag.get_absolute_url()

    def description(self, tag):
        return _("New articles tagged “%(tag)s”.") % {"tag": tag.name}

    def items(self, tag):
        return feed_entries(Article.objects.filter(tags=tag))


class TagAtomFeed(AtomMixin, TagFeed):
    pass


class AuthorFeed(LatestArticlesFeed):
    def get_object(self, request, slug):
        return with_live_entries(get_object_or_404(Author, slug=slug), author__slug=slug)

    def title(self, author):
        return f"{SiteSettings.load().name}: {author.name}"

    def link(self, author):
        return author.get_absolute_url()

    def description(self, author):
        return _("New articles by %(author)s.") % {"author": author.name}

    def items(self, author):
        return feed_entries(Article.objects.filter(author=author))


class AuthorAtomFeed(AtomMixin, AuthorFeed):
    pass
