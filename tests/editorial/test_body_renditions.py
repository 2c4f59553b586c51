"""Body images are served as WebP renditions, made after the article is stored."""

import re

import pytest
from image_samples import image_bytes
from PIL import Image

from articles.models import Article


@pytest.fixture
def stored_image(settings):
    def store(size=(1600, 900), name="uploads/chart.png"):
        path = settings.MEDIA_ROOT / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(image_bytes("PNG", size=size))
        return name

    return store


def save_with_renditions(capture, make_article, body):
    with capture(execute=True):
        article = make_article(body_en=body, body_ru=body)
    article.refresh_from_db()
    return article


def image_tag(html):
    [tag] = re.findall(r"<img [^>]*>", html)
    return tag


def test_body_image_gets_webp_renditions_in_srcset(
    make_article, stored_image, settings, client, django_capture_on_commit_callbacks
):
    name = stored_image()
    body = f'Intro.\n\n![An orange chart](/media/{name} "Requests per second")\n'
    article = save_with_renditions(django_capture_on_commit_callbacks, make_article, body)
    for language in ("en", "ru"):
        tag = image_tag(getattr(article, f"body_html_{language}"))
        assert 'srcset="/media/renditions/chart-480w.webp 480w, ' in tag
        assert "/media/renditions/chart-1440w.webp 1440w" in tag
        # The largest rendition, not the 1600 px original, is the fallback src.
        assert 'src="/media/renditions/chart-1440w.webp"' in tag
        assert 'sizes="(min-width: 50rem) 46rem, 100vw"' in tag
        assert 'width="1600" height="900"' in tag
        assert 'loading="lazy"' in tag
        assert 'alt="An orange chart"' in tag
    assert "<figcaption>Requests per second</figcaption>" in article.body_html_en
    with Image.open(settings.MEDIA_ROOT / "renditions/chart-960w.webp") as rendition:
        assert (rendition.format, rendition.size) == ("WEBP", (960, 540))
    page = client.get(article.get_absolute_url()).content.decode()
    assert "/media/renditions/chart-960w.webp 960w" in page
    assert f'src="/media/{name}"' not in page


def test_small_body_image_is_never_scaled_up(
    make_article, stored_image, django_capture_on_commit_callbacks
):
    name = stored_image(size=(300, 200), name="uploads/small.png")
    article = save_with_renditions(
        django_capture_on_commit_callbacks, make_article, f"![Small](/media/{name})"
    )
    tag = image_tag(article.body_html_en)
    assert 'srcset="/media/renditions/small-300w.webp 300w"' in tag


def test_renditions_wait_for_the_commit(make_author, stored_image, settings):
    # Inside the transaction nothing is resized: the save stays quick and cannot fail on it.
    # (make_article runs the after-commit work, so the article is created by hand here.)
    name = stored_image()
    article = Article.objects.create(
        title_en="Chart", slug="chart", author=make_author(), body_en=f"![Chart](/media/{name})"
    )
    assert "srcset" not in article.body_html_en
    assert not (settings.MEDIA_ROOT / "renditions").exists()


@pytest.mark.parametrize(
    "body",
    [
        "![Gone](/media/uploads/missing.png)",
        "![Not an image](/media/uploads/notes.png)",
        "![Elsewhere](https://example.org/picture.png)",
    ],
    ids=["missing file", "unreadable file", "remote image"],
)
def test_images_without_renditions_keep_the_article(
    make_article, settings, body, django_capture_on_commit_callbacks
):
    (settings.MEDIA_ROOT / "uploads").mkdir(parents=True)
    (settings.MEDIA_ROOT / "uploads/notes.png").write_text("not a picture")
    article = save_with_renditions(django_capture_on_commit_callbacks, make_article, body)
    assert Article.objects.filter(pk=article.pk).exists()
    assert "srcset" not in article.body_html_en
    assert "<img " in article.body_html_en


def test_a_failing_rendition_never_loses_the_article(
    make_article, stored_image, monkeypatch, django_capture_on_commit_callbacks, caplog
):
    def broken(_file):
        raise RuntimeError("disk full")

    monkeypatch.setattr("sitewide.renditions.make_renditions", broken)
    name = stored_image()
    article = save_with_renditions(
        django_capture_on_commit_callbacks, make_article, f"Kept.\n\n![Chart](/media/{name})"
    )
    assert "Kept." in article.body_html_en
    assert f'src="/media/{name}"' in article.body_html_en
    assert "disk full" in caplog.text


def test_renditions_missed_once_are_made_on_the_next_save(
    make_article, stored_image, monkeypatch, django_capture_on_commit_callbacks
):
    name = stored_image()
    with monkeypatch.context() as patch:
        patch.setattr("sitewide.renditions.make_renditions", lambda _file: None)
        article = save_with_renditions(
            django_capture_on_commit_callbacks, make_article, f"![Chart](/media/{name})"
        )
    assert "srcset" not in article.body_html_en
    with django_capture_on_commit_callbacks(execute=True):
        article.save()  # nothing changed in the text
    article.refresh_from_db()
    assert "/media/renditions/chart-960w.webp 960w" in article.body_html_en


def test_an_article_without_images_has_nothing_to_do_after_commit(
    make_article, monkeypatch, django_capture_on_commit_callbacks
):
    calls = []
    monkeypatch.setattr(Article, "update_body_renditions", calls.append)
    with django_capture_on_commit_callbacks(execute=True):
        make_article(body_en="Text only, and a [link](https://example.org).")
    assert calls == []
