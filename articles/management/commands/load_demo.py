"""Load the demo authors, tags and articles; running it again changes nothing new."""

import io
import tomllib
from datetime import timedelta
from pathlib import Path

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone
from PIL import Image, ImageDraw

from articles.models import Article, Author, Tag

DEMO_DIR = Path(__file__).resolve().parents[2] / "demo"
CHART_PATH = "demo/pool-latency.png"


def png_bytes(image):
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def latency_chart():
    """A bar chart of p50/p99 latency by pool size, drawn rather than shipped as a binary."""
    sizes = [5, 10, 20, 40, 80]
    p50 = [38, 21, 14, 16, 27]
    p99 = [210, 95, 48, 71, 160]
    image = Image.new("RGB", (800, 420), "white")
    draw = ImageDraw.Draw(image)
    draw.line([(60, 360), (780, 360)], fill="#444", width=2)
    draw.line([(60, 20), (60, 360)], fill="#444", width=2)
    scale = 320 / max(p99)
    for index, size in enumerate(sizes):
        left = 90 + index * 140
        for offset, value, colour in ((0, p50[index], "#4c8bd6"), (44, p99[index], "#d9822b")):
            draw.rectangle(
                [left + offset, 360 - value * scale, left + offset + 40, 360], fill=colour
            )
            draw.text((left + offset + 6, 344 - value * scale), f"{value}", fill="#222")
        draw.text((left + 26, 370), f"{size} conns", fill="#222")
    draw.rectangle([600, 30, 615, 45], fill="#4c8bd6")
    draw.text((622, 32), "p50, ms", fill="#222")
    draw.rectangle([600, 55, 615, 70], fill="#d9822b")
    draw.text((622, 57), "p99, ms", fill="#222")
    return png_bytes(image)


def cover_image(seed):
    """A calm two-colour gradient, different for every article."""
    hue = sum(seed.encode()) % 360
    top = Image.new("HSV", (1200, 630), (hue * 255 // 360, 90, 200)).convert("RGB")
    bottom = Image.new("HSV", (1200, 630), ((hue + 40) % 360 * 255 // 360, 160, 110)).convert("RGB")
    mask = Image.linear_gradient("L").resize((1200, 630))
    return png_bytes(Image.composite(bottom, top, mask))


def save_once(path, make_bytes):
    if not default_storage.exists(path):
        default_storage.save(path, ContentFile(make_bytes()))
    return path


class Command(BaseCommand):
    help = "Load demo content (authors, tags, articles). Safe to run more than once."

    @transaction.atomic
    def handle(self, *args, **options):
        content = tomllib.loads((DEMO_DIR / "content.toml").read_text(encoding="utf-8"))
        save_once(CHART_PATH, latency_chart)

        authors = {}
        for data in content["authors"]:
            authors[data["slug"]], _ = Author.objects.update_or_create(
                slug=data["slug"],
                defaults={
                    "name": data["name"],
                    "bio_en": data.get("bio_en", ""),
                    "bio_ru": data.get("bio_ru", ""),
                    "links": "\n".join(data.get("links", [])),
                },
            )

        tags = {}
        for data in content["tags"]:
            tags[data["slug"]], _ = Tag.objects.update_or_create(
                slug=data["slug"],
                defaults={"name_en": data["name_en"], "name_ru": data.get("name_ru", "")},
            )

        for data in content["articles"]:
            article = self.load_article(data, authors)
            article.tags.set([tags[slug] for slug in data.get("tags", [])])

        self.stdout.write(
            self.style.SUCCESS(
                f"Demo content: {len(authors)} authors, {len(tags)} tags, "
                f"{len(content['articles'])} articles."
            )
        )

    def load_article(self, data, authors):
        slug = data["slug"]
        bodies = {
            lang: path.read_text(encoding="utf-8")
            for lang in ("en", "ru")
            if (path := DEMO_DIR / "posts" / f"{slug}.{lang}.md").exists()
        }
        if "publish_in_days" in data:
            # Scheduled relative to the first load, so it stays in the future for a while.
            existing = Article.objects.filter(slug=slug).values_list("published_at", flat=True)
            published_at = existing.first() or timezone.now() + timedelta(
                days=data["publish_in_days"]
            )
        else:
            published_at = data.get("published")
        defaults = {
            "author": authors[data["author"]],
            "status": data.get("status", Article.Status.PUBLISHED),
            "published_at": published_at,
            "title_en": data["title_en"],
            "summary_en": data.get("summary_en", ""),
            "body_en": bodies["en"],
            "title_ru": data.get("title_ru", ""),
            "summary_ru": data.get("summary_ru", ""),
            "body_ru": bodies.get("ru", ""),
        }
        if data.get("cover"):
            defaults["cover_image"] = save_once(
                f"covers/demo-{slug}.png", lambda: cover_image(slug)
            )
            defaults["cover_alt_en"] = "Abstract colour gradient"
            defaults["cover_alt_ru"] = "Абстрактный цветовой градиент"
        article, _ = Article.objects.update_or_create(slug=slug, defaults=defaults)
        return article
