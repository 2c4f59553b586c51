"""Further reading under an article: the next part of its series, then the articles sharing
the most tags, then the same author's; live and listed in this language only, in one query.

The series app owns the parts; its relation is reached here by name only, as the hub does,
so `articles` still imports no other app.
"""

from django.db.models import Case, Count, IntegerField, Q, Subquery, Value, When

from articles.models import Article
from articles.querysets import CARD_SKIPS

RELATED_COUNT = 3


def series_part(article):
    """The article's place in a series, if it has one (select_related by the view)."""
    return getattr(article, "series_part", None)


def related_articles(article):
    tag_ids = [tag.pk for tag in article.tags.all()]  # prefetched by the view
    candidates = Article.objects.live().listed().exclude(pk=article.pk)
    part = series_part(article)
    next_part = Value(None, output_field=IntegerField())
    if part is not None:
        next_part = Subquery(
            Article.objects.live()
            .filter(series_part__series_id=part.series_id, series_part__position__gt=part.position)
            .order_by("series_part__position")
            .values("pk")[:1]
        )
    return list(
        candidates.filter(Q(pk=next_part) | Q(tags__in=tag_ids) | Q(author_id=article.author_id))
        .annotate(
            is_next=Case(When(pk=next_part, then=Value(1)), default=Value(0)),
            shared_tags=Count("tags", filter=Q(tags__in=tag_ids), distinct=True),
            same_author=Case(When(author_id=article.author_id, then=Value(1)), default=Value(0)),
        )
        .select_related("author")
        .defer(*CARD_SKIPS)
        .order_by("-is_next", "-shared_tags", "-same_author", "-published_at", "-pk")[
            :RELATED_COUNT
        ]
    )
