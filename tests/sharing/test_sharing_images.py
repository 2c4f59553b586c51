"""Social preview images: drawn after the save commits, 1200x630, per language, served."""

from io import BytesIO

from conftest import meta_tags
from django.core.files.storage import default_storage
from PIL import Image

from articles.models import Article
from sitewide.models import SiteSettings
from sitewide.social import image_name, make_site_images


def og_image(client, url):
    image_url = meta_tags(client.get(url).content.decode())["og:image"][0]
    response = client.get(image_url.removeprefix("http://testserver"))
    assert response.status_code == 200, image_url
    return Image.open(BytesIO(b"".join(response.streaming_content)))


def test_article_and_series_images_answer_200_at_1200x630(
    client, social_images, make_series, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        make_series(parts=2, slug="guide", title_ru="Руководство")
    for url in ["/en/posts/guide-part-1/", "/ru/posts/guide-part-1/", "/en/series/guide/"]:
        image = og_image(client, url)
        assert image.size == (1200, 630)
        assert image.format == "PNG"


def test_each_language_gets_its_own_image(social_images, make_article):
    article = make_article(title_en="Indexes", title_ru="Индексы", body_ru="Текст.")
    english = default_storage.open(image_name("article", article.pk, "en")).read()
    russian = default_storage.open(image_name("article", article.pk, "ru")).read()
    assert english != russian


def test_image_is_redrawn_when_the_title_changes(
    social_images, make_article, django_capture_on_commit_callbacks
):
    article = make_article(title_en="First title")
    before = default_storage.open(image_name("article", article.pk, "en")).read()
    with django_capture_on_commit_callbacks(execute=True):
        article.title_en = "A different title altogether"
        article.save()
    assert default_storage.open(image_name("article", article.pk, "en")).read() != before


def test_no_image_is_drawn_until_the_save_commits(
    social_images, make_author, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        article = Article.objects.create(title_en="Pending", slug="pending", author=make_author())
    assert not default_storage.exists(image_name("article", article.pk, "en"))
    for callback in callbacks:
        callback()
    assert default_storage.exists(image_name("article", article.pk, "en"))


def test_a_scheduled_article_image_name_cannot_be_guessed(scheduled_article):
    name = image_name("article", scheduled_article.pk, "en")
    assert name != f"social/article-{scheduled_article.pk}-en.png"
    assert len(name.rsplit("-", 1)[1]) >= 20


def test_site_image_for_listings(client, db):
    SiteSettings.load()
    make_site_images()
    image = og_image(client, "/ru/tags/")
    assert image.size == (1200, 630)


def test_the_image_shows_cyrillic_with_the_shipped_font(social_images, make_article):
    from sitewide.social import FONT_PATH

    assert FONT_PATH.is_file()
    assert FONT_PATH.is_relative_to(FONT_PATH.parents[2])  # inside the project, not the system
    from PIL import ImageFont

    font = ImageFont.truetype(str(FONT_PATH), 40)
    # A font without Cyrillic draws every letter as the same empty box.
    boxes = {font.getmask(letter).getbbox() for letter in "ИНДЕКС"}
    assert len(boxes) > 1


def test_a_deleted_article_takes_its_images_with_it(
    social_images, make_article, django_capture_on_commit_callbacks
):
    article = make_article(title_en="Short-lived")
    names = [image_name("article", article.pk, lang) for lang in ("en", "ru")]
    assert all(default_storage.exists(name) for name in names)
    with django_capture_on_commit_callbacks(execute=True):
        article.delete()
    assert not any(default_storage.exists(name) for name in names)
