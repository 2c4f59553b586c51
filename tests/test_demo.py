from django.core.management import call_command

from articles.models import Article, Author, Tag


def counts():
    return (Author.objects.count(), Tag.objects.count(), Article.objects.count())


# `demo_content` is what the first run of the loaders left (tests/conftest.py runs them once).


def test_a_second_run_of_the_demo_loader_duplicates_nothing(demo_content):
    first = counts()
    bodies = dict(Article.objects.values_list("slug", "body_html_en"))
    call_command("load_demo", verbosity=0)
    assert counts() == first
    assert dict(Article.objects.values_list("slug", "body_html_en")) == bodies


def test_demo_content_has_the_shape_of_the_site(demo_content):
    live = Article.objects.live()
    assert Author.objects.count() >= 3
    assert live.count() >= 12
    assert live.exclude(body_ru="").exclude(body_ru=None).exists()
    assert live.filter(body_ru="").exists() or live.filter(body_ru=None).exists()
    assert Article.objects.scheduled().exists()
    assert Article.objects.filter(status=Article.Status.DRAFT).exists()
    rich = (
        Article.objects.filter(body_html_en__contains='<div class="highlight">')
        .filter(body_html_en__contains="<table")
        .filter(body_html_en__contains="<img")
    )
    assert rich.exists()


def test_demo_image_is_written_to_media(demo_content, settings):
    assert (settings.MEDIA_ROOT / "demo" / "pool-latency.png").exists()


def test_the_copied_demo_content_is_searchable_in_both_languages(client, demo_content):
    # The search entries live outside the ORM (an FTS5 table on SQLite): they come along too.
    for language in ("en", "ru"):
        page = client.get(f"/{language}/search/?q=pgbouncer").content.decode()
        assert "/posts/postgres-connection-pool-sizing/" in page, language


def test_an_article_made_after_the_demo_content_gets_a_fresh_id(demo_content, make_article):
    highest = Article.objects.order_by("-pk").values_list("pk", flat=True).first()
    assert make_article().pk > highest


def test_the_demo_has_an_article_written_in_russian_only_listed_on_both_editions(
    client, demo_content
):
    [only] = [article for article in Article.objects.live() if article.languages == ["ru"]]
    english_hub = client.get("/en/").content.decode()
    assert f'<a href="/en/posts/{only.slug}/" lang="ru">{only.title_ru}</a>' in english_hub
    assert (
        f'href="/ru/posts/{only.slug}/">{only.title_ru}</a>' in client.get("/ru/").content.decode()
    )
