from django.db import models
from django.utils import timezone
from django.utils.translation import get_language

# Long texts a card never shows; loading them made the hub noticeably slower.
CARD_SKIPS = [
    f"{field}_{language}"
    for field in ("body", "body_html", "toc_html")
    for language in ("en", "ru")
] + ["translation_source"]


def live_q(prefix=""):
    """Published and due: the only articles the public may see.

    With a prefix such as "parts__article__" it reaches articles through a relation.
    """
    return models.Q(
        **{f"{prefix}status": "published", f"{prefix}published_at__lte": timezone.now()}
    )


class ArticleQuerySet(models.QuerySet):
    def live(self):
        """Published and due: the only articles the public may see."""
        return self.filter(live_q())

    def listed(self):
        """Leave out the articles an editor keeps off this language's listings."""
        return self.exclude(hidden_languages__contains=get_language() or "en")

    def scheduled(self):
        return self.filter(status="published", published_at__gt=timezone.now())

    def listing(self):
        """What the public listings, search and feeds show, ready for cards."""
        return self.live().listed().for_cards()

    def for_cards(self):
        """What a listing card needs, in a constant number of queries, without the bodies."""
        return self.with_author_and_tags().defer(*CARD_SKIPS)

    def with_author_and_tags(self):
        return self.select_related("author").prefetch_related("tags")
