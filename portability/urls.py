from django.urls import path

from portability import feeds

app_name = "portability"

# Under the language prefix, beside the RSS and Atom feeds they mirror.
feed_patterns = [
    path("feed.json", feeds.LatestArticlesJsonFeed(), name="feed"),
    path("tags/<slug:slug>/feed.json", feeds.TagJsonFeed(), name="tag_feed"),
    path("authors/<slug:slug>/feed.json", feeds.AuthorJsonFeed(), name="author_feed"),
    path("series/<slug:slug>/feed.json", feeds.SeriesJsonFeed(), name="series_feed"),
]
