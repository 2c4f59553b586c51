"""Draw every social preview image again: after a bulk import or a change of font or colours.

It lives in the series app because it draws both apps' images (series imports articles).
"""

from django.core.management.base import BaseCommand

from articles.models import Article
from articles.social import make_article_images
from series.models import Series
from series.social import make_series_images
from sitewide.social import make_site_images


class Command(BaseCommand):
    help = "Draw the social preview images of the site, every article and every series."

    def handle(self, *args, **options):
        make_site_images()
        articles = list(Article.objects.values_list("pk", flat=True))
        for pk in articles:
            make_article_images(pk)
        series = list(Series.objects.values_list("pk", flat=True))
        for pk in series:
            make_series_images(pk)
        self.stdout.write(
            f"Social images drawn for the site, {len(articles)} articles and {len(series)} series."
        )
