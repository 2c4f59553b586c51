from django.urls import path

from articles import feeds, views

app_name = "articles"

urlpatterns = [
    path("posts/<slug:slug>/", views.article_detail, name="detail"),
    path("preview/<str:token>/", views.article_preview, name="preview"),
    path("tags/", views.tag_index, name="tags"),
    path("tags/<slug:slug>/", views.tag_detail, name="tag"),
    path("tags/<slug:slug>/feed/", feeds.TagFeed(), name="tag_feed"),
    path("tags/<slug:slug>/feed/atom/", feeds.TagAtomFeed(), name="tag_atom_feed"),
    path("authors/", views.author_index, name="authors"),
    path("authors/<slug:slug>/", views.author_detail, name="author"),
    path("authors/<slug:slug>/feed/", feeds.AuthorFeed(), name="author_feed"),
    path("authors/<slug:slug>/feed/atom/", feeds.AuthorAtomFeed(), name="author_atom_feed"),
    path("archive/", views.archive_index, name="archive"),
    path("archive/<int:year>/", views.ArchiveYear.as_view(), name="archive_year"),
    path("feed/", feeds.LatestArticlesFeed(), name="feed"),
    path("feed/atom/", feeds.LatestArticlesAtomFeed(), name="atom_feed"),
]
