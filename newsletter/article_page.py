"""The signup block under an article (see articles/extensions.py)."""

from articles.extensions import ArticleExtension
from newsletter.models import signup_context


class NewsletterOnArticles(ArticleExtension):
    def page_context(self, article):
        return signup_context()
