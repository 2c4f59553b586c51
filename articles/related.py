"""Further reading under an article: the next part of its series, then the articles sharing
the most tags, then the same author's; live and listed in this language only.

Ranked when articles change, not on every render: `refresh` stores each article's ranked
list (`RelatedArticle`), the worker's `refresh_related` consumer (articles/tasks.py) keeps it
current, and the article page reads it in one query (`related_articles`). Who may see an
article (live now, listed in the page's language) is asked at read time, so the stored list
holds every published candidate down to the third one each edition may show: a scheduled
article appears at its second, a withdrawn one never shows, even before the refresh runs.

The series app tells which articles come next (`articles.extensions`); `articles` imports no
other app.
"""

from contextlib import suppress

from django.db import IntegrityError, transaction
from django.db.models import Case, Count, IntegerField, Q, Subquery, Value, When
from django.utils import timezone

from articles import extensions
from articles.models import Article, RelatedArticle
from articles.querysets import CARD_SKIPS, listed_q, live_q
from sitewide.languages import current_language, site_languages

RELATED_COUNT = 3
# Candidates ranked per refresh: enough for each edition to find three it may show among
# scheduled articles and articles kept off one edition's listings.
CANDIDATES = RELATED_COUNT * 4


def ranked(article):
    """The best CANDIDATES published (live or scheduled) articles for `article`, best first,
    as dicts with the parts of their rank; one query."""
    tag_ids = list(article.tags.values_list("pk", flat=True))
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
        # The next part published, even if scheduled: until it goes live, the page shows no
        # next part rather than skipping ahead to a later one.
        next_part = Subquery(later_parts.filter(status=Article.Status.PUBLISHED).values("pk")[:1])
    ranking = {
        "is_next": Case(When(pk=next_part, then=Value(1)), default=Value(0)),
        # Without tags nothing is shared (and an empty IN would empty the whole query).
        "shared_tags": Count("tags", filter=Q(tags__in=tag_ids), distinct=True)
        if tag_ids
        else Value(0),
        "same_author": Case(When(author_id=article.author_id, then=Value(1)), default=Value(0)),
    }
    return list(
        Article.objects.filter(status=Article.Status.PUBLISHED, published_at__isnull=False)
        .exclude(pk=article.pk)
        .filter(pk__in=candidate_ids)
        .annotate(**ranking)
        .order_by("-is_next", "-shared_tags", "-same_author", "-published_at", "-pk")
        .values("pk", "published_at", "hidden_languages", *ranking)[:CANDIDATES]
    )


def chosen(rows, now):
    """The ranked rows down to the one that gives every edition its third article it may
    show now; and whether the candidates ran out first (any new one would join)."""
    wanted = dict.fromkeys(site_languages(), RELATED_COUNT)
    for number, row in enumerate(rows, start=1):
        if row["published_at"] <= now:
            for code in wanted:
                if code not in (row["hidden_languages"] or []):
                    wanted[code] -= 1
        if all(left <= 0 for left in wanted.values()):
            return rows[:number], False
    return rows, len(rows) < CANDIDATES


def rank_of(row):
    return (bool(row["is_next"]), row["shared_tags"], bool(row["same_author"]), row["published_at"])


def store(article_pk, rows, is_open):
    """Replaces the article's stored list; True when a list stored before changed."""
    last = rank_of(rows[-1]) if rows else (False, 0, False, None)
    marker = RelatedArticle(
        article_id=article_pk,
        position=0,
        is_next=last[0],
        shared_tags=last[1],
        same_author=last[2],
        published_at=last[3],
        open=is_open,
    )
    entries = [
        RelatedArticle(
            article_id=article_pk,
            position=number,
            related_id=row["pk"],
            is_next=bool(row["is_next"]),
            shared_tags=row["shared_tags"],
            same_author=bool(row["same_author"]),
            published_at=row["published_at"],
        )
        for number, row in enumerate(rows, start=1)
    ]
    with transaction.atomic():
        stored = RelatedArticle.objects.filter(article_id=article_pk)
        before = list(stored.order_by("position").values_list("related_id", "open"))
        stored.delete()
        RelatedArticle.objects.bulk_create([marker, *entries])
    # A list never stored before was shown by no page (a page that ranks one stores it).
    return bool(before) and before != [(None, is_open)] + [(row["pk"], False) for row in rows]


def refresh(pks):
    """Ranks and stores the related reading of the articles `pks` (those that still exist);
    returns the pks whose list changed. Running it twice stores the same thing."""
    changed = []
    now = timezone.now()
    articles = extensions.shape(Article.objects.filter(pk__in=pks).defer(*CARD_SKIPS))
    for article in articles:
        rows, is_open = chosen(ranked(article), now)
        if store(article.pk, rows, is_open):
            changed.append(article.pk)
    return changed


def affected(article_pks, grouped_pks=()):
    """The articles whose related reading a change to `article_pks` may change: the changed
    articles themselves, those listing one of them, the articles `grouped_pks` (a series'
    parts, whose next part may differ), and those sharing a tag or the author with a changed
    published article that now ranks at least as high as the last one they keep."""
    found = set(article_pks) | set(grouped_pks)
    found |= set(
        RelatedArticle.objects.filter(related_id__in=article_pks).values_list(
            "article_id", flat=True
        )
    )
    published = Article.objects.filter(
        pk__in=article_pks, status=Article.Status.PUBLISHED, published_at__isnull=False
    ).prefetch_related("tags")
    for article in published:
        shared = dict(
            Article.tags.through.objects.filter(tag_id__in=[tag.pk for tag in article.tags.all()])
            .exclude(article_id=article.pk)
            .values("article_id")
            .annotate(count=Count("tag_id"))
            .values_list("article_id", "count")
        )
        same_author = set(
            Article.objects.filter(author_id=article.author_id)
            .exclude(pk=article.pk)
            .values_list("pk", flat=True)
        )
        # Only the lists already worked out: the others are ranked when first read.
        markers = RelatedArticle.objects.filter(
            Q(article_id__in=shared) | Q(article_id__in=same_author), position=0
        ).exclude(article_id__in=found)
        for marker in markers.only(
            "article_id", "is_next", "shared_tags", "same_author", "published_at", "open"
        ):
            rank = (False, shared.get(marker.article_id, 0), marker.article_id in same_author)
            last = (marker.is_next, marker.shared_tags, marker.same_author)
            # At least as high: ties are broken by date, then by id, so look again.
            if marker.open or rank > last or (rank == last and _not_older(article, marker)):
                found.add(marker.article_id)
    return found


def _not_older(article, marker):
    return marker.published_at is None or article.published_at >= marker.published_at


def forget_all():
    """Every stored list goes (a restore): each is ranked again when its page is next read."""
    RelatedArticle.objects.all().delete()


def related_articles(article, language=None):
    """What the article page shows under `article`: its stored list, filtered to what the
    page's language may show now; one query. A list not worked out yet (a new article
    before the worker got to it, a site just migrated or restored) is ranked and stored
    here once, so no reader is shown an article without its further reading."""
    rows = _stored(article, language)
    if not rows:
        # A worker or another request may store it meanwhile: then read theirs.
        with suppress(IntegrityError):
            refresh([article.pk])
        rows = _stored(article, language)
    return [row.related for row in rows if row.related_id is not None][:RELATED_COUNT]


def _stored(article, language):
    code = language or current_language()
    visible = live_q("related__") & listed_q("related__", code)
    return list(
        RelatedArticle.objects.filter(article_id=article.pk)
        .filter(Q(position=0) | visible)
        .select_related("related__author")
        .defer(*(f"related__{field}" for field in CARD_SKIPS))
        .order_by("position")[: RELATED_COUNT + 1]
    )
