"""The demo site (authors, articles, series, newsletter) for a site that has no content yet.

`make run` and `make prod` call it on every start: it never touches a site that already has an
article, so an edit or a deletion made in the admin survives a restart.
"""

from django.core.management import call_command
from django.core.management.base import BaseCommand

from articles.models import Article

LOADERS = ("load_demo", "load_demo_series", "load_newsletter_demo")


class Command(BaseCommand):
    help = "Load the demo content into a site with no articles; do nothing otherwise."

    def handle(self, *args, **options):
        if Article.objects.exists():
            self.stdout.write(
                "The site has content already: demo content not loaded "
                "(README, «Starting over», says how to reset it)."
            )
            return
        for loader in LOADERS:
            call_command(loader, verbosity=options["verbosity"])
