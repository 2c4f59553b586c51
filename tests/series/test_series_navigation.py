from datetime import timedelta

import pytest
from django.utils import timezone

from articles.models import Article
from series.models import Series, SeriesPart
from series.navigation import series_strip


def part(series, number):
    return Article.objects.get(slug=f"{series.slug}-part-{number}")


def strip_of(series, number):
    return series_strip(part(series, number))


def test_parts_are_read_in_position_order_not_date_order(make_series):
    series = make_series(parts=3)
    SeriesPart.objects.filter(article__slug="guide-part-3").update(position=0)
    assert [p.article.slug for p in series.live_parts()] == [
        "guide-part-3",
        "guide-part-1",
        "guide-part-2",
    ]


def test_first_part_has_no_previous_and_last_has_no_next(make_series):
    series = make_series(parts=3)
    first, middle, last = strip_of(series, 1), strip_of(series, 2), strip_of(series, 3)
    assert (first.previous, first.next, first.number, first.total) == (
        None,
        part(series, 2),
        1,
        3,
    )
    assert (middle.previous, middle.next) == (part(series, 1), part(series, 3))
    assert (last.previous, last.next, last.number) == (part(series, 2), None, 3)


@pytest.mark.parametrize(
    "hide",
    [
        {"status": Article.Status.DRAFT},
        {"status": Article.Status.REVIEW},
        {"published_at": timezone.now() + timedelta(days=3)},
    ],
    ids=["draft", "in-review", "scheduled"],
)
def test_unpublished_middle_part_is_skipped_and_not_counted(make_series, hide):
    series = make_series(parts=3)
    Article.objects.filter(slug="guide-part-2").update(**hide)
    first, last = strip_of(series, 1), strip_of(series, 3)
    assert first.next == part(series, 3)
    assert last.previous == part(series, 1)
    assert (last.number, last.total) == (2, 2)
    assert strip_of(series, 2) is None


def test_publishing_a_part_relinks_its_neighbours_without_any_edit(make_series):
    series = make_series(parts=3)
    Article.objects.filter(slug="guide-part-2").update(status=Article.Status.DRAFT)
    assert strip_of(series, 1).next == part(series, 3)
    Article.objects.filter(slug="guide-part-2").update(status=Article.Status.PUBLISHED)
    assert strip_of(series, 1).next == part(series, 2)
    assert strip_of(series, 3).number == 3


def test_article_outside_a_series_has_no_strip(live_article):
    assert series_strip(live_article) is None


def test_renumber_swaps_positions_without_a_constraint_error(make_series):
    series = make_series(parts=3)
    one, two, three = series.parts.order_by("position")
    series.renumber([three, one, two])
    assert list(series.parts.order_by("position").values_list("article__slug", "position")) == [
        ("guide-part-3", 1),
        ("guide-part-1", 2),
        ("guide-part-2", 3),
    ]


def test_an_article_belongs_to_at_most_one_series(make_series):
    from django.db import IntegrityError, transaction

    first = make_series(parts=1, slug="first")
    second = make_series(parts=1, slug="second")
    with pytest.raises(IntegrityError), transaction.atomic():
        SeriesPart.objects.create(series=second, article=part(first, 1), position=2)


def test_deleting_a_series_leaves_its_articles_standalone(client, make_series):
    series = make_series(parts=2)
    series.delete()
    response = client.get("/en/posts/guide-part-1/")
    assert response.status_code == 200
    assert "series-strip" not in response.content.decode()
    assert Article.objects.count() == 2


def test_deleting_a_part_closes_the_gap(make_series):
    series = make_series(parts=3)
    part(series, 2).delete()
    last = strip_of(series, 3)
    assert (last.number, last.total, last.previous) == (2, 2, part(series, 1))


def test_series_without_live_parts_is_not_listed(make_series):
    series = make_series(parts=2)
    assert list(Series.objects.with_live_stats()) == [series]
    Article.objects.update(status=Article.Status.DRAFT)
    assert not Series.objects.with_live_stats().exists()
