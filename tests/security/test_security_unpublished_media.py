"""An unpublished article's images are not at names anyone can work out (issue 28, finding 16).

Media are public files, served by nginx without asking the app, so what keeps a scheduled
article's cover private until it is out is its name: a keyed hash of the image, never the
slug, the upload's file name or a plain hash of bytes someone could know.
"""

import hashlib
import importlib
import io

from django.apps import apps
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import override_settings
from PIL import Image

from articles.demo_content import cover_image
from articles.models import Article
from series.models import Series
from sitewide.images import content_name, rendition_name

WIDTHS = [480, 960, 1200, 1440]


def png(color="teal", size=(800, 400)):
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, format="PNG")
    return buffer.getvalue()


def guesses(slug, stored_bytes, extension="png"):
    """Names an outsider who knows the demo content (or the picture) could try."""
    plain = hashlib.sha256(stored_bytes).hexdigest()
    stems = [f"demo-{slug}", plain]
    return [
        *(f"covers/{stem}.{extension}" for stem in stems),
        *(
            rendition_name(f"covers/{stem}.{extension}", width)
            for stem in stems
            for width in WIDTHS
        ),
    ]


def test_a_scheduled_demo_articles_cover_and_renditions_are_not_at_guessable_names(
    demo_content,
):
    article = Article.objects.get(slug="tech-radar-december-2026")
    assert not Article.objects.live().filter(pk=article.pk).exists()
    name = article.cover_image.name
    with default_storage.open(name) as stored:
        stored_bytes = stored.read()

    assert article.slug not in name
    for guess in guesses(article.slug, stored_bytes):
        assert not default_storage.exists(guess), guess
    # The cover and its renditions are there, under names only the site can make.
    assert default_storage.exists(name)
    assert default_storage.exists(rendition_name(name, 480))


def test_an_images_name_cannot_be_worked_out_from_the_picture():
    """The demo's covers are drawn from their slug: their bytes are public knowledge."""
    picture = ContentFile(cover_image("tech-radar-december-2026"))
    name = content_name("covers", picture)

    with override_settings(SECRET_KEY="another site's secret " * 3):
        assert content_name("covers", picture) != name
    assert content_name("covers", picture) == name  # still one file for the same picture


def stored_name(name):
    """The name the site gives the stored file `name` now."""
    with default_storage.open(name) as stored:
        return content_name(name.split("/")[0], ContentFile(stored.read()))


def test_a_series_cover_is_not_stored_under_its_upload_name(db):
    series = Series.objects.create(title_en="Plans for next year", slug="plans")
    series.cover_image.save("plans-for-2027.png", ContentFile(png()), save=True)

    assert "plans" not in series.cover_image.name
    assert series.cover_image.name == stored_name(series.cover_image.name)


def test_existing_demo_covers_move_to_unguessable_names(make_article, settings):
    migration = importlib.import_module("articles.migrations.0012_i28_demo_covers_unguessable")
    data = cover_image("tech-radar-december-2026")
    default_storage.save("covers/demo-tech-radar-december-2026.png", ContentFile(data))
    for width in (480, 960, 1200):
        default_storage.save(
            f"renditions/demo-tech-radar-december-2026-{width}w.webp", ContentFile(b"x")
        )
    article = make_article(
        slug="tech-radar-december-2026", cover_image="covers/demo-tech-radar-december-2026.png"
    )

    migration.rename_demo_covers(apps, None)

    article.refresh_from_db()
    name = article.cover_image.name
    assert default_storage.exists(name)
    assert name == stored_name(name)
    assert default_storage.exists(rendition_name(name, 480))
    left = sorted(p.name for p in settings.MEDIA_ROOT.rglob("*") if p.is_file())
    assert not [file for file in left if "demo-" in file], left
