from django import template

from newsletter.models import confirmed_count, friendly_floor

register = template.Library()


@register.simple_tag
def subscriber_count():
    """Confirmed readers only, rounded down, read from the cache (no query)."""
    return friendly_floor(confirmed_count())
