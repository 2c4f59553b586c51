from django import template
from django.core.cache import cache

from newsletter.models import Subscriber

register = template.Library()

COUNT_CACHE_KEY = "newsletter:confirmed-count"
COUNT_CACHE_SECONDS = 10 * 60


def friendly_floor(count):
    """5,678 → 5,000; 87 → 80; below ten there is nothing to boast about (None)."""
    if count < 10:
        return None
    step = 10 if count < 100 else 100 if count < 1000 else 1000
    return count - count % step


@register.simple_tag
def subscriber_count():
    """Confirmed readers only, rounded down; cached, so the block costs no query per page."""
    count = cache.get(COUNT_CACHE_KEY)
    if count is None:
        count = Subscriber.objects.confirmed().count()
        cache.set(COUNT_CACHE_KEY, count, COUNT_CACHE_SECONDS)
    return friendly_floor(count)
