"""Demo content loading shared by the apps' `load_demo*` commands. Safe to run repeatedly."""

import io
from datetime import timedelta

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone
from modeltranslation.utils import build_localized_fieldname as localized
from PIL import Image

from articles.models import Article
from sitewide.images import content_addressed_storage
from sitewide.languages import site_languages


def png_bytes(image):
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def cover_image(seed):
    """A calm two-colour gradient, different for every article."""
    hue = sum(seed.encode()) % 360
    top = Image.new("HSV", (1200, 630), (hue * 255 // 360, 90, 200)).convert("RGB")
    bottom = Image.new("HSV", (1200, 630), ((hue + 40) % 360 * 255 // 360, 160, 110))
    mask = Image.linear_gradient("L").resize((1200, 630))
    return png_bytes(Image.composite(bottom.convert("RGB"), top, mask))


def save_once(path, make_bytes):
    if not default_storage.exists(path):
        default_storage.save(path, ContentFile(make_bytes()))
    return path


def in_languages(data, *fields):
    """A demo table's texts of these fields in every site language (title_en, title_ru…),
    empty where the table has none."""
    return {
        localized(field, lang): data.get(localized(field, lang), "")
        for field in fields
        for lang in site_languages()
    }


def load_article(data, author, posts_dir):
    """Create or update one article from its TOML table and its posts/<slug>.<lang>.md files."""
    slug = data["slug"]
    bodies = {
        lang: path.read_text(encoding="utf-8")
        for lang in site_languages()
        if (path := posts_dir / f"{slug}.{lang}.md").exists()
    }
    if "publish_in_days" in data:
        # Scheduled relative to the first load, so a second load keeps the same date.
        existing = Article.objects.filter(slug=slug).values_list("published_at", flat=True)
        published_at = existing.first() or timezone.now() + timedelta(days=data["publish_in_days"])
    else:
        published_at = data.get("published")
    defaults = {
        "author": author,
        "status": data.get("status", Article.Status.PUBLISHED),
        "published_at": published_at,
        # An article may be written in one language only: any language's fields may be missing.
        **in_languages(data, "title", "summary"),
        **{localized("body", lang): bodies.get(lang, "") for lang in site_languages()},
    }
    if data.get("cover"):
        # Named as an uploaded cover is (a keyed hash of its bytes), not after the slug: a
        # scheduled article's cover must not be found before the article is out.
        defaults["cover_image"] = content_addressed_storage().save(
            "covers/cover.png", ContentFile(cover_image(slug), name="cover.png")
        )
        defaults.update(in_languages(data, "cover_alt"))
    article, _created = Article.objects.update_or_create(slug=slug, defaults=defaults)
    return article
