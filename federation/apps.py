from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FederationConfig(AppConfig):
    name = "federation"
    verbose_name = _("Fediverse")

    def ready(self):
        from articles.extensions import register
        from federation.article_page import FederationOnArticles

        # The account to follow and the replies under the article, read by its view.
        register(FederationOnArticles())
