"""Search finds series and tags too, in both languages, and an empty result suggests them."""

import pytest
from django.utils import translation

from articles.models import Article


@pytest.fixture
def indexes_series(make_series):
    series = make_series(
        slug="indexes",
        title_en="Indexes that pay for themselves",
        intro_en="Finding the missing index and dropping the unused ones.",
        title_ru="Индексы, которые окупаются",
        intro_ru="Как найти недостающий индекс и удалить лишние индексы.",
        parts=2,
    )
    return series


def test_a_russian_word_form_finds_the_russian_series(client, indexes_series):
    page = client.get("/ru/search/", {"q": "индексов"}).content.decode()
    assert "Индексы, которые окупаются" in page
    assert indexes_series.get_absolute_url().replace("/en/", "/ru/") in page


def test_an_english_search_finds_the_series_by_its_introduction(client, indexes_series):
    page = client.get("/en/search/", {"q": "dropping unused"}).content.decode()
    assert "Indexes that pay for themselves" in page


def found(page):
    """The series and tags found, not those suggested after an empty result."""
    return (
        page.split('class="search-also"', 1)[1].split("</section>", 1)[0]
        if ('class="search-also"' in page)
        else ""
    )


def test_a_word_left_out_leaves_the_series_out(client, indexes_series):
    page = client.get("/en/search/", {"q": "index -unused"}).content.decode()
    assert "Indexes that pay for themselves" not in found(page)
    assert "Indexes that pay for themselves" in found(
        client.get("/en/search/", {"q": "index"}).content.decode()
    )


def test_a_series_without_a_live_part_is_not_found(client, indexes_series):
    Article.objects.filter(series_part__series=indexes_series).update(status="draft")
    page = client.get("/en/search/", {"q": "indexes"}).content.decode()
    assert "Indexes that pay for themselves" not in page  # neither found nor suggested


def test_a_tag_is_found_by_its_name_in_each_language(client, make_article, make_tag):
    tag = make_tag(name_en="Observability", name_ru="Наблюдаемость", slug="observability")
    make_article(tags=[tag])
    assert "Observability" in client.get("/en/search/", {"q": "observability"}).content.decode()
    with translation.override("ru"):
        page = client.get("/ru/search/", {"q": "наблюдаемости"}).content.decode()
    assert "Наблюдаемость" in page


def test_a_tag_with_no_live_article_is_not_found(client, draft_article, make_tag):
    tag = make_tag(name_en="Observability", slug="observability")
    draft_article.tags.set([tag])
    page = client.get("/en/search/", {"q": "observability"}).content.decode()
    assert "Observability" not in page


def test_an_empty_result_suggests_tags_and_series(client, indexes_series, make_tag):
    tag = make_tag(name_en="Databases", slug="databases")
    indexes_series.parts.first().article.tags.set([tag])
    page = client.get("/en/search/", {"q": "kubernetes"}).content.decode()
    assert "No published article matches" in page
    assert "Popular tags" in page
    assert "Databases" in page
    assert "Indexes that pay for themselves" in page


def test_a_renamed_tag_is_found_in_its_articles_entries(
    client, make_article, make_tag, django_capture_on_commit_callbacks
):
    tag = make_tag(name_en="Zebrafish", slug="zebrafish")
    make_article(title_en="Aquarium notes", tags=[tag])
    with django_capture_on_commit_callbacks(execute=True):
        tag.name_en = "Quokkas"
        tag.save()
    page = client.get("/en/search/", {"q": "quokkas"}).content.decode()
    assert "Aquarium notes" in page


@pytest.mark.parametrize(
    "change",
    [
        lambda article, tag: article.unpublish(),
        lambda article, tag: article.tags.add(tag),
        lambda article, tag: setattr(article, "title_en", "Retitled") or article.save(),
        lambda article, tag: tag.save(),  # saved without a new name
    ],
    ids=["unpublish", "tag added", "article edited", "tag saved unchanged"],
)
def test_an_article_joining_or_leaving_a_tag_indexes_only_itself(
    change, monkeypatch, make_article, make_tag, django_capture_on_commit_callbacks
):
    from articles import search_index

    tag, other_tag = make_tag(slug="shared"), make_tag(slug="other")
    article = make_article(tags=[other_tag])
    make_article(tags=[tag, other_tag])  # under both tags: never indexed again here
    indexed = []
    original = search_index.refresh
    monkeypatch.setattr(
        search_index, "refresh", lambda ids, **kw: indexed.append(set(ids)) or original(ids, **kw)
    )
    with django_capture_on_commit_callbacks(execute=True):
        change(article, tag)
    assert set().union(*indexed) <= {article.pk}
