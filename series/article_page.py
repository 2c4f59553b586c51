"""The series' part of an article's page, card and related reading (see articles/extensions.py)."""

from django.utils.translation import gettext as _

from articles.extensions import ArticleExtension
from articles.models import Article
from series.models import SERIES_LIST_KEY, SeriesPart
from series.navigation import series_strip
from sitewide.changes import ids


def part_of(article):
    """The article's part, already joined by `shape` (no query), else None."""
    try:
        return article.series_part
    except SeriesPart.DoesNotExist:
        return None


class SeriesOnArticles(ArticleExtension):
    def shape(self, articles):
        return articles.select_related("series_part__series")

    def page_context(self, article):
        part = part_of(article)
        return {"part": part, "strip": series_strip(article, part) if part else None}

    def card_eyebrow(self, article):
        part = part_of(article)
        if part is None:
            return ""
        return _("%(series)s · Part %(number)s") % {
            "series": part.series.title,
            "number": part.position,
        }

    def change_keys(self, article):
        # Its series' page and the strips and related reading of the other parts.
        # A part joining or leaving the lists changes the series list's counts and dates, and
        # may add or remove a series there (one whose first part goes live).
        parts = SeriesPart.objects.filter(article_id=article.pk)
        keys = [f"series:{pk}" for pk in parts.values_list("series_id", flat=True)]
        return [*keys, SERIES_LIST_KEY] if keys else []

    def grouped_articles(self, keys):
        series_ids = ids(keys, "series")
        if not series_ids:
            return []
        parts = SeriesPart.objects.filter(series_id__in=series_ids)
        return list(parts.values_list("article_id", flat=True))

    def later_articles(self, article):
        part = part_of(article)
        if part is None:
            return None
        return Article.objects.filter(
            series_part__series_id=part.series_id, series_part__position__gt=part.position
        ).order_by("series_part__position")
