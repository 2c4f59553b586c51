from django.db import models
from django.utils import timezone
from django.utils.translation import get_language


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
        """What a listing card needs, in a constant number of queries."""
        return self.select_related("author").prefetch_related("tags")
