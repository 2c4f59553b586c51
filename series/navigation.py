from dataclasses import dataclass

from django.utils.translation import override

from articles.models import Article
from series.models import Series, SeriesPart
from sitewide.languages import current_language


@dataclass(frozen=True)
class SeriesStrip:
    """Where an article sits among the live parts of its series."""

    series: Series
    number: int
    total: int
    previous: Article | None
    next: Article | None

    @property
    def previous_url(self):
        return address_here(self.previous)

    @property
    def next_url(self):
        return address_here(self.next)


def address_here(article):
    """A neighbour's address from this edition: its page here, or, when this edition does not
    carry it (written in another language and kept off), its page in its own language."""
    if article is None:
        return ""
    if article.shown_in(current_language()):
        return article.get_absolute_url()
    with override(article.original_language):
        return article.get_absolute_url()


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
