"""Further reading under an article: the next part of its series, then the articles sharing
the most tags, then the same author's; live and listed in this language only, in one query.

The series app tells which articles come next (`articles.extensions`); `articles` imports no
other app.
"""

from django.db.models import Case, Count, IntegerField, Q, Subquery, Value, When

from articles import extensions
from articles.models import Article
from articles.querysets import CARD_SKIPS

RELATED_COUNT = 3


def related_articles(article):
    tag_ids = [tag.pk for tag in article.tags.all()]  # prefetched by the view
    later_parts = extensions.later_articles(article)
    # Candidates by id first (later parts, articles sharing a tag, the author's): an OR
    # across joins made PostgreSQL rank every live article (18 ms at 10,000 articles).
    # (No ordering inside a UNION: SQLite refuses it, and it means nothing there.)
    candidate_ids = Article.objects.filter(author_id=article.author_id).order_by().values("pk")
    if tag_ids:
        candidate_ids = candidate_ids.union(
            Article.tags.through.objects.filter(tag_id__in=tag_ids).order_by().values("article_id")
        )
    next_part = Value(None, output_field=IntegerField())
    if later_parts is not None:
        candidate_ids = candidate_ids.union(later_parts.order_by().values("pk"))
        next_part = Subquery(later_parts.live().values("pk")[:1])
    ranking = {
        "is_next": Case(When(pk=next_part, then=Value(1)), default=Value(0)),
        # Without tags nothing is shared (and an empty IN would empty the whole query).
        "shared_tags": Count("tags", filter=Q(tags__in=tag_ids), distinct=True)
        if tag_ids
        else Value(0),
        "same_author": Case(When(author_id=article.author_id, then=Value(1)), default=Value(0)),
    }
    order = ("-is_next", "-shared_tags", "-same_author", "-published_at", "-pk")
    # Ranked on ids alone, then only the chosen few are read whole (and ranked again to
    # keep their order): sorting hundreds of full rows cost more than the ranking.
    chosen = (
        Article.objects.live()
        .listed()
        .exclude(pk=article.pk)
        .filter(pk__in=candidate_ids)
        .annotate(**ranking)
        .order_by(*order)
        .values("pk")[:RELATED_COUNT]
    )
    return list(
        Article.objects.filter(pk__in=Subquery(chosen))
        .annotate(**ranking)
        .select_related("author")
        .defer(*CARD_SKIPS)
        .order_by(*order)
    )
