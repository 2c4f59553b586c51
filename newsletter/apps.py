from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NewsletterConfig(AppConfig):
    name = "newsletter"
    verbose_name = _("Newsletter")

    def ready(self):
        from django.core import checks

        from articles.extensions import register
        from newsletter import bounces  # noqa: F401  (connects the webhook receiver)
        from newsletter.article_page import NewsletterOnArticles
        from newsletter.smtp import check_email_backend

        checks.register(check_email_backend, checks.Tags.compatibility)
        # The signup block's count under every article, read by its view.
        register(NewsletterOnArticles())
