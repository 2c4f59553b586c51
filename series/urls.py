from django.urls import path

from series import feeds, views

app_name = "series"

urlpatterns = [
    path("series/", views.series_list, name="list"),
    path("series/<slug:slug>/", views.series_detail, name="detail"),
    path("series/<slug:slug>/feed/", feeds.SeriesFeed(), name="feed"),
    path("series/<slug:slug>/feed/atom/", feeds.SeriesAtomFeed(), name="atom_feed"),
]
