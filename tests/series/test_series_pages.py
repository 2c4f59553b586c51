import re
from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from sitemap_pages import sitemap_text

from articles.models import Article
from series.models import SeriesPart


def test_article_page_shows_the_strip_at_top_and_bottom(client, make_series):
    make_series(parts=3)
    page = client.get("/en/posts/guide-part-2/").content.decode()
    assert page.count('class="series-strip ') == 2
    assert page.count("Part 2 of 3") == 2
    assert page.count('<a class="series-hub-link" href="/en/series/guide/">← Series hub</a>') == 2
    assert page.count('rel="prev" href="/en/posts/guide-part-1/"') == 2
    assert page.count('rel="next" href="/en/posts/guide-part-3/"') == 2


def test_first_and_last_parts_lack_previous_and_next_links(client, make_series):
    make_series(parts=2)
    first = client.get("/en/posts/guide-part-1/").content.decode()
    last = client.get("/en/posts/guide-part-2/").content.decode()
    assert 'rel="prev"' not in first
    assert 'rel="next"' in first
    assert 'rel="next"' not in last
    assert 'rel="prev"' in last


def test_russian_strip_is_in_russian_and_stays_on_ru(client, make_series):
    make_series(parts=2, title_ru="Руководство")
    page = client.get("/ru/posts/guide-part-1/").content.decode()
    assert "Часть 1 из 2" in page
    assert "← К серии" in page
    assert "Следующая →" in page
    assert 'href="/ru/series/guide/"' in page
    assert 'rel="next" href="/ru/posts/guide-part-2/"' in page
    assert "Series hub" not in page


def test_scheduled_part_is_not_linked_from_its_neighbours(client, make_series):
    series = make_series(parts=3)
    due = timezone.now() + timedelta(days=2)
    Article.objects.filter(slug="guide-part-2").update(title_en="Secret plans", published_at=due)
    for url in ["/en/posts/guide-part-1/", "/en/posts/guide-part-3/", "/en/series/guide/"]:
        page = client.get(url).content.decode()
        assert "Secret plans" not in page, url
        assert "guide-part-2" not in page, url
    assert client.get("/en/posts/guide-part-2/").status_code == 404
    assert series.next_scheduled_at() == due.replace(microsecond=due.microsecond)


def test_series_hub_lists_live_parts_in_order_and_the_next_date_only(client, make_series):
    make_series(parts=3)
    Article.objects.filter(slug="guide-part-3").update(
        title_en="Not yet",
        published_at=datetime(2030, 6, 1, 9, tzinfo=UTC),
    )
    page = client.get("/en/series/guide/").content.decode()
    assert page.index("Guide part 1") < page.index("Guide part 2")
    assert "Part 1" in page
    assert "Part 2" in page
    assert "Part 3" not in page
    assert "Not yet" not in page
    assert "Next part on June 1, 2030" in page
    assert "<strong>several</strong>" in page


def test_series_with_nothing_live_is_404(client, make_series):
    make_series(parts=2)
    Article.objects.update(status=Article.Status.DRAFT)
    assert client.get("/en/series/guide/").status_code == 404
    assert client.get("/en/series/no-such-series/").status_code == 404


def test_series_list_shows_parts_reading_time_and_latest_date(client, make_series):
    make_series(parts=3)
    make_series(parts=2, slug="hidden", title_en="Hidden guide")
    Article.objects.filter(slug__startswith="hidden").update(status=Article.Status.DRAFT)
    Article.objects.filter(slug__startswith="guide").update(
        reading_minutes_en=4, published_at=datetime(2026, 5, 1, 9, tzinfo=UTC)
    )
    Article.objects.filter(slug="guide-part-3").update(
        published_at=datetime(2026, 6, 1, 9, tzinfo=UTC)
    )
    page = client.get("/en/series/").content.decode()
    assert "The guide" in page
    assert "Hidden guide" not in page
    assert re.search(r"3 parts · 12 min · latest part <time[^>]*>June 1, 2026</time>", page)


def test_russian_series_list_counts_in_russian(client, make_series):
    make_series(parts=3, title_ru="Руководство")
    page = client.get("/ru/series/").content.decode()
    assert "Руководство" in page
    assert "3 части" in page


def test_hub_card_names_its_series(client, make_series, make_article):
    make_series(parts=1)
    make_article(title_en="Standalone")
    page = client.get("/en/").content.decode()
    assert page.count('class="card-series') == 1
    assert '<p class="card-series eyebrow"><a href="/en/series/guide/">The guide</a></p>' in page


def test_series_feed_lists_live_parts_only(client, make_series):
    make_series(parts=3)
    Article.objects.filter(slug="guide-part-2").update(status=Article.Status.DRAFT)
    feed = client.get("/ru/series/guide/feed/")
    assert feed["Content-Type"].startswith("application/rss+xml")
    body = feed.content.decode()
    assert "/ru/posts/guide-part-1/" in body
    assert "/ru/posts/guide-part-3/" in body
    assert "guide-part-2" not in body
    assert client.get("/en/series/nope/feed/").status_code == 404


@pytest.fixture
def editor_client(client, db):
    editor = get_user_model().objects.create_superuser("ed", "ed@example.org", "pw-123456!")
    client.force_login(editor)
    return client


def inline_data(series, rows, extra=()):
    data = {
        "title_en": series.title_en,
        "slug": series.slug,
        "intro_en": series.intro_en,
        "parts-TOTAL_FORMS": str(len(rows) + len(extra)),
        "parts-INITIAL_FORMS": str(len(rows)),
        "parts-MIN_NUM_FORMS": "0",
        "parts-MAX_NUM_FORMS": "1000",
    }
    for index, (part, position, delete) in enumerate(rows):
        data[f"parts-{index}-id"] = str(part.pk)
        data[f"parts-{index}-series"] = str(series.pk)
        data[f"parts-{index}-article"] = str(part.article_id)
        data[f"parts-{index}-position"] = str(position)
        if delete:
            data[f"parts-{index}-DELETE"] = "on"
    for offset, (article, position) in enumerate(extra, start=len(rows)):
        data[f"parts-{offset}-article"] = str(article.pk)
        data[f"parts-{offset}-position"] = str(position)
    return data


def test_editor_swaps_two_parts_in_the_admin(editor_client, make_series):
    series = make_series(parts=3)
    one, two, three = series.parts.order_by("position")
    data = inline_data(series, [(one, 2, False), (two, 1, False), (three, 3, False)])
    response = editor_client.post(f"/admin/series/series/{series.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert list(series.parts.values_list("article__slug", flat=True)) == [
        "guide-part-2",
        "guide-part-1",
        "guide-part-3",
    ]


def test_editor_deletes_a_part_and_adds_one_positions_stay_1_to_n(
    editor_client, make_series, make_article
):
    series = make_series(parts=3)
    extra = make_article(slug="bonus")
    one, two, three = series.parts.order_by("position")
    data = inline_data(
        series, [(one, 1, False), (two, 2, True), (three, 3, False)], extra=[(extra, 2)]
    )
    response = editor_client.post(f"/admin/series/series/{series.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert list(series.parts.values_list("article__slug", "position")) == [
        ("guide-part-1", 1),
        ("bonus", 2),
        ("guide-part-3", 3),
    ]
    assert SeriesPart.objects.count() == 3


def test_admin_refuses_an_article_already_in_another_series(editor_client, make_series):
    first = make_series(parts=1, slug="first")
    second = make_series(parts=1, slug="second")
    (only,) = second.parts.all()
    taken = Article.objects.get(slug="first-part-1")
    data = inline_data(second, [(only, 1, False)], extra=[(taken, 2)])
    response = editor_client.post(f"/admin/series/series/{second.pk}/change/", data)
    assert response.status_code == 200
    assert "already exists" in response.content.decode()
    assert first.parts.count() == 1
    assert second.parts.count() == 1


def test_sitemap_lists_series_with_live_parts_only(client, make_series):
    make_series(parts=1)
    make_series(parts=1, slug="hidden")
    Article.objects.filter(slug="hidden-part-1").update(status=Article.Status.DRAFT)
    xml = sitemap_text(client)
    assert "http://testserver/ru/series/guide/" in xml
    assert "/series/hidden/" not in xml


def test_editors_filter_articles_by_series(editor_client, make_series, make_article):
    series = make_series(parts=2)
    make_article(title_en="Standalone piece")
    page = editor_client.get(f"/admin/articles/article/?series={series.pk}").content.decode()
    assert "Guide part 1" in page
    assert "Standalone piece" not in page
