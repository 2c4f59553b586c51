"""JSON Feed 1.1 (https://www.jsonfeed.org/version/1.1/) beside every RSS and Atom feed.

Each JSON feed is its RSS feed with another generator: the same live-only entries, titles and
links, so the formats cannot drift apart.
"""

import json

from django.utils.feedgenerator import SyndicationFeed, rfc3339_date

from articles import feeds as article_feeds
from series import feeds as series_feeds

VERSION = "https://jsonfeed.org/version/1.1"


class JsonFeedGenerator(SyndicationFeed):
    content_type = "application/feed+json; charset=utf-8"

    def write(self, outfile, encoding):
        outfile.write(json.dumps(self.as_json(), ensure_ascii=False, indent=1))

    def as_json(self):
        feed = {
            "version": VERSION,
            "title": self.feed["title"],
            "home_page_url": self.feed["link"],
            "feed_url": self.feed["feed_url"],
            "description": self.feed["description"],
            "language": self.feed["language"],
            "items": [self.item_json(item) for item in self.items],
        }
        return {key: value for key, value in feed.items() if value not in (None, "")}

    @staticmethod
    def item_json(item):
        entry = {
            "id": item["unique_id"] or item["link"],
            "url": item["link"],
            "title": item["title"],
            "content_html": item["content_html"],
            "summary": item["description"],
            "image": item.get("image"),
            "date_published": rfc3339_date(item["pubdate"]) if item["pubdate"] else None,
            "date_modified": rfc3339_date(item["updateddate"]) if item["updateddate"] else None,
            "authors": [{"name": item["author_name"], "url": item["author_link"]}]
            if item["author_name"]
            else None,
            "tags": list(item["categories"] or ()) or None,
            "language": item.get("language"),
        }
        return {key: value for key, value in entry.items() if value not in (None, "")}


class JsonFeedMixin:
    feed_type = JsonFeedGenerator

    def item_description(self, article):
        # JSON Feed's summary is plain text: no escaping for an HTML reader.
        return article.description

    def item_extra_kwargs(self, article):
        extra = super().item_extra_kwargs(article)
        if article.cover_image:
            extra["image"] = self.request.build_absolute_uri(article.cover_image.url)
        return extra


class LatestArticlesJsonFeed(JsonFeedMixin, article_feeds.LatestArticlesFeed):
    pass


class TagJsonFeed(JsonFeedMixin, article_feeds.TagFeed):
    pass


class AuthorJsonFeed(JsonFeedMixin, article_feeds.AuthorFeed):
    pass


class SeriesJsonFeed(JsonFeedMixin, series_feeds.SeriesFeed):
    pass
