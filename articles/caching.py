"""How long a rendered listing may be reused, and the version that invalidates it."""

import math

from django.conf import settings
from django.db.models import Count, Max, Min, Q
from django.utils import timezone

from articles.models import Article


def listing_cache_state():
    """One query: a version that changes with every saved or deleted article, and a lifetime
    that never runs past the next scheduled publication, so a scheduled article appears on time.
    """
    now = timezone.now()
    state = Article.objects.aggregate(
        updated=Max("updated_at"),
        count=Count("pk"),
        next_at=Min("published_at", filter=Q(status="published", published_at__gt=now)),
    )
    timeout = settings.LISTING_CACHE_SECONDS
    if state["next_at"] is not None:
        timeout = min(timeout, max(1, math.ceil((state["next_at"] - now).total_seconds())))
    updated = state["updated"].timestamp() if state["updated"] else 0
    return {"version": f"{updated}-{state['count']}", "timeout": timeout}
