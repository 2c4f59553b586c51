from dataclasses import dataclass

from articles.models import Article
from series.models import Series, SeriesPart


@dataclass(frozen=True)
class SeriesStrip:
    """Where an article sits among the live parts of its series."""

    series: Series
    number: int
    total: int
    previous: Article | None
    next: Article | None


def series_strip(article, part=None):
    """The strip for a live article in a series, else None.

    Given the article's part (with its series), one query; else one more to find the part.
    """
    if part is None:
        part = SeriesPart.objects.select_related("series").filter(article_id=article.pk).first()
    if part is None:
        return None
    # Counting live parts only means a scheduled part never leaks through its neighbours.
    articles = [live_part.article for live_part in part.series.live_parts()]
    ids = [live.pk for live in articles]
    if article.pk not in ids:
        return None
    index = ids.index(article.pk)
    return SeriesStrip(
        series=part.series,
        number=index + 1,
        total=len(articles),
        previous=articles[index - 1] if index > 0 else None,
        next=articles[index + 1] if index + 1 < len(articles) else None,
    )
