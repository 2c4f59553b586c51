from django import template

from newsletter.models import confirmed_count

register = template.Library()


def friendly_floor(count):
    """5,678 → 5,000; 87 → 80; below ten there is nothing to boast about (None)."""
    if count is None or count < 10:
        return None
    step = 10 if count < 100 else 100 if count < 1000 else 1000
    return count - count % step


@register.simple_tag
def subscriber_count():
    """Confirmed readers only, rounded down, read from the cache (no query)."""
    return friendly_floor(confirmed_count())
