from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SeriesConfig(AppConfig):
    name = "series"
    verbose_name = _("Series")

    def ready(self):
        from articles.extensions import register
        from series.article_page import SeriesOnArticles

        # The strip, the series in the metadata and on the card, the next part to read.
        register(SeriesOnArticles())
