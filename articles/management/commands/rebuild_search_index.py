"""Rebuild every article's search entries: after a bulk import, a restore or a database switch."""

from django.core.management.base import BaseCommand

from articles import search_index


class Command(BaseCommand):
    help = "Rebuild the full-text search index of every article, in every language."

    def handle(self, *args, **options):
        count = search_index.rebuild()
        self.stdout.write(f"Search index rebuilt for {count} articles.")
