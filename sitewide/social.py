"""Social preview images (1200x630, Open Graph and Twitter cards), drawn once per save.

The drawing and the site's own card; the apps above describe their cards (`Card`) and call
`save_card`. One PNG per article, series and site, per language, at a stable address in MEDIA_ROOT
(`social/article-<pk>-<lang>-<token>.png`), overwritten when its subject is saved; pages add
`?v=<last change>` so sharing sites fetch the new picture. Drawing happens after the
saving transaction commits, never in the request that reads the page.
"""

import logging
from dataclasses import dataclass
from functools import lru_cache
from io import BytesIO
from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver
from django.utils import translation
from django.utils.crypto import salted_hmac
from PIL import Image, ImageDraw, ImageFont, ImageOps

from sitewide.models import SiteSettings

logger = logging.getLogger(__name__)

WIDTH, HEIGHT = 1200, 630
MARGIN = 80
FONT_PATH = Path(__file__).resolve().parent / "fonts" / "DejaVuSans-Bold.ttf"
# The site's own colours (static/css/site.css: the dark theme's background and accent).
BACKGROUND = (18, 21, 25)
ACCENT = (140, 192, 255)
TEXT = (229, 232, 236)
MUTED = (164, 173, 186)
TITLE_SIZES = (68, 60, 52, 46)
TITLE_LINES = 4


@dataclass(frozen=True)
class Card:
    title: str
    eyebrow: str
    footer: str
    cover_name: str = ""


@lru_cache(maxsize=16)
def font(size):
    return ImageFont.truetype(str(FONT_PATH), size)


def wrap(draw, text, typeface, width):
    lines, line = [], ""
    for word in text.split():
        candidate = f"{line} {word}".strip()
        if draw.textlength(candidate, font=typeface) <= width or not line:
            line = candidate
        else:
            lines.append(line)
            line = word
    if line:
        lines.append(line)
    return lines


def fit_title(draw, text, width):
    """The largest title size whose lines fit; the last size cuts the title with an ellipsis."""
    for size in TITLE_SIZES:
        typeface = font(size)
        lines = wrap(draw, text, typeface, width)
        if len(lines) <= TITLE_LINES:
            return typeface, lines
    lines = lines[:TITLE_LINES]
    lines[-1] = lines[-1].rstrip(".,;:") + "…"
    return typeface, lines


def cut(draw, text, typeface, width):
    while text and draw.textlength(text, font=typeface) > width:
        text = text[:-2] + "…"
    return text


def background(cover_name):
    """The cover image, cropped to fill and darkened under the text, else the site colour."""
    if cover_name:
        try:
            with default_storage.open(cover_name) as file, Image.open(file) as cover:
                filled = ImageOps.fit(cover.convert("RGB"), (WIDTH, HEIGHT))
            return Image.blend(filled, Image.new("RGB", (WIDTH, HEIGHT), BACKGROUND), 0.78)
        except (OSError, ValueError, Image.DecompressionBombError):
            logger.warning("Cover %s could not be read for a social image", cover_name)
    return Image.new("RGB", (WIDTH, HEIGHT), BACKGROUND)


def draw_card(card):
    image = background(card.cover_name)
    draw = ImageDraw.Draw(image)
    text_width = WIDTH - 2 * MARGIN
    draw.rectangle([0, 0, 16, HEIGHT], fill=ACCENT)
    small = font(30)
    if card.eyebrow:
        draw.text((MARGIN, MARGIN), cut(draw, card.eyebrow, small, text_width), ACCENT, small)
    typeface, lines = fit_title(draw, card.title, text_width)
    line_height = int(typeface.size * 1.22)
    top = (HEIGHT - line_height * len(lines)) // 2
    for number, line in enumerate(lines):
        draw.text((MARGIN, top + number * line_height), line, TEXT, typeface)
    draw.text(
        (MARGIN, HEIGHT - MARGIN - 30), cut(draw, card.footer, small, text_width), MUTED, small
    )
    output = BytesIO()
    image.save(output, "PNG", compress_level=6)
    return output.getvalue()


def image_name(kind, pk, language):
    """A stable name nobody can guess: a scheduled article's card must not leak its title."""
    token = salted_hmac("social-image", f"{kind}-{pk}-{language}").hexdigest()[:20]
    return f"social/{kind}-{pk}-{language}-{token}.png"


def image_url(kind, pk, language, version=None):
    url = default_storage.url(image_name(kind, pk, language))
    return f"{url}?v={int(version.timestamp())}" if version else url


def save_card(name, card):
    if default_storage.exists(name):
        default_storage.delete(name)
    default_storage.save(name, ContentFile(draw_card(card)))


def languages():
    return [code for code, _name in settings.LANGUAGES]


def make_site_images():
    site = SiteSettings.load()
    for language in languages():
        with translation.override(language):
            card = Card(title=site.name, eyebrow="", footer=site.tagline)
        save_card(image_name("site", 1, language), card)


def after_commit(job):
    """Draw once the save is committed; SOCIAL_IMAGES=false skips it (bulk imports, tests)."""
    if settings.SOCIAL_IMAGES:
        transaction.on_commit(job)


def delete_images(kind, pk):
    for language in languages():
        name = image_name(kind, pk, language)
        if default_storage.exists(name):
            default_storage.delete(name)


@receiver(post_save, sender=SiteSettings, dispatch_uid="social-site-saved")
def site_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        after_commit(make_site_images)
