"""Rank and store the related reading of every article that has none stored yet (after the
migration that added it, or a restore): `manage.py rank_related [--all]`.

Not needed for correctness: an article page ranks its own list the first time it is read.
It spares the first reader (or crawler) of each article that cost on a large site.
"""

from django.core.management.base import BaseCommand

from articles import related
from articles.models import Article, RelatedArticle

CHUNK = 500


class Command(BaseCommand):
    help = "Rank and store the related reading of the articles that have none stored."

    def add_arguments(self, parser):
        parser.add_argument("--all", action="store_true", help="rank every article again")

    def handle(self, *args, **options):
        articles = Article.objects.order_by("pk")
        if not options["all"]:
            worked_out = RelatedArticle.objects.filter(position=0).values("article_id")
            articles = articles.exclude(pk__in=worked_out)
        pks = list(articles.values_list("pk", flat=True))
        for start in range(0, len(pks), CHUNK):
            related.refresh(pks[start : start + CHUNK])
        self.stdout.write(f"{len(pks)} articles ranked")
