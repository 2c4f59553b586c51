"""Load the demo series; run after `load_demo`, which loads the authors and tags it uses."""

import tomllib
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from articles.demo_content import in_languages, load_article
from articles.models import Author, Tag
from series.models import Series, SeriesPart

DEMO_DIR = Path(__file__).resolve().parents[2] / "demo"


class Command(BaseCommand):
    help = "Load the demo series and its parts. Safe to run more than once."

    @transaction.atomic
    def handle(self, *args, **options):
        data = tomllib.loads((DEMO_DIR / "series.toml").read_text(encoding="utf-8"))
        try:
            author = Author.objects.get(slug=data["author"])
        except Author.DoesNotExist as error:
            raise CommandError("Run `manage.py load_demo` first: it loads the authors.") from error

        series, _created = Series.objects.update_or_create(
            slug=data["slug"],
            defaults=in_languages(data, "title", "intro"),
        )
        parts = []
        for part_data in data["parts"]:
            article = load_article(part_data, author, DEMO_DIR / "posts")
            article.tags.set(Tag.objects.filter(slug__in=part_data.get("tags", [])))
            part = SeriesPart.objects.filter(article=article).first()
            parts.append(part or SeriesPart(series=series, article=article, position=0))
        series.renumber(parts)
        self.stdout.write(self.style.SUCCESS(f"Demo series: {series.title}, {len(parts)} parts."))
