from django.db import models
from django.utils import timezone


class ArticleQuerySet(models.QuerySet):
    def live(self):
        """Published and due: the only articles the public may see."""
        return self.filter(status="published", published_at__lte=timezone.now())

    def scheduled(self):
        return self.filter(status="published", published_at__gt=timezone.now())

    def for_cards(self):
        """What a listing card needs, in a constant number of queries."""
        return self.select_related("author").prefetch_related("tags")
