import pytest
from django.core.management import CommandError, call_command

from articles.models import Article
from series.models import Series, SeriesPart
from series.navigation import series_strip


def test_demo_series_loads_twice_without_duplicates(demo_content):
    first = (Series.objects.count(), SeriesPart.objects.count(), Article.objects.count())
    call_command("load_demo", verbosity=0)
    call_command("load_demo_series", verbosity=0)
    assert (Series.objects.count(), SeriesPart.objects.count(), Article.objects.count()) == first


def test_demo_series_has_a_scheduled_and_a_translated_part(demo_content):
    series = Series.objects.get()
    parts = Article.objects.filter(series_part__series=series)
    assert parts.count() >= 4
    assert parts.scheduled().count() == 1
    assert parts.live().exclude(body_ru="").exclude(body_ru=None).exists()
    assert list(series.parts.values_list("position", flat=True)) == list(
        range(1, parts.count() + 1)
    )
    last_live = series.live_parts().last().article
    assert series_strip(last_live).next is None


def test_demo_series_needs_the_authors_first(db):
    with pytest.raises(CommandError, match="load_demo"):
        call_command("load_demo_series", verbosity=0)
