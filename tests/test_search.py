from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from factories import new_ada_writer, new_article

from articles import search as search_module
from articles.models import Article, Author

pytestmark = pytest.mark.template_context  # reads response.context


def make_library():
    # tests/conftest.py's draft and scheduled articles, and two live ones.
    author = new_ada_writer()
    draft_article = new_article(
        title_en="Unfinished draft", slug="draft", status=Article.Status.DRAFT, author=author
    )
    scheduled_article = new_article(
        title_en="Coming next week",
        slug="scheduled",
        published_at=timezone.now() + timedelta(days=7),
        author=author,
    )
    new_article(
        slug="pools",
        title_en="Connection pool sizing",
        body_en="How many database connections does a service need?",
        title_ru="Размер пула соединений",
        body_ru="Сколько соединений к базе данных нужно сервису?",
    )
    new_article(slug="flags", title_en="Feature flags", body_en="Flags need owners.")
    Article.objects.filter(pk__in=[draft_article.pk, scheduled_article.pk]).update(
        body_en="connections everywhere"
    )


@pytest.fixture
def library(db, made_once):
    # Made once for the module and copied into each of the dozen tests that search it.
    made_once("library", make_library)


def result_slugs(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return [article.slug for article in response.context["page"]]


def test_search_finds_live_articles_only(client, library):
    assert result_slugs(client, "/en/search/?q=connections") == ["pools"]


def test_search_in_russian_finds_russian_text(client, library):
    assert result_slugs(client, "/ru/search/?q=соединений") == ["pools"]


def test_russian_search_also_finds_english_only_articles(client, library):
    assert result_slugs(client, "/ru/search/?q=flags") == ["flags"]


def test_search_with_no_match_says_so(client, library):
    page = client.get("/en/search/?q=kubernetes").content.decode()
    assert "0 results for “kubernetes”" in page


def test_empty_or_huge_queries_are_answered_not_errors(client, library):
    assert client.get("/en/search/").status_code == 200
    assert client.get("/en/search/?q=%20%20").context["page"] is None
    response = client.get("/en/search/?q=" + "x" * 5000)
    assert response.status_code == 200
    assert len(response.context["query"]) == 200


@pytest.mark.parametrize("query", ["'", '"unbalanced', "a & b | !c", "<script>", "%00", "-"])
def test_odd_queries_do_not_break_search(client, library, query):
    response = client.get("/en/search/", {"q": query})
    assert response.status_code == 200
    assert "<script>" not in response.content.decode().split("<main", 1)[1]


def test_search_pagination_keeps_the_query(client, make_article, author):
    for number in range(11):
        make_article(slug=f"pool-{number}", title_en=f"Pool {number}", author=author)
    page = client.get("/en/search/?q=pool").content.decode()
    assert 'rel="next" href="?q=pool&amp;page=2"' in page
    assert len(result_slugs(client, "/en/search/?q=pool&page=2")) == 1


def test_search_runs_a_constant_number_of_queries(client, make_article, author):
    def count(url):
        client.get(url)
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        return len(queries)

    for number in range(3):
        make_article(slug=f"a-{number}", title_en=f"Pool {number}", author=author)
    small = count("/en/search/?q=pool")
    for number in range(3, 30):
        make_article(slug=f"a-{number}", title_en=f"Pool {number}", author=author)
    assert count("/en/search/?q=pool") == small


def test_language_switcher_keeps_the_search(client, library):
    page = client.get("/en/search/?q=pool").content.decode()
    assert "/i18n/switch/ru/?next=/en/search/%3Fq%3Dpool" in page


# "Best first" (articles/search.py): the whole entry's score (title above body), ties newest
# first; only the CANDIDATES newest matches are scored.
def ranked_library(make_article, author):
    now = timezone.now()
    old_title = make_article(
        slug="old-title", title_en="Latency budgets", published_at=now - timedelta(days=30),
        author=author,
    )  # fmt: skip
    # Identical texts score the same; the newer one is made first, so its id is the lower.
    same = {
        "title_en": "Notes",
        "summary_en": "Notes.",
        "body_en": "We measured latency.",
        "author": author,
    }
    newer = make_article(slug="newer-tie", published_at=now - timedelta(days=2), **same)
    older = make_article(slug="older-tie", published_at=now - timedelta(days=3), **same)
    newest = make_article(
        slug="newest-body", title_en="Queues", body_en="Latency latency latency, then latency.",
        published_at=now - timedelta(days=1), author=author,
    )  # fmt: skip
    return old_title, newer, older, newest


def test_search_ranks_the_best_match_first_and_ties_newest_first(client, make_article, author):
    ranked_library(make_article, author)
    found = result_slugs(client, "/en/search/?q=latency")
    assert found[0] == "old-title"  # the word in its title outranks any body, however new
    assert found.index("newer-tie") == found.index("older-tie") - 1
    assert sorted(found) == ["newer-tie", "newest-body", "old-title", "older-tie"]
    assert "4 results for “latency”" in client.get("/en/search/?q=latency").content.decode()


def test_a_common_word_is_ranked_among_its_newest_matches(
    client, make_article, author, monkeypatch
):
    monkeypatch.setattr(search_module, "CANDIDATES", 3)
    ranked_library(make_article, author)
    response = client.get("/en/search/?q=latency")
    found = [article.slug for article in response.context["page"]]
    # The three newest matches, best first (the oldest's title match is past the bound).
    assert "old-title" not in found
    assert found.index("newer-tie") == found.index("older-tie") - 1
    assert sorted(found) == ["newer-tie", "newest-body", "older-tie"]
    page = response.content.decode()
    assert "More than 3 results for “latency”" in page
    assert "3 results for “latency”" not in page.replace("More than 3 results", "")
    russian = client.get("/ru/search/?q=latency").content.decode()
    assert "Больше 3 результатов по запросу «latency»" in russian


@pytest.mark.django_db(transaction=True)
def test_a_flush_leaves_no_entry_for_the_next_article_given_the_same_id(client, make_article):
    # An entry outside the models' tables (SQLite's FTS5) must go with its article, or the
    # next article given that id is found by the old one's words.
    make_article(slug="gone", title_en="Vacuum tuning", body_en="Vacuum every night.")
    call_command("flush", interactive=False, verbosity=0)
    author = Author.objects.create(name="Ada Writer", slug="ada-writer")
    # Made without a save, so it gets no entry of its own (as by a bulk import).
    Article.objects.bulk_create(
        [Article(title_en="Unrelated", slug="unrelated", author=author,
                 status=Article.Status.PUBLISHED, published_at=timezone.now())]
    )  # fmt: skip
    assert result_slugs(client, "/en/search/?q=vacuum") == []
