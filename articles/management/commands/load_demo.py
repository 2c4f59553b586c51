"""Load the demo authors, tags and articles; running it again changes nothing new."""

import tomllib
from pathlib import Path

from django.core.management.base import BaseCommand
from django.db import transaction
from PIL import Image, ImageDraw

from articles.demo_content import in_languages, load_article, png_bytes, save_once
from articles.models import Author, Tag

DEMO_DIR = Path(__file__).resolve().parents[2] / "demo"
CHART_PATH = "demo/pool-latency.png"


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
                    **in_languages(data, "bio"),
                    "links": "\n".join(data.get("links", [])),
                },
            )

        tags = {}
        for data in content["tags"]:
            tags[data["slug"]], _ = Tag.objects.update_or_create(
                slug=data["slug"],
                defaults=in_languages(data, "name"),
            )

        for data in content["articles"]:
            article = load_article(data, authors[data["author"]], DEMO_DIR / "posts")
            article.tags.set([tags[slug] for slug in data.get("tags", [])])

        self.stdout.write(
            self.style.SUCCESS(
                f"Demo content: {len(authors)} authors, {len(tags)} tags, "
                f"{len(content['articles'])} articles."
            )
        )
