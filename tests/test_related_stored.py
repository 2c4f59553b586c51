"""Related reading is ranked when articles change and stored; the article page reads the
stored list in one query and asks at read time who may see each article (articles/related.py).
"""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles import related, tasks
from articles.models import Article, RelatedArticle

# What is tested is the list a change stores (tests/conftest.py, `related_reading`).
pytestmark = [pytest.mark.related_reading, pytest.mark.template_context]


def stored(article):
    rows = RelatedArticle.objects.filter(article=article, position__gt=0).order_by("position")
    return list(rows.values_list("related_id", flat=True))


def shown(client, article, language="en"):
    cache.clear()
    response = client.get(f"/{language}/posts/{article.slug}/")
    assert response.status_code == 200
    return [a.pk for a in response.context["related"]]


@pytest.fixture
def topic(make_article, make_tag, author):
    """An article and three others sharing its two tags, newest first."""
    tags = [make_tag(), make_tag()]
    article = make_article(tags=tags, author=author)
    others = [make_article(tags=tags) for _ in range(3)]
    return article, others, tags


def test_a_change_stores_the_ranked_list_and_the_page_reads_it(client, topic):
    article, others, _tags = topic
    assert stored(article) == [other.pk for other in others]
    # The page reads what is stored, not a ranking of its own: reversed in the table, shown
    # reversed.
    rows = RelatedArticle.objects.filter(article=article, position__gt=0)
    for row, other in zip(rows.order_by("position"), reversed(others), strict=True):
        RelatedArticle.objects.filter(pk=row.pk).update(related=other)
    assert shown(client, article) == [other.pk for other in reversed(others)]


def test_the_stored_list_is_read_in_one_query(client, topic):
    article, others, _tags = topic
    with CaptureQueriesContext(connection) as queries:
        found = related.related_articles(article)
    assert [a.pk for a in found] == [other.pk for other in others]
    assert len(queries) == 1
    # A card's author comes with it (no query per card), and no body is read.
    with CaptureQueriesContext(connection) as queries:
        assert all(a.author.name for a in found)
    assert len(queries) == 0
    assert "body_html" not in queries_sql(found_query(article))


def found_query(article):
    with CaptureQueriesContext(connection) as queries:
        related.related_articles(article)
    return queries


def queries_sql(queries):
    return " ".join(query["sql"] for query in queries.captured_queries)


def test_a_list_not_worked_out_yet_is_ranked_once_by_the_page(client, topic):
    article, others, _tags = topic
    RelatedArticle.objects.filter(article=article).delete()
    assert shown(client, article) == [other.pk for other in others]
    assert stored(article) == [other.pk for other in others]


def test_an_article_with_nothing_related_is_worked_out_once(client, make_article, make_tag):
    alone = make_article(tags=[make_tag()])
    assert shown(client, alone) == []
    # The marker row says "worked out, empty": the page does not rank it again.
    assert RelatedArticle.objects.filter(article=alone, position=0).exists()
    with CaptureQueriesContext(connection) as queries:
        assert related.related_articles(alone) == []
    assert len(queries) == 1


def test_a_scheduled_article_is_kept_but_shown_only_from_its_second(
    client, clock, make_article, topic
):
    article, _others, tags = topic
    soon = make_article(tags=tags, published_at=timezone.now() + timedelta(hours=1))
    assert soon.pk in stored(article)
    assert soon.pk not in shown(client, article)
    clock.shift(timedelta(hours=1))
    # No refresh ran: the stored list had it ranked already.
    assert shown(client, article)[0] == soon.pk


def test_a_withdrawn_article_is_never_shown_even_before_the_refresh(client, topic):
    article, others, _tags = topic
    # Withdrawn behind the refresh's back (no event): the read asks who is live.
    Article.objects.filter(pk=others[0].pk).update(status=Article.Status.DRAFT)
    assert others[0].pk not in shown(client, article)


def test_an_article_kept_off_an_edition_is_not_related_there(client, make_article, topic):
    article, others, tags = topic
    # Translated, so the Russian page exists; the first related article is kept off Russian.
    Article.objects.filter(pk=article.pk).update(title_ru="Статья", summary_ru="Кратко.")
    Article.objects.filter(pk=others[0].pk).update(hidden_languages=["ru"])
    fourth = make_article(tags=tags[:1])
    tasks.refresh_related.call([f"article:{others[0].pk}"])
    assert shown(client, article) == [other.pk for other in others]
    # Russian still gets three: the list is kept down to each edition's third.
    assert shown(client, article, "ru") == [others[1].pk, others[2].pk, fourth.pk]


def test_a_publish_refreshes_the_lists_it_enters_and_invalidates_their_pages(
    settings, client, topic, make_article, events
):
    settings.PAGE_CACHE_SECONDS = 600
    article, _others, tags = topic
    client.get(f"/en/posts/{article.slug}/")  # cached, showing the old list
    events.clear()
    newer = make_article(tags=tags, published_at=timezone.now())
    assert stored(article)[0] == newer.pk
    assert any(f"related:{article.pk}" in keys for keys in events)
    response = client.get(f"/en/posts/{article.slug}/")
    assert newer.pk in [a.pk for a in response.context["related"]]


def test_a_change_that_cannot_enter_a_full_list_leaves_it_alone(topic, make_article):
    article, others, tags = topic
    # Sharing one tag, against three sharing two: it cannot outrank the last one kept.
    weaker = make_article(tags=tags[:1])
    assert article.pk not in related.affected([weaker.pk])
    stronger = make_article(tags=tags, published_at=timezone.now())
    assert article.pk in related.affected([stronger.pk])
    # A list that shows an article is refreshed when it changes, whatever its rank.
    assert article.pk in related.affected([others[0].pk])


def test_the_refresh_is_idempotent(topic, events):
    article, others, _tags = topic
    keys = [f"article:{others[0].pk}"]

    def rows():
        return list(
            RelatedArticle.objects.order_by("article", "position").values_list(
                "article", "position", "related", "shared_tags", "same_author", "open"
            )
        )

    tasks.refresh_related.call(keys)
    before = rows()
    events.clear()
    tasks.refresh_related.call(keys)
    assert rows() == before
    assert stored(article) == [other.pk for other in others]
    # Nothing changed the second time: no page is invalidated for it.
    assert events == []


def test_a_failing_refresh_is_retried(monkeypatch, topic):
    article, others, _tags = topic
    RelatedArticle.objects.filter(article=article).delete()
    real = related.refresh
    attempts = []

    def flaky(pks):
        attempts.append(pks)
        if len(attempts) == 1:
            raise OSError("database went away")
        return real(pks)

    monkeypatch.setattr(related, "refresh", flaky)
    tasks.refresh_related.using(backend="changes").enqueue([f"article:{article.pk}"])
    assert len(attempts) == 2
    assert stored(article) == [other.pk for other in others]


def test_a_series_reorder_changes_which_part_comes_next(
    make_series, django_capture_on_commit_callbacks
):
    series = make_series(parts=3)
    parts = list(series.parts.order_by("position"))
    first, second, third = (part.article for part in parts)
    assert stored(first)[0] == second.pk
    with django_capture_on_commit_callbacks(execute=True):
        series.renumber([parts[0], parts[2], parts[1]])
    assert stored(first)[0] == third.pk


def test_a_restore_forgets_every_list(topic):
    article, _others, _tags = topic
    assert RelatedArticle.objects.filter(article=article).exists()
    tasks.refresh_related.call(["all"])
    assert not RelatedArticle.objects.exists()


def test_rank_related_fills_the_lists_not_worked_out(topic):
    from django.core.management import call_command

    article, others, _tags = topic
    RelatedArticle.objects.filter(article=article).delete()
    call_command("rank_related", verbosity=0)
    assert stored(article) == [other.pk for other in others]
