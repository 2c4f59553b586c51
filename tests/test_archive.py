from datetime import UTC, datetime

import pytest


@pytest.fixture
def years(make_article, draft_article):
    make_article(title_en="From 2025", published_at=datetime(2025, 5, 1, tzinfo=UTC))
    make_article(title_en="Early 2026", published_at=datetime(2026, 1, 2, tzinfo=UTC))
    make_article(title_en="Late 2026", published_at=datetime(2026, 11, 2, tzinfo=UTC))


def test_archive_lists_years_with_their_counts(client, years):
    english = client.get("/en/archive/").content.decode()
    assert english.index(">2026<") < english.index(">2025<")
    assert "2 articles" in english
    assert "1 article<" in english
    assert "2 статьи" in client.get("/ru/archive/").content.decode()


def test_a_year_page_lists_that_years_live_articles(client, years):
    page = client.get("/ru/archive/2026/").content.decode()
    assert "Early 2026" in page
    assert "Late 2026" in page
    assert "From 2025" not in page
    assert "Unfinished draft" not in page


@pytest.mark.parametrize("year", ["1999", "2030", "0", "99999999999"])
def test_a_year_with_nothing_published_is_404(client, years, year):
    assert client.get(f"/en/archive/{year}/").status_code == 404


def test_language_switcher_keeps_the_year(client, years):
    assert (
        "/i18n/switch/ru/?next=/en/archive/2026/"
        in client.get("/en/archive/2026/").content.decode()
    )


def test_a_year_page_asks_no_more_than_the_hand_written_view_did(
    client, years, django_assert_num_queries
):
    # Django's YearArchiveView would also ask for the year's months; the page lists none.
    client.get("/en/archive/2026/")
    with django_assert_num_queries(3):
        assert client.get("/en/archive/2026/").status_code == 200
