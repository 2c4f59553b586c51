import pytest

from articles.models import Article


@pytest.fixture
def local_story(make_article, make_tag, author):
    tag = make_tag(slug="local")
    article = make_article(
        slug="local-story",
        title_en="A story for English readers",
        summary_en="Only interesting in English.",
        hidden_languages=["ru"],
        tags=[tag],
        author=author,
    )
    return article


@pytest.mark.parametrize(
    "path",
    ["/{lang}/", "/{lang}/tags/local/", "/{lang}/authors/ada-writer/", "/{lang}/feed/",
     "/{lang}/search/?q=interesting"],  # a summary word: a title word would be highlighted
)  # fmt: skip
def test_an_article_hidden_in_russian_is_left_off_russian_listings(client, local_story, path):
    english = client.get(path.format(lang="en")).content.decode()
    russian = client.get(path.format(lang="ru")).content.decode()
    assert "A story for English readers" in english
    assert "A story for English readers" not in russian


def test_a_hidden_translated_article_stays_readable_but_not_indexed(client, local_story):
    local_story.title_ru, local_story.body_ru = "История для своих", "Текст."
    local_story.save()
    russian = client.get("/ru/posts/local-story/")
    english = client.get("/en/posts/local-story/")
    assert russian.status_code == 200
    assert '<meta name="robots" content="noindex">' in russian.content.decode()
    assert "noindex" not in english.content.decode()


def test_a_hidden_article_missing_in_the_language_points_to_its_own(client, local_story):
    # Kept off the Russian edition and not written in Russian: nothing to read there (issue 22,
    # the same rule as for a Russian-only article kept off the English edition).
    russian = client.get("/ru/posts/local-story/")
    assert russian.status_code == 404
    assert '<a href="/en/posts/local-story/" hreflang="en" lang="en">' in russian.content.decode()


def test_editor_chooses_hidden_languages_with_checkboxes(admin_client, local_story):
    page = admin_client.get(f"/admin/articles/article/{local_story.pk}/change/").content.decode()
    assert 'type="checkbox" name="hidden_languages" value="ru"' in page
    assert Article.objects.listed().count() == 1
