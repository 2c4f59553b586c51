from django.core.management import call_command

from articles.models import Article, Author, Tag


def counts():
    return (Author.objects.count(), Tag.objects.count(), Article.objects.count())


def test_demo_content_loads_and_a_second_run_duplicates_nothing(db, settings):
    call_command("load_demo", verbosity=0)
    first = counts()
    bodies = dict(Article.objects.values_list("slug", "body_html_en"))
    call_command("load_demo", verbosity=0)
    assert counts() == first
    assert dict(Article.objects.values_list("slug", "body_html_en")) == bodies


def test_demo_content_has_the_shape_of_the_site(db):
    call_command("load_demo", verbosity=0)
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


def test_demo_image_is_written_to_media(db, settings):
    call_command("load_demo", verbosity=0)
    assert (settings.MEDIA_ROOT / "demo" / "pool-latency.png").exists()
