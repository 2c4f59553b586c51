from django import template
from django.core.cache import cache
from django.db.models import Count, Q
from django.utils.translation import get_language

from federation.models import FRAGMENTS_KEY, Actor, Reaction, Reply

register = template.Library()


@register.simple_tag
def fediverse_account():
    """The edition's account in the page's language ({"uri", "handle"}), from the cache."""
    return Actor.objects.accounts().get(get_language())


@register.simple_tag
def fediverse(article):
    """Approved replies, likes and boosts under the article, kept in the cache until one of
    them changes (no query on a warm cache)."""
    version = cache.get(FRAGMENTS_KEY, 0)
    key = f"federation:article:{article.pk}:{version}"
    found = cache.get(key)
    if found is None:
        found = Reaction.objects.filter(article=article).aggregate(
            likes=Count("pk", filter=Q(kind=Reaction.Kind.LIKE)),
            boosts=Count("pk", filter=Q(kind=Reaction.Kind.BOOST)),
        )
        found["replies"] = list(Reply.objects.approved().filter(article=article))
        cache.set(key, found, 24 * 3600)
    return found
